/**
 * A local fake of the one Secrets Manager operation the handler calls, PutSecretValue, on 127.0.0.1: the
 * awsJson1.1 wire format (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`, errors as `{"__type", "message"}`
 * with status 400), so the real `@aws-sdk/client-secrets-manager` client runs unchanged against it.
 *
 * Secrets exist only once `defineSecret(arn)` made them (as CloudFormation does before the ingest configuration);
 * a put to any other ARN answers ResourceNotFoundException, unless the fake started with `{ anySecret: true }`: the
 * lifecycle driver does not run CloudFormation's own resources, so there every secret of the template counts as made.
 * `values` holds each secret's current string.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export class FakeSecretsManager {
  static async start(options: { anySecret?: boolean } = {}): Promise<FakeSecretsManager> {
    const fake = new FakeSecretsManager(options.anySecret ?? false);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Current `SecretString` of each secret, by ARN: `undefined` until something is put. */
  readonly values = new Map<string, string | undefined>();
  /** How many versions were put, by ARN. */
  readonly versionCounts = new Map<string, number>();
  // a bug in the fake must fail the test, not hang the client.
  private readonly server: Server = createServer((request, response) => this.serve(request, response)
    .catch((error: Error) => answer(response, 500, { __type: 'InternalServiceError', message: `fake failed: ${error.stack}` })));

  private constructor(private readonly anySecret: boolean) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  defineSecret(arn: string): void {
    this.values.set(arn, undefined);
    this.versionCounts.set(arn, 0);
  }

  reset(): void {
    this.values.clear();
    this.versionCounts.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const target = request.headers['x-amz-target'];
    if (target !== 'secretsmanager.PutSecretValue') {
      return answer(response, 400, { __type: 'UnknownOperationException', message: `the fake does not implement ${target}` });
    }
    if (this.anySecret && !this.values.has(input.SecretId)) {
      this.defineSecret(input.SecretId);
    }
    if (!this.values.has(input.SecretId)) {
      return answer(response, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    this.values.set(input.SecretId, input.SecretString);
    this.versionCounts.set(input.SecretId, this.versionCounts.get(input.SecretId)! + 1);
    answer(response, 200, { ARN: input.SecretId, VersionId: input.ClientRequestToken, VersionStages: ['AWSCURRENT'] });
  }
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

/**
 * Runs the test file's handler against a fake Secrets Manager, started before the first test (the handler's client
 * is created on first use and kept, so its endpoint must be set by then) and emptied after each test.
 */
export function useFakeSecretsManager(): () => FakeSecretsManager {
  let fake: FakeSecretsManager | undefined;
  beforeAll(async () => {
    fake = await FakeSecretsManager.start();
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.endpoint;
  });
  afterEach(() => fake?.reset());
  afterAll(async () => {
    await fake?.stop();
  });
  return () => fake!;
}
