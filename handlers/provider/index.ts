import { ResourceType } from '../../lib/private/contract';
import { DEFERRED_DELETES_RESOURCE_TYPE, SweepEvent } from '../../lib/private/deferred-deletes-contract';
import { ivsClient } from '../shared/client';
import { kmsClient } from '../shared/kms';
import { withoutLibraryTags } from '../shared/tags';
import { deferredDeletesHandler, isSweepEvent, sweep, SweepResult } from './deferred-deletes';
import { Dispatcher } from './dispatcher';
import { encoderConfigurationHandler } from './encoder-configuration';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { ingestConfigurationHandler } from './ingest-configuration';
import { kmsPublicKeyHandler } from './kms-public-key';
import { isLateCreateEvent, LateCreateEvent } from './late-creates';
import { publicKeyHandler } from './public-key';
import { stageHandler } from './stage';
import { storageConfigurationHandler } from './storage-configuration';

let served: { readonly dispatcher: Dispatcher; readonly sweep: (event: SweepEvent) => Promise<SweepResult> } | undefined;

/**
 * Every resource type's handler, made with one IVS client. Made on the first event, not at load, so that the client
 * reads its endpoint from the environment the invocation runs with.
 */
function serve(): NonNullable<typeof served> {
  const ivs = ivsClient();
  const held = [storageConfigurationHandler(ivs), encoderConfigurationHandler(ivs)];
  const [storageConfiguration, encoderConfiguration] = held;
  return {
    dispatcher: new Dispatcher({
      [ResourceType.STAGE]: stageHandler(ivs),
      [ResourceType.STORAGE_CONFIGURATION]: storageConfiguration,
      [ResourceType.ENCODER_CONFIGURATION]: encoderConfiguration,
      [ResourceType.INGEST_CONFIGURATION]: ingestConfigurationHandler(ivs),
      [ResourceType.PUBLIC_KEY]: publicKeyHandler(ivs),
      [ResourceType.KMS_PUBLIC_KEY]: kmsPublicKeyHandler(ivs, kmsClient()),
      [DEFERRED_DELETES_RESOURCE_TYPE]: deferredDeletesHandler(ivs, held),
    }, ivs),
    sweep: (event) => sweep(ivs, held, event),
  };
}

/**
 * The Provider framework's onEvent handler for every IVS Real-Time resource type, the provider schedule's sweep of
 * the deletes deferred until a composition ends, and its own background look for creates it gave up on.
 */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse>;
export async function handler(event: SweepEvent): Promise<SweepResult>;
export async function handler(event: LateCreateEvent, context?: LambdaContext): Promise<string[]>;
export async function handler(event: CustomResourceEvent | SweepEvent | LateCreateEvent, context?: LambdaContext):
Promise<CustomResourceResponse | SweepResult | string[]> {
  served ??= serve();
  if (isSweepEvent(event)) {
    return served.sweep(event);
  }
  return isLateCreateEvent(event) ? served.dispatcher.onLateCreate(event, context) : served.dispatcher.onEvent(withoutLibraryTags(event), context);
}
