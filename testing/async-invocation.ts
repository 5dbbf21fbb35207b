/**
 * Lambda's asynchronous invocation, the way an EventBridge rule's target runs a function, for a function of a stack the
 * lifecycle driver deployed: its code from the cloud assembly and its deployed (resolved) settings, run by a
 * `LambdaRuntime`; after a function error, retried as many times as its `AWS::Lambda::EventInvokeConfig` says
 * (`MaximumRetryAttempts`, else Lambda's default of 2), then sent to its `DeadLetterConfig` target if it has one, else
 * dropped. (Lambda waits about one, then two minutes between the attempts; here they follow one another.)
 */
import { randomUUID } from 'crypto';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvokeOutcome, LambdaRuntime } from './lifecycle/lambda-runtime';
import { LifecycleDriver } from './lifecycle-driver';

/** Lambda's retries of an asynchronous invocation that fails, without an EventInvokeConfig. */
const DEFAULT_RETRY_ATTEMPTS = 2;

export interface AsyncInvocation {
  /** Each attempt's outcome, the first included. */
  readonly attempts: readonly InvokeOutcome[];
  /** Where the event went after the last attempt failed: the dead-letter target's ARN; undefined if an attempt succeeded. */
  readonly deadLetteredTo?: string;
}

export interface AsyncInvokerOptions {
  readonly region: string;
  readonly env: Record<string, string>;
  /** The `Date` the functions see. @default - the host's */
  readonly date?: DateConstructor;
}

export class AsyncInvoker {
  /** The events each dead-letter target received, by its ARN, to redrive them. */
  public readonly deadLetters = new Map<string, unknown[]>();
  private readonly runtime: LambdaRuntime;

  /** `driver` deployed the stack whose functions are invoked; `env` goes over each function's own environment (the fakes' endpoints). */
  constructor(private readonly driver: LifecycleDriver, options: AsyncInvokerOptions) {
    this.runtime = new LambdaRuntime({ region: options.region, env: options.env, timeoutScale: 1, date: options.date });
  }

  public async invoke(fn: lambda.IFunction, event: unknown): Promise<AsyncInvocation> {
    return this.invokeResource(this.driver.logicalIdOf(fn), event);
  }

  /** One synchronous invocation (`RequestResponse`) of the function with this logical ID: no retries. */
  public async invokeOnce(logicalId: string, event: unknown): Promise<InvokeOutcome> {
    return this.runtime.invoke(this.driver.deployedFunction(logicalId), event);
  }

  /** `invoke`, of the function with this logical ID. */
  public async invokeResource(logicalId: string, event: unknown): Promise<AsyncInvocation> {
    const deployed = this.driver.deployedFunction(logicalId);
    const attempts: InvokeOutcome[] = [];
    // Lambda's retries of an asynchronous invocation keep its request ID (the context's `awsRequestId`): so its logs show;
    // unconfirmed, the Lambda documentation does not say.
    const requestId = randomUUID();
    for (let attempt = 0; attempt <= this.retryAttempts(deployed.functionName); attempt++) {
      const outcome = await this.runtime.invoke(deployed, event, requestId);
      attempts.push(outcome);
      if (outcome.ok) {
        return { attempts };
      }
    }
    const target = (this.driver.resolvedProperties(logicalId) as any).DeadLetterConfig?.TargetArn as string | undefined;
    if (target) {
      this.deadLetters.set(target, [...this.deadLetters.get(target) ?? [], event]);
    }
    return { attempts, deadLetteredTo: target };
  }

  private retryAttempts(functionName: string): number {
    const configs = Object.entries(this.driver.template?.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::EventInvokeConfig')
      .map(([id]) => this.driver.resolvedProperties(id) as any)
      .filter((config) => config.FunctionName === functionName);
    return configs[0]?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
  }
}
