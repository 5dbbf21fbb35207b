import { CreateStageCommand, GetStageCommand, IVSRealTimeClient, Stage } from '@aws-sdk/client-ivs-realtime';
import {
  CREATED_TAG, CreateSessionRequest, CreateSessionResponse, POOL_TAG, SESSION_TAG, StagePoolConfig,
} from '../../lib/private/stage-pool-contract';
import { Claim, CreateRequests } from '../provider/create-requests';
import { SweepArming } from '../provider/deferred-deletes';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { sessionRecordKey } from './config';
import { IssueToken } from './first-token';
import { emitStageCount } from './metrics';
import { StageCount, StagePoolFullError } from './stage-count';

/** What a session key may hold: what tag values take everywhere in AWS, so that it can tag the stage. */
const SESSION_KEY = /^[a-zA-Z0-9_.:/=+@-]{1,128}$/;
/**
 * How long a call's claim of a session key lasts: the session function's timeout, after which the call that claimed it
 * has surely stopped. A call with the same key that finds the claim waits for its stage until then.
 */
export const CLAIM_MS = 60_000;
const POLL_MS = 250;

/** What `createSession` works with: the clients, and the pool's table and reconcile schedule. */
export interface SessionDependencies {
  readonly ivs: IVSRealTimeClient;
  /** The pool's table: which call makes a session key's stage, and what it made (the provider's create-request records). */
  readonly requests: CreateRequests;
  readonly count: StageCount;
  readonly arming: SweepArming;
  /** The pool's `ParticipantTokenIssuer`, if it has one: a session's first token. */
  readonly issueToken?: IssueToken;
}

/**
 * The stage of a session: the one made for its key if it still exists, else a new one from the pool's settings. Calls
 * with one key at the same moment take turns with a conditional write in the pool's table: one creates, the others wait
 * for its stage and answer with it. A key whose stage was deleted (its session is over) starts a new one.
 */
export async function createSession(
  deps: SessionDependencies, config: StagePoolConfig, request: CreateSessionRequest,
): Promise<CreateSessionResponse> {
  if (request?.participantToken !== undefined && !deps.issueToken) {
    throw new Error('participantToken: the pool has no ParticipantTokenIssuer (give one `stagePool: pool`) to sign a first token');
  }
  const session = await sessionStage(deps, config, request);
  if (request.participantToken === undefined) {
    return session;
  }
  // after the stage: a token that cannot be issued leaves the session as it is, and the same call again gets both.
  const { participantToken } = await deps.issueToken!({ ...request.participantToken, stageArn: session.stageArn });
  return { ...session, participantToken };
}

async function sessionStage(deps: SessionDependencies, config: StagePoolConfig, request: CreateSessionRequest): Promise<CreateSessionResponse> {
  const sessionKey = request?.sessionKey;
  if (typeof sessionKey !== 'string' || !SESSION_KEY.test(sessionKey)) {
    throw new Error('sessionKey must be 1-128 letters, digits or _.:/=+@- (it tags the stage), '
      + `got ${typeof sessionKey === 'string' ? `${[...sessionKey].length} characters` : typeof sessionKey}`);
  }
  const token = sessionRecordKey(sessionKey);
  const claim = (): Claim => ({ leaseUntil: Date.now() + CLAIM_MS, watchUntil: Date.now() + CLAIM_MS });
  const giveUpAt = Date.now() + CLAIM_MS;
  while (Date.now() < giveUpAt) {
    const seen = await deps.requests.claim(token, claim());
    if (!seen) {
      return createStage(deps, config, sessionKey, token);
    }
    if (seen.arn) {
      const stage = await existingStage(deps.ivs, seen.arn);
      if (stage) {
        log('session found', { sessionKey, stageArn: stage.arn });
        return answer(sessionKey, stage, false);
      }
      // its stage is gone: that session is over, and this call starts a new one.
      await deps.requests.forget(token);
    } else if (seen.leaseUntil <= Date.now()) {
      // the call that claimed it stopped before it made a stage.
      if (await deps.requests.takeOver(token, seen, claim())) {
        return createStage(deps, config, sessionKey, token);
      }
    } else {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  throw new Error(`another call for session ${sessionKey} is still creating its stage: try again`);
}

async function createStage(deps: SessionDependencies, config: StagePoolConfig, sessionKey: string, token: string): Promise<CreateSessionResponse> {
  let count: number;
  try {
    count = await deps.count.reserve(config.maxStages);
  } catch (error) {
    await deps.requests.forget(token);
    throw error;
  }
  let stage: Stage;
  try {
    stage = (await deps.ivs.send(new CreateStageCommand({
      ...config.stage,
      name: sessionKey.replace(/[^a-zA-Z0-9-_]/g, '-'),
      tags: { ...config.tags, [POOL_TAG]: config.poolId, [SESSION_TAG]: sessionKey, [CREATED_TAG]: String(Date.now()) },
    }))).stage!;
  } catch (error) {
    await Promise.all([deps.count.release(), deps.requests.forget(token)]);
    if ((error as Error).name === 'ServiceQuotaExceededException') {
      throw new StagePoolFullError(`the account's quota of stages in this Region is reached (${describeError(error)}): `
        + 'try again once sessions have ended, or ask for a higher quota');
    }
    throw new Error(`could not create the stage of session ${sessionKey}: ${describeError(error)}`);
  }
  // armed after the stage exists, so that a reconcile disarming at the same moment either lists it or is armed again.
  await deps.arming.arm(config.reconcileRuleName).catch((error: unknown) => log('could not arm the reconcile: the stage is cleaned up '
    + 'when another session arms it, or with the stack', { stageArn: stage.arn, error: describeError(error) }));
  await deps.requests.created(token, stage.arn!);
  log('session created', { sessionKey, stageArn: stage.arn, poolStages: count });
  emitStageCount(config.poolId, count);
  return answer(sessionKey, stage, true);
}

async function existingStage(ivs: IVSRealTimeClient, arn: string): Promise<Stage | undefined> {
  try {
    return (await ivs.send(new GetStageCommand({ arn }))).stage;
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}

function answer(sessionKey: string, stage: Stage, created: boolean): CreateSessionResponse {
  const { whip, events, rtmp, rtmps } = stage.endpoints ?? {};
  return { sessionKey, stageArn: stage.arn!, created, endpoints: { whip, events, rtmp, rtmps } };
}
