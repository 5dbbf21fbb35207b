import { ResourceType } from '../../lib/private/contract';
import { Dispatcher } from './dispatcher';
import { encoderConfigurationHandler } from './encoder-configuration';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { ingestConfigurationHandler } from './ingest-configuration';
import { publicKeyHandler } from './public-key';
import { stageHandler } from './stage';
import { storageConfigurationHandler } from './storage-configuration';

const dispatcher = new Dispatcher({
  [ResourceType.STAGE]: stageHandler,
  [ResourceType.STORAGE_CONFIGURATION]: storageConfigurationHandler,
  [ResourceType.ENCODER_CONFIGURATION]: encoderConfigurationHandler,
  [ResourceType.INGEST_CONFIGURATION]: ingestConfigurationHandler,
  [ResourceType.PUBLIC_KEY]: publicKeyHandler,
});

/** The Provider framework's onEvent handler for every IVS Real-Time resource type. */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
  return dispatcher.onEvent(event, context);
}
