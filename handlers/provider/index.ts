import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ResourceType } from '../../lib/private/contract';
import { DEFERRED_DELETES_RESOURCE_TYPE, SweepEvent } from '../../lib/private/deferred-deletes-contract';
import { CREATE_REQUESTS_TABLE_VARIABLE } from '../../lib/private/provider-contract';
import { ivsClient } from '../shared/client';
import { describeError } from '../shared/errors';
import { kmsClient } from '../shared/kms';
import { log } from '../shared/log';
import { sendResponse } from './cloudformation-response';
import { CreateRequests } from './create-requests';
import { deferredDeletesHandler, isSweepEvent, sweep, SweepArming, SweepResult } from './deferred-deletes';
import { Dispatcher } from './dispatcher';
import { encoderConfigurationHandler } from './encoder-configuration';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { ingestConfigurationHandler } from './ingest-configuration';
import { kmsPublicKeyHandler } from './kms-public-key';
import { publicKeyHandler } from './public-key';
import { stageHandler } from './stage';
import { storageConfigurationHandler } from './storage-configuration';
import { StreamKeyCorrections } from './stream-key-copy';

let served: { readonly dispatcher: Dispatcher; readonly sweep: (event: SweepEvent) => Promise<SweepResult> } | undefined;

/**
 * Every resource type's handler, made with one IVS client. Made on the first event, not at load, so that the clients
 * read their endpoints from the environment the invocation runs with.
 */
function serve(): NonNullable<typeof served> {
  const ivs = ivsClient();
  const held = [storageConfigurationHandler(ivs), encoderConfigurationHandler(ivs)];
  const [storageConfiguration, encoderConfiguration] = held;
  const table = process.env[CREATE_REQUESTS_TABLE_VARIABLE];
  const requests = table ? new CreateRequests(new DynamoDBClient({}), table) : undefined;
  const arming = new SweepArming(new EventBridgeClient({}));
  const corrections = requests && new StreamKeyCorrections(ivs, requests, arming);
  return {
    dispatcher: new Dispatcher({
      [ResourceType.STAGE]: stageHandler(ivs),
      [ResourceType.STORAGE_CONFIGURATION]: storageConfiguration,
      [ResourceType.ENCODER_CONFIGURATION]: encoderConfiguration,
      [ResourceType.INGEST_CONFIGURATION]: ingestConfigurationHandler(ivs, corrections),
      [ResourceType.PUBLIC_KEY]: publicKeyHandler(ivs),
      [ResourceType.KMS_PUBLIC_KEY]: kmsPublicKeyHandler(ivs, kmsClient()),
      [DEFERRED_DELETES_RESOURCE_TYPE]: deferredDeletesHandler(ivs, held),
    }, ivs, requests, arming),
    sweep: (event) => sweep(ivs, held, event, arming, corrections),
  };
}

/** A custom resource request as CloudFormation sends it to a ServiceToken: with the URL to answer. */
export interface CloudFormationRequest extends CustomResourceEvent {
  readonly ResponseURL: string;
}

/**
 * The stack's ServiceToken: CloudFormation invokes it asynchronously with every request for an IVS Real-Time resource, and
 * it answers the request's ResponseURL itself, SUCCESS or FAILED, whatever happened; the sweep's schedule invokes it
 * with a sweep of the stack's deferred deletes and stream-key secret corrections. An answer it cannot deliver fails the invocation, after deleting what a
 * create made, so that Lambda delivers the request again.
 */
export async function handler(event: CloudFormationRequest, context?: LambdaContext): Promise<void>;
export async function handler(event: SweepEvent): Promise<SweepResult>;
export async function handler(event: CloudFormationRequest | SweepEvent, context?: LambdaContext): Promise<void | SweepResult> {
  served ??= serve();
  if (isSweepEvent(event)) {
    return served.sweep(event);
  }
  const answer = await served.dispatcher.answer(event, context);
  if (!answer) {
    throw new Error('not answered yet: Lambda delivers the request again');
  }
  try {
    // what is left of the invocation, but the time to delete what a create made if the answer cannot be given.
    const remaining = context?.getRemainingTimeInMillis();
    await sendResponse(event, answer, remaining === undefined ? undefined : Date.now() + remaining / 2);
  } catch (error) {
    if (answer.Status === 'SUCCESS') {
      await served.dispatcher.undoCreate(event, answer).catch((undoError: unknown) => log('could not delete what the create made', {
        arn: answer.PhysicalResourceId, error: describeError(undoError),
      }));
    }
    throw new Error(`could not answer CloudFormation: ${describeError(error)}`);
  }
}

/** One request answered as a return value or a thrown one-line reason, without CloudFormation's ResponseURL: for tests of the handlers. */
export async function onEvent(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
  served ??= serve();
  return served.dispatcher.onEvent(event, context);
}
