/**
 * A local fake of the EventBridge operations EnableRule, DisableRule, DescribeRule and PutEvents, on 127.0.0.1: the
 * awsJson1.1 wire format (`X-Amz-Target: AWSEvents.<Operation>`), so the real `@aws-sdk/client-eventbridge` runs
 * unchanged against it (`AWS_ENDPOINT_URL_EVENTBRIDGE`, or `endpoint` in its config).
 *
 * Rules exist only once made: by `putRule(name, { state?, scheduleExpression? })`, or by `mirror()` when the lifecycle
 * driver creates an `AWS::Events::Rule` (its physical ID, which `Ref` gives, is the rule name: the template's `Name`,
 * else a generated one; its state the template's `State`, ENABLED by default; deleting it deletes the rule). Only the
 * default event bus is modelled: a rule on another bus is not mirrored, and a request naming another bus is
 * ValidationException. A rule that does not exist is ResourceNotFoundException; any other operation is
 * ValidationException naming it. No request rate is enforced.
 *
 * PutEvents keeps each entry as the event EventBridge would deliver (`putEvents`), for a `LocalDeployment` to deliver
 * to its rules; an entry without `Source`, `DetailType` or a JSON object `Detail` fails (in `Entries`, as EventBridge
 * answers it), the others are accepted.
 *
 * Test API: `rule(name)`, `putEvents`, `calls`, `injectFault({ operation?, errorType, times? })` (consumed
 * first-match-first; InternalException answers 500), `reset()`.
 */
import { randomUUID } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { InjectedFaults, JsonServiceError, JsonTargetServer } from './json-target-server';
import type { FakeResourceEvent } from './lifecycle-driver';

export type EventBridgeOperation = 'EnableRule' | 'DisableRule' | 'DescribeRule' | 'PutEvents';

export interface EventBridgeCall {
  readonly operation: string;
  /** The rule named (none for PutEvents). */
  readonly ruleName?: string;
  status: number;
  errorType?: string;
}

export interface EventBridgeFault {
  /** @default - any operation */
  readonly operation?: EventBridgeOperation;
  /** e.g. 'ThrottlingException', 'ConcurrentModificationException' (400), 'InternalException' (500). */
  readonly errorType: string;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

/** An event a PutEvents entry put on the default bus, as EventBridge delivers it to a rule's target. */
export interface PutEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': string;
  readonly 'source': string;
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': Record<string, unknown>;
}

export interface FakeRule {
  /** ENABLED or DISABLED (or another state EventBridge has, as put). */
  state: string;
  readonly scheduleExpression?: string;
}

class EventBridgeError extends JsonServiceError {
  constructor(errorType: string, message: string) {
    super(errorType, message, errorType === 'InternalException' ? 500 : 400);
  }
}

const DEFAULT_BUS = 'default';

export class FakeEventBridge extends JsonTargetServer {
  static async start(options: { region?: string; accountId?: string } = {}): Promise<FakeEventBridge> {
    const fake = new FakeEventBridge(options.region ?? 'us-east-1', options.accountId ?? '123456789012');
    await fake.listen();
    return fake;
  }

  readonly calls: EventBridgeCall[] = [];
  /** Every event PutEvents accepted, in order. */
  readonly putEvents: PutEvent[] = [];
  private readonly rules = new Map<string, FakeRule>();
  private readonly faults = new InjectedFaults<EventBridgeOperation>();

  private readonly operations: Record<Exclude<EventBridgeOperation, 'PutEvents'>, (name: string) => object> = {
    EnableRule: (name) => {
      this.existingRule(name).state = 'ENABLED';
      return {};
    },
    DisableRule: (name) => {
      this.existingRule(name).state = 'DISABLED';
      return {};
    },
    DescribeRule: (name) => {
      const { state, scheduleExpression } = this.existingRule(name);
      return {
        Name: name,
        Arn: `arn:aws:events:${this.region}:${this.accountId}:rule/${name}`,
        State: state,
        EventBusName: DEFAULT_BUS,
        ...(scheduleExpression === undefined ? {} : { ScheduleExpression: scheduleExpression }),
      };
    },
  };

  private constructor(readonly region: string, readonly accountId: string) {
    super('AWSEvents', 'InternalException');
  }

