/**
 * Deploying a few recording stages into accounts of different sizes: does what the account already holds (other apps'
 * stages and storage configurations) cost the deploy anything? The deploy of `bench/deploy.ts`, at IVS Real-Time's own
 * request rate quotas, once per account size.
 */
import { benchmarkDeploy, DeployBenchmark, ExistingResources } from './deploy';

export interface AccountBenchmarkOptions {
  /** Recording stages the stack deploys (each with its storage configuration). */
  readonly stages: number;
  /** Resources of each type the account holds before, one deploy each (e.g. 0 and 1,000). */
  readonly accountSizes: readonly number[];
  /** Custom resource operations the driver runs at once. */
  readonly concurrency: number;
  /**
   * Stages the account may hold. The fake enforces no stage quota; the account is seeded with fewer stages so that it
   * holds at most this many once the stack is deployed, as an account at a quota of this size could. @default 1000
   */
  readonly stageQuota?: number;
}

export interface AccountRun {
  readonly accountSize: number;
  readonly existing: ExistingResources;
  readonly result: DeployBenchmark;
}

/** Within this multiple of the rate floor, the deploy is as fast as the quotas allow (issue #20's target). */
export const ACCOUNT_TARGET_RATIO = 1.2;
export const DEFAULT_STAGE_QUOTA = 1000;

/** What an account of `size` holds before a deploy of `stages`: `size` storage configurations, and stages within the quota. */
export function existingResources(size: number, stages: number, stageQuota = DEFAULT_STAGE_QUOTA): ExistingResources {
  return { stages: Math.max(0, Math.min(size, stageQuota - stages)), storageConfigurations: size };
}

/** One deploy and delete per account size, one after the other, at IVS's rate quotas ('service'). */
export async function benchmarkAccounts(options: AccountBenchmarkOptions): Promise<AccountRun[]> {
  const runs: AccountRun[] = [];
  for (const accountSize of options.accountSizes) {
    const existing = existingResources(accountSize, options.stages, options.stageQuota);
    const result = await benchmarkDeploy({ stages: options.stages, concurrency: options.concurrency, rateLimits: 'service', existing });
    runs.push({ accountSize, existing, result });
  }
  return runs;
}

/** Whether every deploy succeeded within `ratio` of its rate floor. */
export function accountTargetMet(runs: readonly AccountRun[], ratio = ACCOUNT_TARGET_RATIO): boolean {
  return runs.every(({ result }) => result.deploy.status === 'SUCCEEDED' && result.deploy.seconds <= ratio * result.deploy.floorSeconds);
}
