/**
 * A `StagePool` as shipped (`handlers/dist/stage-pool-*`), against the local fakes at IVS Real-Time's request rate quotas:
 * how many sessions per second one pool makes when a burst of sessions is asked for (CreateStage is limited to 5 per
 * second per account), and how many IVS calls the pool makes in an hour of its reconcile schedule, idle and holding one
 * stage.
 */
import * as path from 'path';
import { STAGE_POOL_CONFIG_ENV, StagePoolConfig } from '../lib/private/stage-pool-contract';
import { FakeDynamoDb } from '../testing/fake-dynamodb';
import { FakeEventBridge } from '../testing/fake-eventbridge';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { fakeAwsEnvironment, HANDLER_DIST, loadHandler, withEnvironment } from './handler';

const SESSION_BUNDLE = path.join(HANDLER_DIST, 'stage-pool-session', 'index.js');
const CLEANUP_BUNDLE = path.join(HANDLER_DIST, 'stage-pool-cleanup', 'index.js');
const TABLE = 'bench-stage-pool';
const RULE = 'bench-stage-pool-reconcile';
/** The reconcile's schedule, rate(1 minute): the runs of an hour, each invoking only while the rule is enabled. */
const RUNS_PER_HOUR = 60;
/** IVS Real-Time's quota for CreateStage, per account and region (not adjustable). */
export const CREATE_STAGE_TPS = 5;

export interface PoolBenchmark {
  readonly sessions: number;
  /** Lambda execution environments the sessions were spread over (each handles one request at a time). */
  readonly environments: number;
  readonly seconds: number;
  readonly sessionsPerSecond: number;
  /** CreateStage requests the fake accepted and throttled (the SDK retries the throttled ones). */
  readonly createStageAccepted: number;
  readonly createStageThrottled: number;
  /** IVS calls in an hour of schedule while the pool holds one stage someone is on, and once it holds none. */
  readonly ivsCallsPerHourHoldingOne: number;
  readonly ivsCallsPerHourIdle: number;
}

export async function benchmarkPool(options: { sessions: number; environments: number }): Promise<PoolBenchmark> {
  const [ivs, dynamoDb, eventBridge] = await Promise.all([FakeIvsServer.start({ rateLimits: 'service' }), FakeDynamoDb.start(), FakeEventBridge.start()]);
  try {
    dynamoDb.createTable(TABLE, 'token');
    eventBridge.putRule(RULE, { state: 'DISABLED', scheduleExpression: 'rate(1 minute)' });
    const config: StagePoolConfig = {
      poolId: 'bench', stage: {}, tags: {}, emptyTimeoutSeconds: 0, departureTimeoutSeconds: 0, tableName: TABLE, reconcileRuleName: RULE,
    };
    const env = {
      ...fakeAwsEnvironment(ivs, undefined, dynamoDb),
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      [STAGE_POOL_CONFIG_ENV]: JSON.stringify(config),
    };
    return await withEnvironment(env, async () => {
      // one module per execution environment: its own SDK client and retry quota, as Lambda gives each.
      const environments = Array.from({ length: options.environments }, () => loadHandler(SESSION_BUNDLE) as (event: unknown) => Promise<unknown>);
      const started = performance.now();
      await Promise.all(environments.map(async (createSession, index) => {
        for (let session = index; session < options.sessions; session += options.environments) {
          await createSession({ sessionKey: `session-${session}` });
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      const creates = ivs.callsTo('CreateStage');

      // an hour of the schedule holding one stage someone is on, once the first reconcile deleted the others (nobody joined
      // them: emptyTimeout 0); then, once that participant left and a reconcile deleted the stage, an idle hour.
      const reconcile = loadHandler(CLEANUP_BUNDLE) as (event: unknown) => Promise<unknown>;
      const reconcileEvent = { reconcileStagePool: config.poolId };
      const [kept] = [...ivs.stages.keys()];
      ivs.startStageSession(kept);
      const participantId = ivs.joinParticipant(kept, { published: true });
      await reconcile(reconcileEvent);
      const hour = async () => {
        const before = ivs.calls.length;
        for (let run = 0; run < RUNS_PER_HOUR; run++) {
          if (eventBridge.rule(RULE)?.state === 'ENABLED') {
            await reconcile(reconcileEvent);
          }
        }
        // requests IVS answered (the fake's rate limit throttles some of a run's calls, which the SDK sends again).
        return ivs.calls.slice(before).filter((call) => call.status !== 429).length;
      };
      const ivsCallsPerHourHoldingOne = await hour();
      ivs.leaveParticipant(kept, participantId);
      await reconcile(reconcileEvent);
      const ivsCallsPerHourIdle = await hour();
      return {
        sessions: options.sessions,
        environments: options.environments,
        seconds,
        sessionsPerSecond: options.sessions / seconds,
        createStageAccepted: creates.filter((call) => call.status === 200).length,
        createStageThrottled: creates.filter((call) => call.status === 429).length,
        ivsCallsPerHourHoldingOne,
        ivsCallsPerHourIdle,
      };
    });
  } finally {
    await Promise.all([ivs.stop(), dynamoDb.stop(), eventBridge.stop()]);
  }
}
