/**
 * Deploying and deleting many recording stages through the lifecycle driver (the handler bundle from the cloud
 * assembly, CloudFormation's events, resources in parallel) against a fake IVS that throttles as the service does,
 * in an account that may already hold resources of other apps.
 */
import { FakeIvsServer, RateLimits, RecordedCall, serviceRateLimit } from '../testing/fake-ivs-server';
import { LifecycleDriver, LifecycleResult } from '../testing/lifecycle-driver';
import { recordingStagesStack } from './apps';
import { QUIET_SDK } from './handler';

/** What the account holds before the deploy: resources of other apps, which the deploy must neither list nor touch. */
export interface ExistingResources {
  readonly stages: number;
  readonly storageConfigurations: number;
}

export interface DeployBenchmarkOptions {
  readonly stages: number;
  /** Custom resource operations the driver runs at once (CloudFormation runs independent resources in parallel). */
  readonly concurrency: number;
  /** Requests the fake accepts per operation in any sliding second, the same for every operation; the excess is throttled (429). @default - `rateLimits` */
  readonly rateLimitPerSecond?: number;
  /** The fake's limit per operation, as `FakeIvsServer`'s option: 'service' for IVS Real-Time's own quotas. @default 'service' */
  readonly rateLimits?: RateLimits;
  /** Made in the fake before the deploy, unthrottled, before the rate limits apply. @default - an empty account */
  readonly existing?: ExistingResources;
}

/** An IVS operation's requests in one phase. */
export interface OperationCount {
  readonly operation: string;
  /** Requests the rate limiter let through (whatever the answer). */
  readonly accepted: number;
  readonly throttled: number;
  /** The fake's limit for the operation, requests per second (undefined: none). */
  readonly limitPerSecond?: number;
  /** When its first and its last accepted request arrived, seconds into the phase (to within `ARRIVAL_TICK_MS`): where the time went. */
  readonly firstAcceptedSeconds?: number;
  readonly lastAcceptedSeconds?: number;
}

export interface PhaseResult {
  readonly status: LifecycleResult['status'];
  readonly seconds: number;
  readonly reason?: string;
  /** Requests the fake received, throttled ones included. */
  readonly requests: number;
  readonly throttled: number;
  /** By operation, sorted by name. */
  readonly operations: readonly OperationCount[];
  /**
   * The rate floor: the least time the rate limits allow for the requests this phase made. An operation's `accepted`
   * requests, `limitPerSecond` at a time, fill `accepted / limitPerSecond` one-second windows; operations have separate
   * limits, so the floor of the whole is the largest operation's. (For a deploy of recording stages: the stages'
   * storage configurations and stages are created at the same pace, each stage waiting only for its own storage
   * configuration, so the two streams overlap: the floor is one operation's, not the sum.)
   */
  readonly floorSeconds: number;
  /** The operation that sets the floor. */
  readonly floorOperation?: string;
}

export interface DeployBenchmark extends DeployBenchmarkOptions {
  readonly deploy: PhaseResult;
  readonly destroy: PhaseResult;
  /** IVS resources of the stack the fake still holds at the end: 0 unless the destroy failed. */
  readonly leftOver: number;
  /** Whether every resource the account held before is still there, unchanged in number. */
  readonly existingKept: boolean;
}

/** The fake's limit for `operation`, as `FakeIvsServer` applies `options` (undefined: none). */
export function rateLimitOf(options: Pick<DeployBenchmarkOptions, 'rateLimitPerSecond' | 'rateLimits'>, operation: string): number | undefined {
  const { rateLimitPerSecond, rateLimits = 'service' } = options;
  if (rateLimitPerSecond !== undefined) return rateLimitPerSecond;
  if (rateLimits === 'none') return undefined;
  if (rateLimits === 'service') return serviceRateLimit(operation);
  return rateLimits[operation] ?? serviceRateLimit(operation);
}

/**
 * Counts `calls` by operation, and the rate floor they impose (`PhaseResult.floorSeconds`); `arrivals`, when given, are
 * the calls' arrival times in seconds (the same order).
 */
