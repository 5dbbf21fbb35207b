/**
 * The provider's Lambda handler as shipped (`handlers/dist/provider/index.js`): bundle size, cold initialisation,
 * time per event against the bare SDK call it makes, and the API calls each kind of request costs.
 */
import { execFile } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { promisify } from 'util';
import { gzipSync } from 'zlib';
import { CreateStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { ResourceType } from '../lib/private/contract';
import { CREATE_REQUESTS_TABLE_VARIABLE } from '../lib/private/provider-contract';
import { CustomResourceEvents } from '../test/support/handler-harness';
import { FakeDynamoDb } from '../testing/fake-dynamodb';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeSecretsManager } from '../testing/fake-secrets-manager';
import { median } from './stats';

export const HANDLER_DIST = path.join(__dirname, '..', 'handlers', 'dist');
export const PROVIDER_BUNDLE = path.join(HANDLER_DIST, 'provider', 'index.js');

/** The provider's `onEvent` export: its work on a request, without the PUT of its answer to CloudFormation. */
export type Handler = (event: unknown, context: LambdaContext) => Promise<{ PhysicalResourceId: string }>;

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** The handler's timeout (`lib/private/provider.ts`), so a context reports the time a real invocation would have. */
const HANDLER_TIMEOUT_MS = 3 * 60 * 1000;

/** The stack's create-request table, where deliveries of a create request take turns (a record per create). */
export const BENCH_TABLE = 'cdk-ivs-realtime-bench-create-requests';

/** A fake DynamoDB with the handler's create-request table, as the provider's function has it. */
export async function startBenchTable(): Promise<FakeDynamoDb> {
  const dynamoDb = await FakeDynamoDb.start();
  dynamoDb.createTable(BENCH_TABLE, 'token');
  return dynamoDb;
}

/** A context like Lambda's for an invocation that starts now. */
export function lambdaContext(): LambdaContext {
  const deadline = Date.now() + HANDLER_TIMEOUT_MS;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

export interface BundleSize {
  readonly name: string;
  readonly bytes: number;
  /** Compressed, about what the asset's zip file weighs (Lambda's limit is 50 MB zipped, 250 MB unzipped). */
  readonly gzipBytes: number;
}

/** Every handler bundle the build made (`handlers/dist/<name>/index.js`). */
export function bundleSizes(dist = HANDLER_DIST): BundleSize[] {
  return readdirSync(dist, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map(({ name }) => {
    const source = readFileSync(path.join(dist, name, 'index.js'));
    return { name, bytes: source.length, gzipBytes: gzipSync(source).length };
  });
}

/**
 * The SDK warns, once per loaded copy, that its releases from 2027 need node 22; the benchmark loads the bundle afresh
 * many times, on whatever node runs it.
 */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** The environment the handler runs with against the fakes (the SDK honours `AWS_ENDPOINT_URL_<SERVICE>`). */
export function fakeAwsEnvironment(ivs: FakeIvsServer, secretsManager?: FakeSecretsManager, dynamoDb?: FakeDynamoDb): Record<string, string> {
  return {
    ...QUIET_SDK,
    AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint,
    ...(secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint } : {}),
    // with the table the provider names, where deliveries of a create request take turns.
    ...(dynamoDb ? { AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint, [CREATE_REQUESTS_TABLE_VARIABLE]: BENCH_TABLE } : {}),
    AWS_REGION: ivs.region,
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
  };
}

/**
 * Runs `work` with `env` set in `process.env`, then restores it. The bundle's SDK clients read their endpoint when
 * they are created, on the handler's first call.
 */
export async function withEnvironment<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  }
}

/** Loads the bundle afresh (its own SDK clients, created on first use), as a new Lambda execution environment would. */
export function loadHandler(bundle = PROVIDER_BUNDLE): Handler {
  const load = createRequire(bundle);
  delete load.cache[bundle];
  const loaded = load(bundle);
  // the provider's work without its answer to CloudFormation; other bundles (the token issuer) export only `handler`.
  return loaded.onEvent ?? loaded.handler;
}

export interface ColdStart {
  /** `require()` of the bundle in a fresh node process: what Lambda's init phase spends on our code. */
  readonly requireMs: number;
  /** The first event (a stage Create for the provider), which also creates the SDK clients and opens their connections. */
  readonly firstEventMs: number;
  /** The second event, on the warm module. */
  readonly warmEventMs: number;
}

/**
 * What a child node process runs: load the bundle as Lambda does, then handle two events, timing each step. The timings
 * are the last line of its output, after the handler's own log lines.
 */
