import {
  CloudWatchLogsClient, CreateLogStreamCommand, DeleteLogStreamCommand, paginateDescribeLogStreams,
} from '@aws-sdk/client-cloudwatch-logs';

/**
 * Streams the handler keeps state in, in its own log group beside the streams Lambda writes its logs to: the
 * create-request locks (create-lock.ts) and the marks of background looks for late creates (late-creates.ts). CloudWatch
 * Logs creates a stream name once (then answers ResourceAlreadyExistsException), which IVS, with no conditional write,
 * cannot offer; and the stack deletes the log group with its streams. The group is Lambda's `AWS_LAMBDA_LOG_GROUP_NAME`;
 * outside Lambda there is none, and nothing is kept.
 */
export class HandlerLogStreams {
  private readonly logGroupName = process.env.AWS_LAMBDA_LOG_GROUP_NAME;

  /** Whether there is a log group to keep streams in. */
  public get available(): boolean {
    return this.logGroupName !== undefined;
  }

  /** Creates the stream `name`: false if it exists already. */
  public async create(name: string): Promise<boolean> {
    try {
      await logs().send(new CreateLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: name }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceAlreadyExistsException') {
        return false;
      }
      throw error;
    }
  }

  public async delete(name: string): Promise<void> {
    await logs().send(new DeleteLogStreamCommand({ logGroupName: this.logGroupName, logStreamName: name }));
  }

  /** The streams whose name starts with `prefix`, with when each was created (ms since the epoch). */
  public async list(prefix: string): Promise<Array<{ readonly name: string; readonly createdAt: number }>> {
    const streams: Array<{ name: string; createdAt: number }> = [];
    for await (const page of paginateDescribeLogStreams({ client: logs() }, { logGroupName: this.logGroupName, logStreamNamePrefix: prefix })) {
      streams.push(...(page.logStreams ?? []).map((stream) => ({ name: stream.logStreamName!, createdAt: stream.creationTime ?? 0 })));
    }
    return streams;
  }
}

/** Where the handler's own streams are named: apart from Lambda's (`<date>/[<version>]<id>`). */
export const STREAM_PREFIX = 'cdk-ivs-realtime/';

let client: CloudWatchLogsClient | undefined;

/** Its endpoint honours `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, which is how tests point it at a local fake. */
function logs(): CloudWatchLogsClient {
  client ??= new CloudWatchLogsClient({ maxAttempts: MAX_ATTEMPTS });
  return client;
}

/** The SDK's standard retries with a few more attempts: the quotas are the account's, shared with everything in it. */
const MAX_ATTEMPTS = 5;