export function countOperations(calls: readonly RecordedCall[], limitOf: (operation: string) => number | undefined, arrivals?: readonly number[])
  : Pick<PhaseResult, 'operations' | 'floorSeconds' | 'floorOperation'> {
  const counts = new Map<string, { accepted: number; throttled: number; firstAcceptedSeconds?: number; lastAcceptedSeconds?: number }>();
  calls.forEach((call, i) => {
    const count = counts.get(call.operation) ?? { accepted: 0, throttled: 0 };
    if (call.status === 429) {
      count.throttled++;
    } else {
      count.accepted++;
      if (arrivals?.[i] !== undefined) {
        count.firstAcceptedSeconds ??= arrivals[i];
        count.lastAcceptedSeconds = arrivals[i];
      }
    }
    counts.set(call.operation, count);
  });
  const operations = [...counts].sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => ({ operation, ...count, limitPerSecond: limitOf(operation) }));
  let floor: { seconds: number; operation?: string } = { seconds: 0 };
  for (const { operation, accepted, limitPerSecond } of operations) {
    if (limitPerSecond !== undefined && accepted / limitPerSecond > floor.seconds) {
      floor = { seconds: accepted / limitPerSecond, operation };
    }
  }
  return { operations, floorSeconds: floor.seconds, ...(floor.operation ? { floorOperation: floor.operation } : {}) };
}

/** The List requests of a phase (each a page of up to 100 resources of the type). */
export function listRequests(phase: PhaseResult): number {
  return phase.operations.filter((o) => o.operation.startsWith('List')).reduce((sum, o) => sum + o.accepted + o.throttled, 0);
}

/**
 * Makes `existing` in the fake through its API, as other apps of the account would have (a stage and a storage
 * configuration of another app's bucket each, tagged with that app's name), a few dozen requests at a time.
 */
export async function seedAccount(fake: FakeIvsServer, existing: ExistingResources): Promise<void> {
  const requests = [
    ...Array.from({ length: existing.storageConfigurations }, (_, i) => ['CreateStorageConfiguration',
      { name: `other-app-storage-${i}`, s3: { bucketName: 'other-app-recordings' }, tags: { app: 'other-app' } }] as const),
    ...Array.from({ length: existing.stages }, (_, i) => ['CreateStage', { name: `other-app-stage-${i}`, tags: { app: 'other-app' } }] as const),
  ];
  const send = async ([operation, input]: typeof requests[number]) => {
    const response = await fetch(`${fake.endpoint}/${operation}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input),
    });
    if (response.status !== 200) {
      throw new Error(`seeding the account: ${operation} answered ${response.status} ${await response.text()}`);
    }
  };
  for (let i = 0; i < requests.length; i += SEED_BATCH) {
    await Promise.all(requests.slice(i, i + SEED_BATCH).map(send));
  }
}

const SEED_BATCH = 50;
/** How often a phase looks for the calls that arrived since (their arrival times are known to within this). */
export const ARRIVAL_TICK_MS = 25;

/**
 * Deploys `recordingStagesStack(stages)` (a storage configuration and a stage recording to it, per stage) into an
 * account holding `existing`, then deletes it.
 */
export async function benchmarkDeploy(options: DeployBenchmarkOptions): Promise<DeployBenchmark> {
  const fake = await FakeIvsServer.start({ rateLimits: 'none' });
  const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint, ...QUIET_SDK }, concurrency: options.concurrency });
  try {
    const existing = options.existing ?? { stages: 0, storageConfigurations: 0 };
    await seedAccount(fake, existing);
    const existingArns = [...fake.stages.keys(), ...fake.storageConfigurations.keys()];
    // the limits apply from here, with an empty window: as FakeIvsServer.start would have set them.
    fake.setRateLimits(options.rateLimitPerSecond !== undefined ? {} : options.rateLimits ?? 'service', options.rateLimitPerSecond);
    const stack = recordingStagesStack(options.stages);
    const phase = async (operation: () => Promise<LifecycleResult>): Promise<PhaseResult> => {
      const [before, start] = [fake.calls.length, performance.now()];
      // the fake's call log has no times: each call is given the time of the first tick that finds it.
      const arrivals: number[] = [];
      const note = () => {
        const now = (performance.now() - start) / 1000;
        while (before + arrivals.length < fake.calls.length) arrivals.push(now);
      };
      const ticks = setInterval(note, ARRIVAL_TICK_MS);
      let result: LifecycleResult;
      try {
        result = await operation();
      } finally {
        clearInterval(ticks);
      }
      const seconds = (performance.now() - start) / 1000;
      note();
      const calls = fake.calls.slice(before);
      return {
        status: result.status,
        seconds,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        requests: calls.length,
        throttled: calls.filter((call) => call.status === 429).length,
        ...countOperations(calls, (operation_) => rateLimitOf(options, operation_), arrivals),
      };
    };
    const deploy = await phase(() => driver.deploy(stack));
    const destroy = await phase(() => driver.destroy());
    const kept = existingArns.filter((arn) => fake.stages.has(arn) || fake.storageConfigurations.has(arn)).length;
    return { ...options, deploy, destroy, leftOver: fake.resourceCount() - kept, existingKept: kept === existingArns.length };
  } finally {
    await driver.close();
    await fake.stop();
  }
}
