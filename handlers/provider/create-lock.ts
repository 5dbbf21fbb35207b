import { setTimeout as sleep } from 'timers/promises';
import { timeLeft } from '../shared/deadline';
import { describeError } from '../shared/errors';
import { log } from '../shared/log';
import { HandlerLogStreams, STREAM_PREFIX } from './log-streams';

/**
 * One delivery at a time per create request. The same request delivered twice at once (CloudFormation's at-least-once
 * delivery, Lambda's asynchronous invocation under it) would otherwise find nothing by the create-request tag twice,
 * and create twice. IVS takes no client token and has no conditional write, so the lock is a stream of the handler's
 * log group named after the request's token (log-streams.ts).
 *
 * The holder keeps the stream once the request has made its resource: a later delivery finds that by its tag. It deletes
 * the stream only when the request failed with nothing made, so that a later delivery may try again (DeleteLogStream
 * allows 5 calls per second per account, CreateLogStream 50: CloudWatch Logs quotas).
 */
export class CreateLock {
  private readonly streams = new HandlerLogStreams();
  /** The tokens whose lock this delivery took: it may release only those. */
  private readonly held = new Set<string>();

  /**
   * Takes the lock of `token`'s request, or waits for the delivery that holds it: `found` (the request's resources by
   * their tag) is what the holder made, once it appears. Undefined when this delivery holds the lock and should create.
   */
  public async takeOrAwait(token: string, noun: string, found: () => Promise<string[]>): Promise<string[] | undefined> {
    while (!await this.take(token)) {
      const made = await found();
      if (made.length > 0) {
        return made;
      }
      if ((timeLeft() ?? 0) < 2 * POLL_MS) {
        throw new Error(`another delivery of this request is creating the ${noun}, and none appeared before the handler's time limit`);
      }
      await sleep(POLL_MS);
    }
    return undefined;
  }

  /** Lets a later delivery of the request create: this one failed with nothing made. */
  public async release(token: string): Promise<void> {
    if (this.held.delete(token)) {
      await this.streams.delete(lockName(token))
        .catch((error: unknown) => log('could not release the create-request lock', { token, error: describeError(error) }));
    }
  }

  private async take(token: string): Promise<boolean> {
    if (!this.streams.available) {
      return true;
    }
    try {
      if (await this.streams.create(lockName(token))) {
        this.held.add(token);
        return true;
      }
      log('another delivery of this request holds its create-request lock: waiting for what it creates', { token });
      return false;
    } catch (error) {
      // the lock only guards against a rare race: a create goes ahead without it rather than fail (the log says so).
      log('could not take the create-request lock: creating without it', { token, error: describeError(error) });
      return true;
    }
  }
}

/** How often a delivery waiting for another looks for what that one made. */
const POLL_MS = 1000;

function lockName(token: string): string {
  return `${STREAM_PREFIX}create-request/${token}`;
}
