import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { StandardRetryStrategy } from '@smithy/core/retry';

/**
 * Most IVS Real-Time calls are limited to about 5 per second per account, and CloudFormation deploys independent
 * resources in parallel, each from its own Lambda environment: in a large stack throttling is the normal case. With
 * the SDK's standard retries (10 attempts, waits growing to 20 s) one create in 400 still failed with 20 at a time
 * against 5 per second (test/reliability/scale.slow.ts); many shorter waits get every one through. Each wait is random
 * (full jitter), up to the SDK's base delay (1 s after throttling, 50 ms after a server error) doubled per attempt, at
 * most 2 s: 50 attempts take at most about 100 s, within the handler's 3 minutes. A longer cap leaves the quota unused
 * while the last few requests wait (`npm run bench -- account`: 40 stages deployed at 1.78× their rate floor with 5 s,
 * 1.1× with 2 s; IVS does not count a throttled request against its quota: unconfirmed, the fake does not).
 */
const MAX_ATTEMPTS = 50;
const MAX_DELAY_MS = 2000;
/**
 * An attempt that gets no answer within this is given up and retried (the SDK has no limit by default: a lost answer
 * would hold the handler until its deadline). IVS answers its control-plane calls well within it (unconfirmed: no
 * published latency figures).
 */
export const ATTEMPT_TIMEOUT_MS = 5000;

function backoff() {
  let base = 0;
  return {
    setDelayBase: (delayMs: number) => {
      base = delayMs;
    },
    computeNextBackoffDelay: (attempt: number) => Math.floor(Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** attempt)),
  };
}

let client: IVSRealTimeClient | undefined;

/**
 * The IVS Real-Time client, created on first use and reused while Lambda keeps the container.
 *
 * Its endpoint honours `AWS_ENDPOINT_URL_IVS_REALTIME`, which is how tests point it at a local fake.
 */
export function ivsClient(): IVSRealTimeClient {
  if (!client) {
    client = new IVSRealTimeClient({
      retryStrategy: new StandardRetryStrategy({ maxAttempts: MAX_ATTEMPTS, backoff: backoff() }),
      requestHandler: { requestTimeout: ATTEMPT_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  }
  return client;
}
