import { ResourceType } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { kmsClient } from '../shared/kms';
import { Dispatcher } from './dispatcher';
import { encoderConfigurationHandler } from './encoder-configuration';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { ingestConfigurationHandler } from './ingest-configuration';
import { kmsPublicKeyHandler } from './kms-public-key';
import { publicKeyHandler } from './public-key';
import { stageHandler } from './stage';
import { storageConfigurationHandler } from './storage-configuration';

let dispatcher: Dispatcher | undefined;

/**
 * Every resource type's handler, made with one IVS client. Made on the first event, not at load, so that the client
 * reads its endpoint from the environment the invocation runs with.
 */
function dispatcherFor(): Dispatcher {
  const ivs = ivsClient();
  return new Dispatcher({
    [ResourceType.STAGE]: stageHandler(ivs),
    [ResourceType.STORAGE_CONFIGURATION]: storageConfigurationHandler(ivs),
    [ResourceType.ENCODER_CONFIGURATION]: encoderConfigurationHandler(ivs),
    [ResourceType.INGEST_CONFIGURATION]: ingestConfigurationHandler(ivs),
    [ResourceType.PUBLIC_KEY]: publicKeyHandler(ivs),
    [ResourceType.KMS_PUBLIC_KEY]: kmsPublicKeyHandler(ivs, kmsClient()),
  }, ivs);
}

/** The Provider framework's onEvent handler for every IVS Real-Time resource type. */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
  dispatcher ??= dispatcherFor();
  return dispatcher.onEvent(event, context);
}
