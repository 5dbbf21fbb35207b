import { ResourceType } from '../../lib/private/contract';
import { Dispatcher } from './dispatcher';
import { CustomResourceEvent, CustomResourceResponse } from './event';
import { stageHandler } from './stage';

const dispatcher = new Dispatcher({
  [ResourceType.STAGE]: stageHandler,
});

/** The Provider framework's onEvent handler for every IVS Real-Time resource type. */
export async function handler(event: CustomResourceEvent): Promise<CustomResourceResponse> {
  return dispatcher.onEvent(event);
}
