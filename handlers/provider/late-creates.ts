import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { isNotFound, describeError } from '../shared/errors';
import { log } from '../shared/log';
import { createRequestToken, requestOf } from './create-request';
import { CustomResourceEvent, LambdaContext } from './event';
import { HandlerLogStreams, STREAM_PREFIX } from './log-streams';
import { ResourceHandler } from './resource-handler';

/**
 * A create the handler stopped waiting for may still be made by IVS after CloudFormation got the failure, and the
 * Provider framework answers the rollback's delete of a failed create itself: nothing would ever delete it. So the
 * handler, as it gives up, invokes itself in the background with this event: that run looks for what the create request
 * made (by its create-request tag) for a while, and deletes it. The look is marked, from the hand-over to its end, by a
 * stream of the handler's log group (log-streams.ts): the stack's delete waits for it (`awaitLateCreateLooks`).
 */
export const LATE_CREATE_KEY = 'deleteLateCreateOf';

export interface LateCreateEvent {
  /** The custom resource event whose create the handler gave up on (its properties: no secret is in them). */
  readonly [LATE_CREATE_KEY]: CustomResourceEvent;
  /** The stream that marks the look, which the run deletes at its end. */
  readonly mark?: string;
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
  const withinWait = <T>(work: Promise<T>, otherwise: T) =>
    Promise.race([work, new Promise<T>((resolve) => setTimeout(() => resolve(otherwise), waitMs))]);
  // marked before the failure reaches CloudFormation, so before any rollback; the run lasts the handler's time limit at most.
  const mark = lookMark(createRequestToken(event), Date.now() + timeLimitMs);
  const [handedOver] = await Promise.all([
    withinWait(invokeSelf(context, { [LATE_CREATE_KEY]: event, mark: mark?.name }).then(() => true, (error: unknown) => {
      log('could not start the look for a late create', { error: describeError(error) });
      return false;
    }), false),
    withinWait(mark?.create() ?? Promise.resolve(), undefined),
  ]);
  if (!handedOver) {
    // not awaited: no time is left for it, and a mark ends by itself (it names its end).
    void mark?.remove();
  }
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
 * the rollback deletes the handler itself once the run is done (the drain waits for it), which could then not start
 * another.
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
  try {
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
  } finally {
    if (lateCreate.mark) {
      await removeMark(lateCreate.mark);
    }
  }
  return deleted;
}

/**
 * Waits, until `until` at most, for the background looks still under way. The drain of deferred deletes does, on the
 * stack's delete: a new stack's rollback deletes the handler's role right after the drain, and a look's calls would be
 * refused from then on.
 */
export async function awaitLateCreateLooks(until: number): Promise<void> {
  const streams = new HandlerLogStreams();
  for (let announced = false; streams.available; announced = true) {
    const ends = (await streams.list(LOOK_PREFIX)).map((stream) => lookEnd(stream.name)).filter((end) => end > Date.now());
    if (ends.length === 0) {
      return;
    }
    const next = Math.min(...ends, Date.now() + LOOK_POLL_MS);
    if (next > until) {
      log('background looks for late creates are still under way: not waiting for them longer', { looks: ends.length });
      return;
    }
    if (!announced) {
      log('waiting for the background looks for late creates before the handler is deleted', { looks: ends.length });
    }
    await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
  }
}

/** A look's mark: a stream named after its request's token and the time by which it ends (ms since the epoch). */
const LOOK_PREFIX = `${STREAM_PREFIX}late-create-look/`;
/** How often a wait for looks checks whether they are done. */
const LOOK_POLL_MS = 2000;

function lookEnd(mark: string): number {
  return Number(mark.slice(mark.lastIndexOf('/') + 1));
}

/** The mark of a look that ends by `endsBy`: undefined outside Lambda (no log group to mark it in). */
function lookMark(token: string, endsBy: number): { readonly name: string; create(): Promise<void>; remove(): Promise<void> } | undefined {
  const streams = new HandlerLogStreams();
  const name = `${LOOK_PREFIX}${token}/${Math.ceil(endsBy)}`;
  return !streams.available ? undefined : {
    name,
    create: () => streams.create(name).then(() => undefined, (error: unknown) => {
      log('could not mark the look for a late create', { error: describeError(error) });
    }),
    remove: () => removeMark(name),
  };
}

async function removeMark(name: string): Promise<void> {
  await new HandlerLogStreams().delete(name).catch((error: unknown) => {
    // not found: it could not be made, or the hand-over removed it.
    if ((error as Error).name !== 'ResourceNotFoundException') {
      log('could not remove the mark of the look for a late create', { error: describeError(error) });
    }
  });
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
