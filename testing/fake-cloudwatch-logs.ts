/**
 * A local fake of the CloudWatch Logs operations the handler calls on log streams, CreateLogStream and DeleteLogStream
 * (its create-request locks), plus DescribeLogStreams, on 127.0.0.1: the awsJson1.1 wire format (`X-Amz-Target:
 * Logs_20140328.<Operation>`), so the real `@aws-sdk/client-cloudwatch-logs` runs unchanged against it
 * (`AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`). The lifecycle driver starts one and points every function at it.
 *
 * Log groups exist only once made: by `createLogGroup(name)`, or by `mirror()` when the lifecycle driver creates an
 * `AWS::Logs::LogGroup` (deleting it deletes its streams, as CloudFormation's delete of the group does). As in CloudWatch
 * Logs, a stream name is created once per group (ResourceAlreadyExistsException after), a stream of a group that does not
 * exist is ResourceNotFoundException, and each operation has its default quota per account in any sliding second
 * (CreateLogStream 50, DeleteLogStream 5, DescribeLogStreams 5: the CloudWatch Logs quotas page); the excess gets
 * ThrottlingException. What the functions print is not kept here.
 *
 * Test API: `streams(group)`, `calls`, `injectFault({ operation?, errorType, times? })` (consumed first-match-first;
 * ServiceUnavailableException answers 500), `setRateLimits('service' | 'none')`, `reset()`.
 */
import { ServerResponse } from 'node:http';
import { JsonServiceError, JsonTargetServer } from './json-target-server';
import type { FakeResourceEvent } from './lifecycle-driver';
import { RateWindow } from './rate-window';

export type CloudWatchLogsOperation = 'CreateLogStream' | 'DeleteLogStream' | 'DescribeLogStreams';

export interface CloudWatchLogsCall {
  readonly operation: string;
  readonly logGroupName: string;
  readonly logStreamName?: string;
  status: number;
  errorType?: string;
}

export interface CloudWatchLogsFault {
  /** @default - any operation */
  readonly operation?: CloudWatchLogsOperation;
  readonly errorType: string;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

/** Requests per second per account, by operation: the CloudWatch Logs quotas page's defaults. */
const SERVICE_QUOTAS: Record<CloudWatchLogsOperation, number> = { CreateLogStream: 50, DeleteLogStream: 5, DescribeLogStreams: 5 };

class LogsError extends JsonServiceError {
  constructor(errorType: string, message: string) {
    super(errorType, message, errorType === 'ServiceUnavailableException' ? 500 : 400);
  }
}

export class FakeCloudWatchLogs extends JsonTargetServer {
  static async start(): Promise<FakeCloudWatchLogs> {
    const fake = new FakeCloudWatchLogs();
    await fake.listen();
    return fake;
  }

  readonly calls: CloudWatchLogsCall[] = [];
  /** The streams of each log group, by group name. */
  private readonly groups = new Map<string, Set<string>>();
  private faults: (CloudWatchLogsFault & { remaining: number })[] = [];
  private rateLimited = true;
  private readonly rateWindow = new RateWindow();

  private readonly operations: Record<CloudWatchLogsOperation, (input: Record<string, any>) => object> = {
    CreateLogStream: (input) => {
      const streams = this.group(input.logGroupName);
      if (streams.has(input.logStreamName)) {
        throw new LogsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      }
      streams.add(input.logStreamName);
      return {};
    },
    DeleteLogStream: (input) => {
      if (!this.group(input.logGroupName).delete(input.logStreamName)) {
        throw new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');
      }
      return {};
    },
    DescribeLogStreams: (input) => ({
      logStreams: [...this.group(input.logGroupName)]
        .filter((name) => name.startsWith(input.logStreamNamePrefix ?? ''))
        .sort()
        .map((logStreamName) => ({ logStreamName })),
    }),
  };

  private constructor() {
    super('Logs_20140328', 'ServiceUnavailableException');
  }

  createLogGroup(name: string): void {
    this.groups.set(name, this.groups.get(name) ?? new Set());
  }

  /** Deletes the group with its streams. */
  deleteLogGroup(name: string): void {
    this.groups.delete(name);
  }

  /** The lifecycle driver's `onFakeResource` hook: an `AWS::Logs::LogGroup` it creates or deletes is made or deleted here. */
  mirror(event: FakeResourceEvent): void {
    if (event.type !== 'AWS::Logs::LogGroup') {
      return;
    }
    if (event.requestType === 'Create') {
      this.createLogGroup(event.physicalId);
    } else {
      this.deleteLogGroup(event.physicalId);
    }
  }

  /** The names of a group's streams (none for a group that does not exist). */
  streams(logGroupName: string): string[] {
    return [...this.groups.get(logGroupName) ?? []];
  }

  injectFault(fault: CloudWatchLogsFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** 'service': the default quotas (the default); 'none': no throttling. */
  setRateLimits(limits: 'service' | 'none'): void {
    this.rateLimited = limits === 'service';
    this.rateWindow.clear();
  }

  reset(): void {
    this.groups.clear();
    this.calls.length = 0;
    this.faults = [];
    this.rateLimited = true;
    this.rateWindow.clear();
  }

  protected async serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void> {
    const call: CloudWatchLogsCall = { operation, logGroupName: input.logGroupName, logStreamName: input.logStreamName, status: 0 };
    this.calls.push(call);
    this.answer(call, response, () => this.invoke(operation, input));
  }

  private invoke(operation: string, input: Record<string, any>): object {
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && (candidate.operation ?? operation) === operation);
    if (fault) {
      fault.remaining--;
      throw new LogsError(fault.errorType, `Injected fault: ${fault.errorType}`);
    }
    const run = this.operations[operation as CloudWatchLogsOperation];
    if (!run) {
      throw new LogsError('InvalidOperationException', `the fake does not implement ${operation}`);
    }
    if (this.isThrottled(operation as CloudWatchLogsOperation)) {
      throw new LogsError('ThrottlingException', 'Rate exceeded');
    }
    return run(input);
  }

  private isThrottled(operation: CloudWatchLogsOperation): boolean {
    return !this.rateWindow.admit(operation, this.rateLimited ? SERVICE_QUOTAS[operation] : undefined);
  }

  private group(name: string): Set<string> {
    const streams = this.groups.get(name);
    if (!streams) {
      throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    return streams;
  }
}
