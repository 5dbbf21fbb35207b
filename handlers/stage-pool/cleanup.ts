import {
  DeleteStageCommand, GetStageCommand, IVSRealTimeClient, paginateListStages, paginateListStageSessions, StageSummary,
} from '@aws-sdk/client-ivs-realtime';
import { POOL_TAG, RETAIN_TAG, SESSION_TAG, StagePoolConfig } from '../../lib/private/stage-pool-contract';
import { CreateRequests } from '../provider/create-requests';
import { SweepArming } from '../provider/deferred-deletes';
import { describeError, isConflict, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { sessionRecordKey } from './config';
import { emitStageCount } from './metrics';
import { StageCount } from './stage-count';
import { mayBeOver, StageState, verdict } from './verdict';

/** What the cleanup works with. */
export interface CleanupDependencies {
  readonly ivs: IVSRealTimeClient;
  readonly requests: CreateRequests;
  readonly count: StageCount;
  readonly arming: SweepArming;
}

export type Outcome = 'deleted' | 'kept' | 'gone';

/**
 * Looks at one stage of the pool and deletes it if its session is over (`verdict`). The stage is read again just before
 * the delete, so that someone who joined since it was judged keeps it: IVS has no conditional delete, so a join in the
 * few milliseconds between that read and the delete is the one case left (the participant is disconnected, and their
 * app asks the backend for the session again, which makes a new stage).
 */
export async function cleanUpStage(deps: CleanupDependencies, config: StagePoolConfig, arn: string, now = Date.now()): Promise<Outcome> {
  const state = await stageState(deps.ivs, arn);
  if (!state) {
    return 'gone';
  }
  if (state.tags[POOL_TAG] !== config.poolId) {
    log('ignored: not a stage of this pool', { stageArn: arn });
    return 'kept';
  }
  const judged = verdict(state, now, config);
  if (!judged.remove) {
    log('stage kept', { stageArn: arn, reason: judged.reason });
    return 'kept';
  }
  const again = await stageState(deps.ivs, arn, false);
  if (again?.activeSessionId) {
    log('stage kept', { stageArn: arn, reason: `session ${again.activeSessionId} started while it was judged` });
    return 'kept';
  }
  const outcome = await deleteStage(deps, arn, state.tags);
  if (outcome === 'deleted') {
    log('stage deleted', { stageArn: arn, reason: judged.reason });
  }
  return outcome;
}

/**
 * The schedule's reconcile: every stage of the pool cleaned up if its session is over, then the pool's count set to what
 * is left and written as its metric. The schedule is disarmed before the pool is listed and armed again if any stage is
 * left, so that a pool that holds none costs no invocation, and a stage made meanwhile (which arms it after) is never
 * missed. A failure with one stage is logged and the others go on: the next reconcile comes in a minute.
 */
export async function reconcile(deps: CleanupDependencies, config: StagePoolConfig): Promise<{ deleted: number; remaining: number }> {
  await deps.arming.disarm(config.reconcileRuleName);
  let deleted = 0;
  let remaining = 0;
  for (const stage of await poolStages(deps.ivs, config)) {
    let outcome: Outcome = 'kept';
    try {
      // a live stage, or one too young to be over, costs no call: the reconcile stays within IVS's 5 requests a second.
      outcome = stage.activeSessionId || !mayBeOver(stage.tags ?? {}, Date.now(), config) ? 'kept' : await cleanUpStage(deps, config, stage.arn!);
    } catch (error) {
      log('could not clean up the stage: the next reconcile tries again', { stageArn: stage.arn, error: describeError(error) });
    }
    if (outcome === 'deleted') {
      deleted++;
    } else if (outcome === 'kept') {
      remaining++;
    }
  }
  await deps.count.set(remaining);
  if (remaining > 0) {
    await deps.arming.arm(config.reconcileRuleName);
  }
  emitStageCount(config.poolId, remaining);
  log('reconciled', { poolId: config.poolId, deleted, remaining, ...(remaining > 0 ? {} : { disarmed: true }) });
  return { deleted, remaining };
}

/**
 * The stack's delete: every stage of the pool deleted but those that carry the retain tag, people on them or not (they
 * are disconnected): once the pool's functions are gone, nothing would ever delete them. Fails naming what it could not
 * delete, so that the stack's delete fails instead of leaving stages behind unnoticed.
 */
export async function drain(deps: CleanupDependencies, config: StagePoolConfig): Promise<void> {
  await deps.arming.disarm(config.reconcileRuleName).catch((error: unknown) => log('could not disarm the reconcile', { error: describeError(error) }));
  const failures: string[] = [];
  for (const stage of await poolStages(deps.ivs, config)) {
    if (stage.tags && RETAIN_TAG in stage.tags) {
      log('stage kept with the stack\'s delete', { stageArn: stage.arn, reason: `retained (tag ${RETAIN_TAG})` });
      continue;
    }
    try {
      if (await deleteStage(deps, stage.arn!, stage.tags ?? {}) === 'kept') {
        failures.push(`stage ${stage.arn}: IVS refused its delete`);
      } else {
        log('stage deleted with the stack', { stageArn: stage.arn, live: Boolean(stage.activeSessionId) });
      }
    } catch (error) {
      failures.push(`stage ${stage.arn}: ${describeError(error)}`);
    }
  }
  if (failures.length > 0) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    throw new Error(`could not delete the pool's stages: ${failures[0]}${more}; delete the stack again`);
  }
}

/** The stages of the account that carry the pool's tag (ListStages gives each stage's tags and active session). */
async function poolStages(ivs: IVSRealTimeClient, config: StagePoolConfig): Promise<StageSummary[]> {
  const stages: StageSummary[] = [];
  for await (const page of paginateListStages({ client: ivs }, { maxResults: 100 })) {
    stages.push(...(page.stages ?? []).filter((stage) => stage.tags?.[POOL_TAG] === config.poolId));
  }
  return stages;
}

/** The stage as IVS has it now, with its sessions unless `withSessions` is false; undefined once it is gone. */
async function stageState(ivs: IVSRealTimeClient, arn: string, withSessions = true): Promise<StageState | undefined> {
  try {
    const { stage } = await ivs.send(new GetStageCommand({ arn }));
    const sessions = [];
    if (withSessions && !stage?.activeSessionId) {
      for await (const page of paginateListStageSessions({ client: ivs }, { stageArn: arn, maxResults: 100 })) {
        sessions.push(...page.stageSessions ?? []);
      }
    }
    return { tags: stage?.tags ?? {}, activeSessionId: stage?.activeSessionId, sessions };
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}

/** Deletes the stage, forgets its session and counts it out; a stage already gone counts as deleted, a conflict as kept. */
async function deleteStage(deps: CleanupDependencies, arn: string, tags: Record<string, string>): Promise<Outcome> {
  try {
    await deps.ivs.send(new DeleteStageCommand({ arn }));
  } catch (error) {
    if (isConflict(error)) {
      log('stage kept', { stageArn: arn, reason: `IVS refused its delete: ${describeError(error)}` });
      return 'kept';
    }
    if (!isNotFound(error)) {
      throw error;
    }
  }
  const sessionKey = tags[SESSION_TAG];
  await Promise.all([deps.count.release(), sessionKey ? deps.requests.forgetCreated(sessionRecordKey(sessionKey), arn) : undefined]);
  return 'deleted';
}
