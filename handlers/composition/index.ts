import { createHash } from 'crypto';
import {
  CompositionSummary,
  GetStageCommand,
  ListCompositionsCommand,
  ListParticipantsCommand,
  Stage,
  StartCompositionCommand,
  StopCompositionCommand,
} from '@aws-sdk/client-ivs-realtime';
import { COMPOSITION_CONFIG_ENV, COMPOSITION_OWNER_TAG, CompositionFunctionConfig, IvsEventName } from '../../lib/private/composition-contract';
import { ivsClient } from '../shared/client';
import { describeError, isNotFound, mayClearOnRetry } from '../shared/errors';
import { log } from '../shared/log';
import { retryOnConflict } from '../shared/retry';

/** The fields of an EventBridge `IVS Stage Update` event that the function reads. */
export interface StageUpdateEvent {
  readonly 'detail-type'?: string;
  readonly 'resources'?: string[];
  readonly 'detail'?: {
    readonly session_id?: string;
    readonly event_name?: string;
    readonly participant_id?: string;
  };
}

/** What every log line says about the event, so that each can be traced to its stage and session. */
interface EventContext {
  readonly stageArn: string;
  readonly sessionId: string;
  readonly eventName: string;
  readonly participantId?: string;
}

/** A stage session ID (`st-` and letters and digits), bounded so that the idempotency token stays within 64 characters. */
const SESSION_ID = /^st-[a-zA-Z0-9]{1,40}$/;
/** Compositions that run, or soon will: one of ours in either state means the stage is composed. */
const RUNNING_STATES = new Set(['STARTING', 'ACTIVE']);
/** A conflict (a destination still held by a composition that is stopping) usually clears within seconds. */
const CONFLICT_RETRY = { attempts: 3, initialDelayMs: 1000 };
/**
 * Refusals that clear by themselves, later than the function waits: a conflict that outlasts `CONFLICT_RETRY`, and the
 * concurrent-composition quota. Lambda retries them (about a minute, then two minutes later), then the dead-letter queue
 * keeps the event.
 */
const CLEARING_REFUSALS = new Set(['ConflictException', 'ServiceQuotaExceededException']);
/**
 * How many compositions one session may have had before the function gives up starting another: each needs its own
 * idempotency token (see `startComposition`).
 */
const MAX_COMPOSITIONS_PER_SESSION = 50;

/**
 * Starts a composition of a stage when a participant publishes (and, with `stopOnSessionEnd`, stops it when the last
 * one stops), at most one running composition per stage, whatever the order, duplication or lateness of the events.
 *
 * Failures the service will repeat (validation, access denied, a missing encoder or storage configuration) are logged
 * with their reason and the event is dropped: retrying cannot help. Failures that may clear are thrown, so that Lambda's
 * bounded retries, then the dead-letter queue, take the event: throttling beyond the SDK's retries, server errors, a
 * conflict that outlasts the short retry (a destination still held by a composition that is stopping), and the
 * account's quota of concurrent compositions (5 by default), which frees up as other compositions end.
 */
export async function handler(event: StageUpdateEvent): Promise<void> {
  const config = loadConfig();
  const stageArn = event.resources?.find((arn) => config.stageArns.includes(arn) || (config.stageTag !== undefined && arn.includes(':stage/')));
  const sessionId = event.detail?.session_id ?? '';
  const eventName = event.detail?.event_name ?? '';
  if (!stageArn || event['detail-type'] !== IvsEventName.STAGE_UPDATE) {
    log('ignored: not a participant event of a composed stage', { resources: event.resources, eventName });
    return;
  }
  const context: EventContext = { stageArn, sessionId, eventName, participantId: event.detail?.participant_id };
  if (!SESSION_ID.test(sessionId)) {
    log('ignored: the event has no valid stage session id', context);
    return;
  }

  try {
    if (eventName === IvsEventName.PARTICIPANT_PUBLISHED) {
      await startComposition(config, context);
    } else if (eventName === IvsEventName.PARTICIPANT_UNPUBLISHED && config.stopOnSessionEnd) {
      await stopCompositionIfNoPublisher(config, context);
    } else {
      log('ignored: not an event this function acts on', context);
    }
  } catch (error) {
    const reason = describeError(error);
    if (!mayClearLater(error)) {
      log(`failed, not retried (the service refuses this request): ${eventName}`, { ...context, reason });
      return;
    }
    log(`failed, retried by Lambda: ${eventName}`, { ...context, reason });
    throw new Error(`${eventName} on stage ${stageArn}, session ${sessionId}: ${reason}`);
  }
}

/**
 * The stage, or undefined when it is not one the function composes: with `stageTag` (a `StagePool`'s stages), one without
 * the tag, or one its role may not read (the role reads only the stages that carry the tag).
 */
async function composedStage(config: CompositionFunctionConfig, context: EventContext): Promise<Stage | undefined> {
  try {
    const { stage } = await ivsClient().send(new GetStageCommand({ arn: context.stageArn }));
    if (stage && (!config.stageTag || stage.tags?.[config.stageTag.key] === config.stageTag.value)) {
      return stage;
    }
  } catch (error) {
    if (!config.stageTag || (error as Error).name !== 'AccessDeniedException') {
      throw error;
    }
  }
  log('ignored: not a stage this function composes', context);
  return undefined;
}

