import { AsyncLocalStorage } from 'async_hooks';

/** Whether an attempt of the calls under way may have taken effect without the handler learning its answer. */
interface Attempts {
  unanswered: boolean;
}

const attempts = new AsyncLocalStorage<Attempts>();

/** Runs `calls`, telling whether an attempt of theirs may have taken effect unanswered (`noteAttemptFailure` saw one). */
export async function watchingAttempts<T>(calls: () => Promise<T>): Promise<{ result?: T; error?: unknown; unanswered: boolean }> {
  const watched: Attempts = { unanswered: false };
  try {
    return { result: await attempts.run(watched, calls), unanswered: watched.unanswered };
  } catch (error) {
    return { error, unanswered: watched.unanswered };
  }
}

/**
 * For the client's middleware, on each failed attempt: a server error or no answer at all (a reset connection, a timeout)
 * may come after IVS did the work; a refusal (4xx, throttling) does not.
 */
export function noteAttemptFailure(error: unknown): void {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) {
    const watched = attempts.getStore();
    if (watched) {
      watched.unanswered = true;
    }
  }
}
