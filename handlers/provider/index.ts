import { ResourceType } from '../../lib/private/contract';
import { Dispatcher } from './dispatcher';
import { CustomResourceEvent, CustomResourceResponse } from './event';
import { stageHandler } from './stage';
import { storageConfigurationHandler } from './storage-configuration';

const dispatcher = new Dispatcher({
  [ResourceType.STAGE]: stageHandler,
  [ResourceType.STORAGE_CONFIGURATION]: storageConfigurationHandler,
});

/** The Provider framework's onEvent handler for every IVS Real-Time resource type. */
export async function handler(event: CustomResourceEvent): Promise<CustomResourceResponse> {
  return dispatcher.onEvent(event);
}