async function startComposition(config: CompositionFunctionConfig, context: EventContext): Promise<void> {
  const { stageArn, sessionId } = context;
  const stage = await composedStage(config, context);
  if (!stage) {
    return;
  }
  if (stage.activeSessionId !== sessionId) {
    log('ignored: the session is no longer the stage\'s active one (a late or replayed event)', {
      ...context, activeSessionId: stage.activeSessionId ?? null,
    });
    return;
  }
  // events arrive out of order: a Participant Published handled after its Unpublished must not start a composition
  // that nobody publishes to, and that no later Unpublished would stop.
  if (config.stopOnSessionEnd && !(await somebodyPublishes(context))) {
    log('not started: nobody publishes in the session any more (the Participant Unpublished came first)', context);
    return;
  }
  const running = await runningCompositions(config, stageArn);
  if (running.length > 0) {
    log('already composed: a composition of this StageComposition runs on the stage', { ...context, compositionArn: running[0].arn });
    return;
  }

  // the token is the session's (and the configuration's), so duplicates of this event, and concurrent events of the
  // session, all get the one composition the first of them starts. A session whose composition has ended (IVS stops
  // it a minute after publishing stops) needs a fresh token to start another: walk tokens until one gives a running
  // composition.
  const fingerprint = configurationFingerprint(config);
  for (let generation = 0; generation < MAX_COMPOSITIONS_PER_SESSION; generation++) {
    const idempotencyToken = `${sessionId}-${fingerprint}-${generation}`;
    const { composition } = await retryOnConflict(() => ivsClient().send(new StartCompositionCommand({
      stageArn,
      idempotencyToken,
      layout: config.layout,
      destinations: config.destinations,
      tags: { ...config.tags, [COMPOSITION_OWNER_TAG]: config.key },
    })), CONFLICT_RETRY);
    if (RUNNING_STATES.has(composition?.state ?? '')) {
      log('composition started', { ...context, compositionArn: composition?.arn, state: composition?.state, idempotencyToken });
      // the last Participant Unpublished may have been handled while this one started it, finding nothing to stop.
      if (config.stopOnSessionEnd && !(await somebodyPublishes(context))) {
        await stopCompositions([composition!], context,
          'composition stopped: nobody publishes any more (the last one stopped while it started)');
      }
      return;
    }
    log('idempotency token already used by an ended composition of this session; trying the next one', {
      ...context, compositionArn: composition?.arn, state: composition?.state, idempotencyToken,
    });
  }
  log(`not started: this session already had ${MAX_COMPOSITIONS_PER_SESSION} compositions`, context);
}

async function stopCompositionIfNoPublisher(config: CompositionFunctionConfig, context: EventContext): Promise<void> {
  const { stageArn, sessionId } = context;
  const stage = await composedStage(config, context);
  if (!stage) {
    return;
  }
  if (stage.activeSessionId && stage.activeSessionId !== sessionId) {
    // a running composition now belongs to the new session.
    log('ignored: another session of the stage is active', { ...context, activeSessionId: stage.activeSessionId });
    return;
  }
  if (await somebodyPublishes(context)) {
    log('not stopped: participants still publish in the session', context);
    return;
  }
  const running = await runningCompositions(config, stageArn);
  if (running.length === 0) {
    log('nothing to stop: no composition of this StageComposition runs on the stage', context);
  }
  await stopCompositions(running, context, 'composition stopped: no participant publishes in the session');
}

async function somebodyPublishes({ stageArn, sessionId }: EventContext): Promise<boolean> {
  const { participants } = await ivsClient().send(
    new ListParticipantsCommand({ stageArn, sessionId, filterByPublished: true, maxResults: 1 }));
  return (participants ?? []).length > 0;
}

async function stopCompositions(compositions: readonly { readonly arn?: string }[], context: EventContext, stopped: string): Promise<void> {
  for (const { arn } of compositions) {
    try {
      await ivsClient().send(new StopCompositionCommand({ arn }));
      log(stopped, { ...context, compositionArn: arn });
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
      log('composition already gone', { ...context, compositionArn: arn });
    }
  }
}

/** Whether a failure may clear if the event is handled again later: what the SDK retries, or `CLEARING_REFUSALS`. */
function mayClearLater(error: unknown): boolean {
  return mayClearOnRetry(error) || CLEARING_REFUSALS.has((error as { name?: string })?.name ?? '');
}

/** This construct's compositions of the stage that run or are starting (ListCompositions shows ended ones for 5 minutes). */
async function runningCompositions(config: CompositionFunctionConfig, stageArn: string): Promise<CompositionSummary[]> {
  const ours: CompositionSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ivsClient().send(new ListCompositionsCommand({ filterByStageArn: stageArn, nextToken }));
    ours.push(...(page.compositions ?? []).filter((composition) =>
      RUNNING_STATES.has(composition.state ?? '') && composition.tags?.[COMPOSITION_OWNER_TAG] === config.key));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return ours;
}

/**
 * Identifies the configuration in idempotency tokens: a redeployed layout or destination must not reuse a token that
 * started a composition with the old one (an idempotent call with other parameters is not the same call).
 */
function configurationFingerprint(config: CompositionFunctionConfig): string {
  const { key, layout, destinations, tags } = config;
  return createHash('sha256').update(JSON.stringify({ key, layout, destinations, tags })).digest('hex').slice(0, 16);
}

function loadConfig(): CompositionFunctionConfig {
  const json = process.env[COMPOSITION_CONFIG_ENV];
  if (!json) {
    throw new Error(`${COMPOSITION_CONFIG_ENV} is not set: this function is configured by the StageComposition construct`);
  }
  return JSON.parse(json) as CompositionFunctionConfig;
}
