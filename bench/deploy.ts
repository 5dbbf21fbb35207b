/**
 * Deploying and deleting many recording stages through the lifecycle driver (the handler bundle from the cloud
 * assembly, CloudFormation's events, resources in parallel) against a fake IVS that throttles as the service does.
 */
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { LifecycleDriver, LifecycleResult } from '../testing/lifecycle-driver';
import { recordingStagesStack } from './apps';
import { QUIET_SDK } from './handler';

export interface DeployBenchmarkOptions {
  readonly stages: number;
  /** Custom resource operations the driver runs at once (CloudFormation runs independent resources in parallel). */
  readonly concurrency: number;
  /** Requests the fake accepts per operation in any sliding second; the excess is throttled (429). */
  readonly rateLimitPerSecond: number;
}

export interface PhaseResult {
  readonly status: LifecycleResult['status'];
  readonly seconds: number;
  readonly reason?: string;
  /** Requests the fake received, throttled ones included. */
  readonly requests: number;
  readonly throttled: number;
}

export interface DeployBenchmark extends DeployBenchmarkOptions {
  /**
   * The least time the rate limit allows: the `stages` Create (or Delete) requests of one operation, `rateLimitPerSecond`
   * at a time, fill `stages / rateLimitPerSecond` one-second windows. The storage configuration and stage operations have separate limits,
   * and each stage waits only for its own storage configuration, so the two streams overlap and the floor of the whole
   * is that of one operation.
   */
  readonly floorSeconds: number;
  readonly deploy: PhaseResult;
  readonly destroy: PhaseResult;
  /** IVS resources the fake still holds at the end: 0 unless the destroy failed. */
  readonly leftOver: number;
}

/** Deploys `recordingStagesStack(stages)` (a storage configuration and a stage recording to it, per stage), then deletes it. */
export async function benchmarkDeploy(options: DeployBenchmarkOptions): Promise<DeployBenchmark> {
  const fake = await FakeIvsServer.start({ rateLimitPerSecond: options.rateLimitPerSecond });
  try {
    const stack = recordingStagesStack(options.stages);
    const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint, ...QUIET_SDK }, concurrency: options.concurrency });
    const phase = async (operation: () => Promise<LifecycleResult>): Promise<PhaseResult> => {
      const [requests, throttled, start] = [fake.calls.length, fake.throttledCount, performance.now()];
      const result = await operation();
      return {
        status: result.status,
        seconds: (performance.now() - start) / 1000,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        requests: fake.calls.length - requests,
        throttled: fake.throttledCount - throttled,
      };
    };
    const deploy = await phase(() => driver.deploy(stack));
    const destroy = await phase(() => driver.destroy());
    return { ...options, floorSeconds: options.stages / options.rateLimitPerSecond, deploy, destroy, leftOver: fake.resourceCount() };
  } finally {
    await fake.stop();
  }
}
