import { IvsEventName } from '../../lib/private/composition-contract';
import { DELETE_STAGES_PROPERTY, RECONCILE_EVENT_KEY, STAGE_POOL_RESOURCE_TYPE } from '../../lib/private/stage-pool-contract';
import { sendResponse } from '../provider/cloudformation-response';
import { CustomResourceEvent, LambdaContext } from '../provider/event';
import { describeError } from '../shared/errors';
import { log } from '../shared/log';
import { cleanUpStage, drain, reconcile } from '../stage-pool/cleanup';
import { loadConfig } from '../stage-pool/config';
import { poolDependencies } from '../stage-pool/dependencies';

/** The fields of an IVS `IVS Stage Update` event the function reads. */
interface StageUpdateEvent {
  readonly 'detail-type': string;
  readonly 'resources'?: string[];
  readonly 'detail'?: { readonly event_name?: string };
}

type CloudFormationRequest = CustomResourceEvent & { readonly ResponseURL: string };
type PoolEvent = CloudFormationRequest | StageUpdateEvent | Readonly<Record<typeof RECONCILE_EVENT_KEY, string>>;

let served: { readonly config: ReturnType<typeof loadConfig>; readonly deps: ReturnType<typeof poolDependencies> } | undefined;

/**
 * A `StagePool`'s cleanup function. Invoked by IVS's `Participant Unpublished` events (the stage is looked at at once),
 * by the reconcile schedule while the pool holds stages (every stage is), and by CloudFormation for the pool's custom
 * resource (its delete removes the pool's stages with the stack).
 */
export async function handler(event: PoolEvent, context?: LambdaContext): Promise<unknown> {
  if (!served) {
    const config = loadConfig();
    served = { config, deps: poolDependencies(config) };
  }
  const { config, deps } = served;
  if ('RequestType' in event) {
    return answerCloudFormation(event, context, () => drain(deps, config));
  }
  if (RECONCILE_EVENT_KEY in event) {
    return reconcile(deps, config);
  }
  if (event['detail-type'] === IvsEventName.STAGE_UPDATE) {
    // the stage's state decides, not the event: a late, repeated or out-of-order event changes nothing.
    for (const arn of event.resources ?? []) {
      await cleanUpStage(deps, config, arn).catch((error: unknown) => {
        // the rule matches every stage of the account; the role may read only the pool's (by its tag).
        if ((error as Error).name !== 'AccessDeniedException') {
          throw error;
        }
        log('ignored: not a stage of this pool', { stageArn: arn });
      });
    }
    return undefined;
  }
  log('ignored: not an event of the pool', { detailType: (event)['detail-type'] });
  return undefined;
}

/** The pool's custom resource: create and update do nothing; a delete with `DeleteStages` drains the pool. */
async function answerCloudFormation(event: CloudFormationRequest, context: LambdaContext | undefined, drainPool: () => Promise<void>) {
  const PhysicalResourceId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-${event.RequestId}`;
  let answer: { Status: 'SUCCESS' | 'FAILED'; PhysicalResourceId: string; Reason?: string } = { Status: 'SUCCESS', PhysicalResourceId };
  if (event.ResourceType !== STAGE_POOL_RESOURCE_TYPE) {
    answer = { ...answer, Status: 'FAILED', Reason: `the stage pool's function serves ${STAGE_POOL_RESOURCE_TYPE} only, got ${event.ResourceType}` };
  } else if (event.RequestType === 'Delete' && event.ResourceProperties[DELETE_STAGES_PROPERTY] === 'true') {
    try {
      await drainPool();
    } catch (error) {
      answer = { ...answer, Status: 'FAILED', Reason: describeError(error) };
    }
  }
  const remaining = context?.getRemainingTimeInMillis();
  await sendResponse(event, answer, remaining === undefined ? undefined : Date.now() + remaining / 2);
}
