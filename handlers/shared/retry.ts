import { isConflict } from './errors';

export interface ConflictRetryOptions {
  /** Attempts in all, including the first. */
  readonly attempts: number;
  /** Wait before the first retry; doubles after each. */
  readonly initialDelayMs: number;
}

/**
 * For deletes IVS refuses without a cause the handler can see (a stage's; a configuration's when no composition uses it
 * any more, as one that has just ended may still hold it for a few seconds): 1 + 2 + 4 s of waiting.
 */
export const DELETE_CONFLICT_RETRY: ConflictRetryOptions = { attempts: 4, initialDelayMs: 1000 };

/**
 * Retries a call while the service answers 409 Conflict, a bounded number of times.
 *
 * Some conflicts clear by themselves within seconds (a destination still held by a composition that is stopping). The
 * SDK does not retry 409s, so this does, then gives up with the last error. (Deletes of the configurations compositions
 * hold wait for those compositions instead: handlers/provider/deferred-deletes.ts.)
 */
export async function retryOnConflict<T>(call: () => Promise<T>, options: ConflictRetryOptions): Promise<T> {
  let delayMs = options.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isConflict(error) || attempt >= options.attempts) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }
}