const COLD_START_SCRIPT = `
const [bundle, first, second] = process.argv.slice(1);
const context = () => { const end = Date.now() + ${HANDLER_TIMEOUT_MS}; return { getRemainingTimeInMillis: () => end - Date.now() }; };
(async () => {
  const t0 = performance.now();
  const loaded = require(bundle);
  const handler = loaded.onEvent ?? loaded.handler;
  const t1 = performance.now();
  await handler(JSON.parse(first), context());
  const t2 = performance.now();
  await handler(JSON.parse(second), context());
  const t3 = performance.now();
  process.stdout.write('\\n' + JSON.stringify({ requireMs: t1 - t0, firstEventMs: t2 - t1, warmEventMs: t3 - t2 }));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

/** What each cold-start sample sends its fresh process: two events, and environment besides the fake IVS's endpoint. */
export interface ColdStartEvents {
  readonly events: (sample: number) => [unknown, unknown];
  readonly env?: Record<string, string>;
}

/** The provider's: two stage Creates. */
const STAGE_CREATES: ColdStartEvents = {
  events: (i) => {
    const events = new CustomResourceEvents(ResourceType.STAGE, 'ColdStart');
    return [events.create({ Request: { name: `cold-${i}` } }), events.create({ Request: { name: `warm-${i}` } })];
  },
};

/**
 * Medians over `samples` fresh node processes, each loading the bundle and handling two events against the fakes (with
 * `dynamoDb`, deliveries of a create request take turns there, as in Lambda).
 */
export async function measureColdStart(fake: FakeIvsServer, samples: number, bundle = PROVIDER_BUNDLE, run = STAGE_CREATES,
  dynamoDb?: FakeDynamoDb): Promise<ColdStart> {
  const runs: ColdStart[] = [];
  for (let i = 0; i < samples; i++) {
    const [first, second] = run.events(i);
    // the fake answers from this process, so the child runs asynchronously.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', COLD_START_SCRIPT, bundle, JSON.stringify(first), JSON.stringify(second)], {
      env: { PATH: process.env.PATH ?? '', ...fakeAwsEnvironment(fake, undefined, dynamoDb), ...run.env },
    });
    runs.push(JSON.parse(stdout.trim().split('\n').pop()!));
  }
  return {
    requireMs: median(runs.map((r) => r.requireMs)),
    firstEventMs: median(runs.map((r) => r.firstEventMs)),
    warmEventMs: median(runs.map((r) => r.warmEventMs)),
  };
}

export interface EventTimes {
  /** The handler's stage Create: event parsing, coercion, logging, CreateStage, response. */
  readonly handlerMs: number;
  /** `IVSRealTimeClient.send(CreateStage)` with the same input against the same fake. */
  readonly bareSdkMs: number;
}

/**
 * Medians of `iterations` stage Creates each way, warm, alternating in blocks so that both see the same fake, event
 * loop and machine; the fake is emptied between blocks so that its state does not grow.
 */
export async function measureEventTimes(fake: FakeIvsServer, iterations: number, handler: Handler): Promise<EventTimes> {
  const events = new CustomResourceEvents(ResourceType.STAGE, 'PerEvent');
  const client = new IVSRealTimeClient({
    endpoint: fake.endpoint,
    region: fake.region,
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
  });
  const viaHandler = async (i: number) => { await handler(events.create({ Request: { name: `stage-${i}` } }), lambdaContext()); };
  const bare = async (i: number) => { await client.send(new CreateStageCommand({ name: `stage-${i}` })); };
  const timed = async (call: (i: number) => Promise<void>, i: number) => {
    const start = performance.now();
    await call(i);
    return performance.now() - start;
  };
  // untimed: the first calls create the clients and open their connections.
  for (let i = 0; i < 5; i++) {
    await viaHandler(i);
    await bare(i);
  }
  const block = Math.max(1, Math.min(50, Math.floor(iterations / 4)));
  const handlerMs: number[] = [];
  const bareSdkMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    if (i % block === 0) {
      fake.reset();
    }
    const handlerFirst = Math.floor(i / block) % 2 === 0;
    if (handlerFirst) {
      handlerMs.push(await timed(viaHandler, i));
      bareSdkMs.push(await timed(bare, i));
    } else {
      bareSdkMs.push(await timed(bare, i));
      handlerMs.push(await timed(viaHandler, i));
    }
  }
  client.destroy();
  fake.reset();
  return { handlerMs: median(handlerMs), bareSdkMs: median(bareSdkMs) };
}

/** The requests the benchmark sends to one resource type, and what they ask for. */
export type RequestKind = 'create' | 'create with tags' | 'no-op update' | 'tags-only update' | 'real update' | 'delete';

export interface ApiCallCount {
  readonly resource: string;
  readonly request: RequestKind;
  /** IVS Real-Time operations, in order. */
  readonly ivsOperations: readonly string[];
  /** Calls to other services, in order: CloudWatch Logs' for a create's lock, Secrets Manager's for a stream key copy. */
  readonly otherOperations: readonly string[];
  /** Whether the real update changed the resource in place or created a replacement (whose old one is deleted later). */
  readonly updateKind?: 'in place' | 'replacement';
}

interface Scenario {
  readonly resource: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  /** A change to what the API configures: in place where the API can update it, else a replacement. */
  readonly changed: Record<string, unknown>;
}

const TAGS = { team: 'video' };

function publicKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Counts the calls the handler makes for each request kind on each resource type, from the fakes' logs. A no-op
 * update is an Update whose `Request` and `Tags` are unchanged (CloudFormation sends one when only a handler setting
 * or the service token changed); the handler must still report the resource's attributes, which CloudFormation
 * replaces with every response.
 */
export async function countApiCalls(fake: FakeIvsServer, secretsManager: FakeSecretsManager, handler: Handler,
  dynamoDb?: FakeDynamoDb): Promise<ApiCallCount[]> {
  const counts: ApiCallCount[] = [];
  const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:BenchStreamKey-AbCdEf';
  const stageArn = async (name: string) =>
    (await handler(new CustomResourceEvents(ResourceType.STAGE, 'Setup').create({ Request: { name } }), lambdaContext())).PhysicalResourceId;
  secretsManager.defineSecret(secretArn);
  const [stageA, stageB] = [await stageArn('ingest-a'), await stageArn('ingest-b')];
  const ingest = (stage: string) => ({
    Request: { stageArn: stage, ingestProtocol: 'RTMPS', redundantIngest: false },
    StreamKeySecretArn: secretArn,
    ForceDelete: true,
  });
  const video = (bitrate: number) => ({ Request: { video: { width: 1280, height: 720, framerate: 30, bitrate } } });
  const scenarios: Scenario[] = [
    { resource: 'Stage', type: ResourceType.STAGE, properties: { Request: { name: 'bench' } }, changed: { Request: { name: 'bench-renamed' } } },
    {
      resource: 'StorageConfiguration',
      type: ResourceType.STORAGE_CONFIGURATION,
      properties: { Request: { s3: { bucketName: 'bench-recordings' } } },
      changed: { Request: { name: 'renamed', s3: { bucketName: 'bench-recordings' } } },
    },
    { resource: 'EncoderConfiguration', type: ResourceType.ENCODER_CONFIGURATION, properties: video(2_500_000), changed: video(3_500_000) },
    { resource: 'IngestConfiguration', type: ResourceType.INGEST_CONFIGURATION, properties: ingest(stageA), changed: ingest(stageB) },
    {
      resource: 'PublicKey',
      type: ResourceType.PUBLIC_KEY,
      properties: { Request: { publicKeyMaterial: publicKeyPem() } },
      changed: { Request: { publicKeyMaterial: publicKeyPem() } },
    },
  ];
  const counted = async (resource: string, request: RequestKind, call: () => Promise<{ PhysicalResourceId: string }>) => {
    const [calls, tableCalls, secretCalls] = [fake.calls.length, dynamoDb?.calls.length ?? 0, secretsManager.calls.length];
    const { PhysicalResourceId } = await call();
    const count: ApiCallCount = {
      resource,
      request,
      ivsOperations: fake.calls.slice(calls).map((c) => c.operation),
      otherOperations: [
        ...(dynamoDb?.calls.slice(tableCalls) ?? []).map((c) => `dynamodb:${c.operation}`),
        ...secretsManager.calls.slice(secretCalls).map((c) => `secretsmanager:${c.operation}`),
      ],
    };
    return { count, physicalId: PhysicalResourceId };
  };
  for (const { resource, type, properties, changed } of scenarios) {
    const events = new CustomResourceEvents(type, `Bench${resource}`);
    const tagged = { ...properties, Tags: TAGS };
    const changedTagged = { ...changed, Tags: TAGS };
    const created = await counted(resource, 'create', () => handler(events.create(properties), lambdaContext()));
    const arn = created.physicalId;
    const noOp = await counted(resource, 'no-op update', () => handler(events.update(arn, properties, properties), lambdaContext()));
    const tagsOnly = await counted(resource, 'tags-only update', () => handler(events.update(arn, tagged, properties), lambdaContext()));
    const update = await counted(resource, 'real update', () => handler(events.update(arn, changedTagged, tagged), lambdaContext()));
    const replaced = update.physicalId !== arn;
    const deleted = await counted(resource, 'delete', () => handler(events.delete(update.physicalId, changedTagged), lambdaContext()));
    if (replaced) {
      // CloudFormation's cleanup of the replaced resource: not one of the requests counted.
      await handler(events.delete(arn, tagged), lambdaContext());
    }
    // after the others are gone: IVS holds a public key only once per account and region.
    const createdTagged = await counted(resource, 'create with tags', () => handler(events.create(tagged), lambdaContext()));
    await handler(events.delete(createdTagged.physicalId, tagged), lambdaContext());
    counts.push(created.count, createdTagged.count, noOp.count, tagsOnly.count,
      { ...update.count, updateKind: replaced ? 'replacement' : 'in place' }, deleted.count);
  }
  return counts;
}
