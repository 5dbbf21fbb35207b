import { setTimeout as sleep } from 'timers/promises';
import { CloudWatchLogsClient, CreateLogStreamCommand, DeleteLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { timeLeft } from '../shared/deadline';
import { describeError } from '../shared/errors';
import { log } from '../shared/log';

/**
 * One delivery at a time per create request. The same request delivered twice at once (CloudFormation's at-least-once
 * delivery, Lambda's asynchronous invocation under it) would otherwise find nothing by the create-request tag twice,
 * and create twice. IVS takes no client token and has no conditional write, so the lock is a log stream named after the
 * request's token in the handler's own log group: CloudWatch Logs creates a stream name once (then answers
 * ResourceAlreadyExistsException), and the stack deletes the group with its streams.
 *
 * The holder keeps the stream once the request has made its resource: a later delivery finds that by its tag. It deletes
 * the stream only when the request failed with nothing made, so that a later delivery may try again (DeleteLogStream
 * allows 5 calls per second per account, CreateLogStream 50: CloudWatch Logs quotas).
 */
export class CreateLock {
  /** `logGroupName` is the handler's (the Lambda context's): undefined outside Lambda, where every delivery goes ahead. */
  constructor(private readonly logGroupName: string | undefined) {}

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
    if (this.logGroupName === undefined) {
      return;
    }
    await logs().send(new DeleteLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: streamName(token) }))
      .catch((error: unknown) => log('could not release the create-request lock', { token, error: describeError(error) }));
  }

  private async take(token: string): Promise<boolean> {
    if (this.logGroupName === undefined) {
      return true;
    }
    try {
      await logs().send(new CreateLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: streamName(token) }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceAlreadyExistsException') {
        log('another delivery of this request holds its create-request lock: waiting for what it creates', { token });
        return false;
      }
      // the lock only guards against a rare race: a create goes ahead without it rather than fail (the log says so).
      log('could not take the create-request lock: creating without it', { token, error: describeError(error) });
      return true;
    }
  }
}

/** How often a delivery waiting for another looks for what that one made. */
const POLL_MS = 1000;

/** Distinct from the streams Lambda writes to (`<date>/[<version>]<id>`). */
function streamName(token: string): string {
  return `cdk-ivs-realtime/create-request/${token}`;
}

let client: CloudWatchLogsClient | undefined;

/** Its endpoint honours `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, which is how tests point it at a local fake. */
function logs(): CloudWatchLogsClient {
  client ??= new CloudWatchLogsClient({ maxAttempts: MAX_ATTEMPTS });
  return client;
}

/** The SDK's standard retries with a few more attempts: the quotas are the account's, shared with everything in it. */
const MAX_ATTEMPTS = 5;
