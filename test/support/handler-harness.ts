import { CREATE_REQUEST_TAG } from '../../handlers/provider/create-request';
import { CustomResourceEvent } from '../../handlers/provider/event';
import { sweepRuleName } from '../../lib/private/deferred-deletes-contract';
import { CREATE_REQUESTS_TABLE_VARIABLE } from '../../lib/private/provider-contract';
import { FakeDynamoDb } from '../../testing/fake-dynamodb';
import { FakeEventBridge } from '../../testing/fake-eventbridge';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { FakeKms } from '../../testing/fake-kms';
import { FakeSecretsManager } from '../../testing/fake-secrets-manager';
import { stringifyScalars } from '../../testing/lifecycle/intrinsics';

/** What `useFake` needs of a local fake: its endpoint, and a way to empty and to stop it. */
interface LocalFake {
  readonly endpoint: string;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Runs the test file's handlers against a fake started before the first test (the handlers' SDK clients are created
 * on first use and kept, so its endpoint, in `endpointVariable`, must be set by then) and emptied after each test.
 * Returns a getter for the fake.
 */
function useFake<Fake extends LocalFake>(start: () => Promise<Fake>, endpointVariable: string): () => Fake {
  let fake: Fake | undefined;
  beforeAll(async () => {
    fake = await start();
    process.env[endpointVariable] = fake.endpoint;
  });
  afterEach(() => fake?.reset());
  afterAll(async () => {
    await fake?.stop();
  });
  return () => fake!;
}

/**
 * `useFake` of one fake IVS Real-Time server, and the region and credentials the handler's client reads; its one-line logs
 * are silenced. The handler keeps its create requests in a fake DynamoDB table and arms the sweep in a fake EventBridge, as
 * the provider's function does (`useCreateRequests`, `useSweepSchedule`).
 */
export function useFakeIvs(): () => FakeIvsServer {
  const fake = useFake(() => FakeIvsServer.start(), 'AWS_ENDPOINT_URL_IVS_REALTIME');
  tableInUse = useCreateRequests();
  rulesInUse = useSweepSchedule();
  beforeAll(() => {
    process.env.AWS_REGION = fake().region;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  });
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  return fake;
}

/** The table the handler keeps its create requests in (`CREATE_REQUESTS_TABLE`), emptied after each test. */
export function useCreateRequests(): () => FakeDynamoDb {
  const fake = useFake(() => FakeDynamoDb.start(), 'AWS_ENDPOINT_URL_DYNAMODB');
  const table = () => {
    fake().createTable(CREATE_REQUESTS_TABLE, 'token');
    process.env[CREATE_REQUESTS_TABLE_VARIABLE] = CREATE_REQUESTS_TABLE;
  };
  beforeAll(table);
  afterEach(table);
  return fake;
}

/** The stack's sweep schedule (`sweepRuleName(STACK_ID)`), disabled, as the provider defines it; made again after each test. */
export function useSweepSchedule(): () => FakeEventBridge {
  const fake = useFake(() => FakeEventBridge.start(), 'AWS_ENDPOINT_URL_EVENTBRIDGE');
  const rule = () => fake().putRule(sweepRuleName(STACK_ID), { state: 'DISABLED', scheduleExpression: 'rate(5 minutes)' });
  beforeAll(rule);
  afterEach(rule);
  return fake;
}

/** The handler's create-request table, as the provider names it in its environment. */
export const CREATE_REQUESTS_TABLE = 'create-requests';

let tableInUse: (() => FakeDynamoDb) | undefined;
let rulesInUse: (() => FakeEventBridge) | undefined;

/** The DynamoDB of the test file's `useFakeIvs`, holding the create-request table. */
export function createRequestsDynamoDb(): FakeDynamoDb {
  return tableInUse!();
}

/** The EventBridge of the test file's `useFakeIvs`, holding the stack's sweep schedule (`sweepRuleName(STACK_ID)`). */
export function sweepEventBridge(): FakeEventBridge {
  return rulesInUse!();
}

export function useFakeSecretsManager(): () => FakeSecretsManager {
  return useFake(() => FakeSecretsManager.start(), 'AWS_ENDPOINT_URL_SECRETS_MANAGER');
}

export function useFakeKms(): () => FakeKms {
  return useFake(() => FakeKms.start(), 'AWS_ENDPOINT_URL_KMS');
}

/** The operations the fake received after its call log had `since` entries: what one step of a test called. */
export function operationsSince(fake: FakeIvsServer, since: number): string[] {
  return fake.calls.slice(since).map((call) => call.operation);
}

/**
 * The wire-contract properties of one custom resource: `Request` as the object the construct renders (sent as its JSON
 * text, as `Stack.toJsonString` renders it), `Tags` and the handler's settings.
 */
export type ResourceProperties = Record<string, unknown>;

const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:TestStack-ProviderframeworkonEvent';
export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/11111111-2222-3333-4444-555555555555';
let requests = 0;

/**
 * Custom resource events for a handler test, shaped as the Provider framework passes CloudFormation's requests
 * to onEvent: `ServiceToken` included and every scalar of the properties turned into a string.
 */
export class CustomResourceEvents {
  constructor(private readonly resourceType: string, private readonly logicalResourceId = 'Resource') {}

  public create(properties: ResourceProperties): CustomResourceEvent {
    return this.event('Create', properties);
  }

  public update(physicalResourceId: string, properties: ResourceProperties, oldProperties: ResourceProperties): CustomResourceEvent {
    return { ...this.event('Update', properties), PhysicalResourceId: physicalResourceId, OldResourceProperties: asSent(oldProperties) };
  }

  public delete(physicalResourceId: string, properties: ResourceProperties): CustomResourceEvent {
    return { ...this.event('Delete', properties), PhysicalResourceId: physicalResourceId };
  }

  private event(requestType: CustomResourceEvent['RequestType'], properties: ResourceProperties): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResourceType: this.resourceType,
      LogicalResourceId: this.logicalResourceId,
      RequestId: `request-${++requests}`,
      StackId: STACK_ID,
      ResourceProperties: asSent(properties),
    };
  }
}

function asSent(properties: ResourceProperties): Record<string, any> {
  const { Request: request, ...others } = properties;
  const encoded = request === undefined ? {} : { Request: typeof request === 'string' ? request : JSON.stringify(request) };
  return stringifyScalars({ ServiceToken: SERVICE_TOKEN, ...others, ...encoded }) as Record<string, any>;
}

/** A created resource's tags as IVS holds them: `tags`, and the token of the request that created it. */
export function withCreateRequest(tags: Record<string, string>): Record<string, unknown> {
  return { ...tags, [CREATE_REQUEST_TAG]: expect.any(String) };
}