  /** Makes the rule, or replaces it, as PutRule does. */
  putRule(name: string, options: { state?: string; scheduleExpression?: string } = {}): void {
    this.rules.set(name, { state: options.state ?? 'ENABLED', scheduleExpression: options.scheduleExpression });
  }

  deleteRule(name: string): void {
    this.rules.delete(name);
  }

  /**
   * The lifecycle driver's `onFakeResource` hook: an `AWS::Events::Rule` on the default bus it creates or deletes is made
   * or deleted here.
   * @internal
   */
  mirror(event: FakeResourceEvent): void {
    const properties = event.properties as { State?: string; ScheduleExpression?: string; EventBusName?: string };
    if (event.type !== 'AWS::Events::Rule' || (properties.EventBusName ?? DEFAULT_BUS) !== DEFAULT_BUS) {
      return;
    }
    if (event.requestType === 'Create') {
      this.putRule(event.physicalId, { state: properties.State, scheduleExpression: properties.ScheduleExpression });
    } else {
      this.deleteRule(event.physicalId);
    }
  }

  /** The rule as it is now, or undefined when it does not exist. */
  rule(name: string): FakeRule | undefined {
    const rule = this.rules.get(name);
    return rule && { ...rule };
  }

  injectFault(fault: EventBridgeFault): void {
    this.faults.add(fault);
  }

  reset(): void {
    this.rules.clear();
    this.calls.length = 0;
    this.putEvents.length = 0;
    this.faults.clear();
  }

  protected async serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void> {
    const call: EventBridgeCall = { operation, ruleName: input.Name, status: 0 };
    this.calls.push(call);
    this.answer(call, response, () => this.invoke(operation, input));
  }

  private invoke(operation: string, input: Record<string, any>): object {
    const fault = this.faults.take(operation);
    if (fault) {
      throw new EventBridgeError(fault, `Injected fault: ${fault}`);
    }
    if (operation === 'PutEvents') {
      return this.put(input.Entries ?? []);
    }
    const run = this.operations[operation as Exclude<EventBridgeOperation, 'PutEvents'>];
    if (!run) {
      throw new EventBridgeError('ValidationException', `the fake EventBridge does not implement ${operation}`);
    }
    const bus = input.EventBusName ?? DEFAULT_BUS;
    if (bus !== DEFAULT_BUS && bus !== `arn:aws:events:${this.region}:${this.accountId}:event-bus/${DEFAULT_BUS}`) {
      throw new EventBridgeError('ValidationException', `the fake EventBridge models the default event bus only, not ${bus}`);
    }
    return run(input.Name);
  }

  private put(entries: Array<Record<string, any>>): object {
    if (entries.length < 1 || entries.length > 10) {
      throw new EventBridgeError('ValidationException', `PutEvents takes 1 to 10 entries, got ${entries.length}`);
    }
    for (const entry of entries) {
      const bus = entry.EventBusName ?? DEFAULT_BUS;
      if (bus !== DEFAULT_BUS && bus !== `arn:aws:events:${this.region}:${this.accountId}:event-bus/${DEFAULT_BUS}`) {
        throw new EventBridgeError('ValidationException', `the fake EventBridge models the default event bus only, not ${bus}`);
      }
    }
    const answers = entries.map((entry) => {
      const detail = parseDetail(entry.Detail);
      if (!entry.Source || !entry.DetailType || detail === undefined) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and a JSON object Detail are required' };
      }
      const id = randomUUID();
      this.putEvents.push({
        'version': '0',
        id,
        'detail-type': entry.DetailType,
        'source': entry.Source,
        'account': this.accountId,
        'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'region': this.region,
        'resources': entry.Resources ?? [],
        detail,
      });
      return { EventId: id };
    });
    return { FailedEntryCount: answers.filter((answer) => 'ErrorCode' in answer).length, Entries: answers };
  }

  private existingRule(name: string): FakeRule {
    const rule = this.rules.get(name);
    if (!rule) {
      throw new EventBridgeError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${DEFAULT_BUS}.`);
    }
    return rule;
  }
}

function parseDetail(detail: unknown): Record<string, unknown> | undefined {
  try {
    const parsed = typeof detail === 'string' ? JSON.parse(detail) : undefined;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
