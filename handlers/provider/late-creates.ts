import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { isNotFound, describeError } from '../shared/errors';
import { log } from '../shared/log';
import { createRequestToken, requestOf } from './create-request';
import { CustomResourceEvent, LambdaContext } from './event';
import { ResourceHandler } from './resource-handler';

/**
 * A create the handler stopped waiting for may still be made by IVS after CloudFormation got the failure, and the
 * Provider framework answers the rollback's delete of a failed create itself: nothing would ever delete it. So the
 * handler, as it gives up, invokes itself in the background with this event: that run looks for what the create request
 * made (by its create-request tag) for a while, and deletes it.
 */
export const LATE_CREATE_KEY = 'deleteLateCreateOf';

export interface LateCreateEvent {
  /** The custom resource event whose create the handler gave up on (its properties: no secret is in them). */
  readonly [LATE_CREATE_KEY]: CustomResourceEvent;
}

export function isLateCreateEvent(event: unknown): event is LateCreateEvent {
  return typeof (event as Partial<LateCreateEvent> | undefined)?.[LATE_CREATE_KEY] === 'object';
}

/**
 * Starts the background look for what the create of `event` may still make, within `waitMs`, and says what happens, for
 * the failure reason. The look lasts as long as the handler's time limit, `timeLimitMs`.
 */
export async function handOverLateCreate(event: CustomResourceEvent, context: LambdaContext, timeLimitMs: number,
  waitMs: number): Promise<string> {
  const handedOver = await Promise.race([
    invokeSelf(context, { [LATE_CREATE_KEY]: event }).then(() => true, (error: unknown) => {
      log('could not start the look for a late create', { error: describeError(error) });
      return false;
    }),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs)),
  ]);
  const tag = `tag cdk-ivs-realtime:create-request=${createRequestToken(event)}`;
  if (!handedOver) {
    return `if IVS still creates it, it carries ${tag}: delete it by hand`;
  }
  const minutes = Math.max(1, Math.round(timeLimitMs / 60_000));
  log('looking for a late create in the background', { logicalResourceId: event.LogicalResourceId, forMinutes: minutes });
  return `if IVS creates it within ${minutes} minute${minutes === 1 ? '' : 's'} (${tag}), the handler deletes it; later, delete it by hand`;
}

/**
 * The background run: looks for what the create made a few times over its own time limit (its List calls share IVS's
 * 5 per second with the stack's deployment), and deletes it. One run only: when the failed create was a new stack's,
 * the rollback deletes the handler itself, which could then not start another.
 */
export async function deleteLateCreate(handler: ResourceHandler, lateCreate: LateCreateEvent, context?: LambdaContext): Promise<string[]> {
  const event = lateCreate[LATE_CREATE_KEY];
  if (!handler.findCreated) {
    return []; // a type with nothing in IVS behind it.
  }
  const request = requestOf(event.ResourceProperties);
  const token = createRequestToken(event);
  // the last look ends well before Lambda stops the run: a tenth of its time (at most 10 s) is left for it.
  const timeLimit = context?.getRemainingTimeInMillis() ?? 0;
  const lookUntil = Date.now() + timeLimit - Math.min(10_000, timeLimit / 10);
  const deleted: string[] = [];
  for (let look = 1; look <= LOOKS; look++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (lookUntil - Date.now()) / (LOOKS - look + 1))));
    for (const arn of await handler.findCreated(token, request)) {
      await handler.delete(arn, event).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      log('deleted what a create the handler gave up on made later', { arn, logicalResourceId: event.LogicalResourceId });
      deleted.push(arn);
    }
  }
  return deleted;
}

/** How many times a background run looks, evenly over its time limit, the last at its end. */
const LOOKS = 3;

let lambda: LambdaClient | undefined;

async function invokeSelf(context: LambdaContext, payload: LateCreateEvent): Promise<void> {
  if (!context.invokedFunctionArn) {
    throw new Error('the Lambda context names no function');
  }
  lambda ??= new LambdaClient({});
  await lambda.send(new InvokeCommand({
    FunctionName: context.invokedFunctionArn,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(payload)),
  }));
}
