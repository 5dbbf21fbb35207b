import { AsyncLocalStorage } from 'async_hooks';

/** When the handler answers the request under way (ms since the epoch), whatever its work has done by then. */
const answerAt = new AsyncLocalStorage<number>();

/** Runs `work` for a request the handler answers at `deadline`: the work can ask `timeLeft()` to give up in time. */
export function runUntil<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  return answerAt.run(deadline, work);
}

/** Milliseconds until the handler answers the request under way; undefined when it has no deadline (no Lambda context). */
export function timeLeft(): number | undefined {
  const deadline = answerAt.getStore();
  return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
}
