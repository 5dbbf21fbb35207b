/**
 * A local fake of the Secrets Manager operations the handler calls, PutSecretValue and GetSecretValue, on 127.0.0.1:
 * the awsJson1.1 wire format (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`, errors as `{"__type", "message"}`
 * with status 400, or 500 for a server error), so the real `@aws-sdk/client-secrets-manager` client runs unchanged
 * against it.
 *
 * Secrets exist only once `defineSecret(arn)` made them (as CloudFormation does before the ingest configuration);
 * a call for any other ARN answers ResourceNotFoundException, unless the fake started with `{ anySecret: true }`: the
 * lifecycle driver does not run CloudFormation's own resources, so there every secret of the template counts as made.
 * A secret starts with the construct's placeholder, `{}`, as CloudFormation creates it; `values` holds the string each
 * secret was last put. As in Secrets Manager, each put makes a new version labelled AWSCURRENT and moves AWSPREVIOUS to
 * the version that was current; GetSecretValue reads either label (AWSCURRENT by default).
 *
 * Faults, consumed first-matching-first, one per request: `injectFault({ operation?, errorType, times? })` answers the
 * error instead (ThrottlingException and InternalServiceError are retried by the SDK); `injectDelay({ operation?,
 * delayMs, times? })` answers late, after the request took effect, as a slow service that did act does: a client that
 * gives up first cannot tell whether it did. `calls` logs every request (operation, secret, status).
 */
import { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerJson, JsonTargetServer } from './json-target-server';

export type SecretsManagerOperation = 'PutSecretValue' | 'GetSecretValue';

export interface SecretsManagerFault {
  /** @default - any operation */
  readonly operation?: SecretsManagerOperation;
  readonly errorType: string;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

export interface SecretsManagerDelay {
  /** @default - any operation */
  readonly operation?: SecretsManagerOperation;
  readonly delayMs: number;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

export interface SecretsManagerCall {
  readonly operation: string;
  readonly secretId: string;
  /** 0 while the answer is held back. */
  status: number;
}

/** The status of each error type the fake answers, as Secrets Manager's: server errors 500, the rest 400. */
const SERVER_ERRORS = new Set(['InternalServiceError']);

interface Version {
  readonly versionId: string;
  readonly secretString: string;
}

interface PutSecretValueInput {
  readonly SecretId: string;
  readonly SecretString: string;
  readonly ClientRequestToken?: string;
}

interface GetSecretValueInput {
  readonly SecretId: string;
  readonly VersionStage?: string;
}

interface PendingFault {
  readonly operation?: SecretsManagerOperation;
  readonly errorType?: string;
  readonly delayMs: number;
  remaining: number;
}

export class FakeSecretsManager extends JsonTargetServer {
  static async start(options: { anySecret?: boolean } = {}): Promise<FakeSecretsManager> {
    const fake = new FakeSecretsManager(options.anySecret ?? false);
    await fake.listen();
    return fake;
  }

  /** Current `SecretString` of each secret, by ARN: `undefined` until something is put (the placeholder is current then). */
  readonly values = new Map<string, string | undefined>();
  /** How many versions were put, by ARN. */
  readonly versionCounts = new Map<string, number>();
  readonly calls: SecretsManagerCall[] = [];
  /** The AWSPREVIOUS version of each secret that has one. */
  private readonly previous = new Map<string, Version>();
  private readonly current = new Map<string, Version>();
  private faults: PendingFault[] = [];

  private constructor(private readonly anySecret: boolean) {
    super('secretsmanager', 'InternalServiceError');
  }

  defineSecret(arn: string): void {
    this.values.set(arn, undefined);
    this.versionCounts.set(arn, 0);
    this.current.set(arn, { versionId: 'cloudformation-initial', secretString: '{}' });
  }

  injectFault(fault: SecretsManagerFault): void {
    this.faults.push({ operation: fault.operation, errorType: fault.errorType, delayMs: 0, remaining: fault.times ?? 1 });
  }

  injectDelay(delay: SecretsManagerDelay): void {
    this.faults.push({ operation: delay.operation, delayMs: delay.delayMs, remaining: delay.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Whether every request has been answered (a delayed one included). */
  get settled(): boolean {
    return this.calls.every((call) => call.status !== 0);
  }

  reset(): void {
    this.values.clear();
    this.versionCounts.clear();
    this.previous.clear();
    this.current.clear();
    this.calls.length = 0;
    this.clearFaults();
  }

  protected async serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void> {
    const call: SecretsManagerCall = { operation, secretId: input.SecretId, status: 0 };
    this.calls.push(call);
    const reply = (status: number, body: object) => {
      call.status = status;
      answerJson(response, status, body);
    };
    if (operation !== 'PutSecretValue' && operation !== 'GetSecretValue') {
      return reply(400, { __type: 'UnknownOperationException', message: `the fake does not implement ${operation}` });
    }
    const fault = this.takeFault(operation);
    if (fault?.errorType) {
      return reply(SERVER_ERRORS.has(fault.errorType) ? 500 : 400, { __type: fault.errorType, message: `Injected fault: ${fault.errorType}` });
    }
    if (this.anySecret && !this.values.has(input.SecretId)) {
      this.defineSecret(input.SecretId);
    }
    if (!this.values.has(input.SecretId)) {
      return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    const body = operation === 'PutSecretValue' ? this.put(input as PutSecretValueInput) : this.get(input as GetSecretValueInput);
    // the request has taken effect; only its answer is late.
    if (fault) {
      await sleep(fault.delayMs);
    }
    return 'message' in body ? reply(400, body) : reply(200, body);
  }

  private takeFault(operation: SecretsManagerOperation): PendingFault | undefined {
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && (candidate.operation ?? operation) === operation);
    if (fault) {
      fault.remaining--;
    }
    return fault;
  }

  private put(input: PutSecretValueInput): object {
    const arn = input.SecretId;
    const count = this.versionCounts.get(arn)! + 1;
    const version = { versionId: input.ClientRequestToken ?? `version-${count}`, secretString: input.SecretString };
    const current = this.current.get(arn);
    if (current) {
      this.previous.set(arn, current);
    }
    this.current.set(arn, version);
    this.values.set(arn, input.SecretString);
    this.versionCounts.set(arn, count);
    return { ARN: arn, VersionId: version.versionId, VersionStages: ['AWSCURRENT'] };
  }

  private get(input: GetSecretValueInput): object {
    const stage = input.VersionStage ?? 'AWSCURRENT';
    const version = stage === 'AWSCURRENT' ? this.current.get(input.SecretId)
      : stage === 'AWSPREVIOUS' ? this.previous.get(input.SecretId) : undefined;
    if (!version) {
      return { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret value for staging label: ${stage}` };
    }
    return { ARN: input.SecretId, VersionId: version.versionId, SecretString: version.secretString, VersionStages: [stage] };
  }
}
