/**
 * The fault matrix: for each resource type and each of create, update and delete, what a stack deployed through the
 * lifecycle driver does when IVS throttles, errs, answers slowly, loses its answers after doing the work, conflicts or has
 * already lost the resource, and when CloudFormation delivers the request twice.
 *
 * For every case CloudFormation gets an answer (success, or a one-line reason naming the request, the resource and
 * the service's message), and after the stack's delete nothing the stack created is left in the fake.
 *
 * The matrix is printed from the outcomes; the copy in docs/reliability.md must match it. `npm run matrix` (UPDATE_README_MATRIX=1)
 * rewrites `fault-matrix.md` beside this file and the block in docs/reliability.md; a plain test run writes nothing.
 */
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import {
  CreateEncoderConfigurationCommand, CreateStageCommand, CreateStorageConfigurationCommand, DeleteEncoderConfigurationCommand,
  DeleteIngestConfigurationCommand,
  DeletePublicKeyCommand, DeleteStageCommand, DeleteStorageConfigurationCommand, ImportPublicKeyCommand, IVSRealTimeClient,
  StartCompositionCommand, StopCompositionCommand,
} from '@aws-sdk/client-ivs-realtime';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { StageCompositionStack } from '../../examples/stage-composition';
import {
  EncoderConfiguration, EncoderVideo, ParticipantRecordingMediaType, PublicKey, PublicKeyMaterial, Stage, StageComposition, StageRecording,
  StorageConfiguration, StreamKeyStorage,
} from '../../lib';
import { COMPOSITION_OWNER_TAG } from '../../lib/private/composition-contract';
import { AsyncInvocation, AsyncInvoker } from '../../testing/async-invocation';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { FakeSecretsManager } from '../../testing/fake-secrets-manager';
import { functionLogGroup } from '../../testing/lifecycle/lambda-runtime';
import { FakeResourceEvent, LifecycleDriver, LifecycleResult } from '../../testing/lifecycle-driver';
import { FAIL_AFTER_INGEST, StreamKeyStack, StreamKeyStackProps, streamKeySecret } from '../support/stream-key-stack';

type Operation = 'create' | 'update' | 'delete';
const REQUEST_TYPE = { create: 'Create', update: 'Update', delete: 'Delete' } as const;
const OPERATIONS: readonly Operation[] = ['create', 'update', 'delete'];

/** One version of a resource type's test stack: the stack and the construct under test. */
interface Built {
  readonly stack: Stack;
  readonly resource: IConstruct;
}

/** Version 1 is created (and deleted); version 2 is what the update deploys. */
type Builder = (version: 1 | 2) => Built;

interface CaseContext {
  readonly fake: FakeIvsServer;
  readonly client: IVSRealTimeClient;
  /** The IVS operation the stack operation under test calls for the resource (where faults go). */
  readonly apiOperation: string;
  /** The resource's physical ID, once version 1 is deployed (not for create). */
  readonly arn?: string;
  /** The driver that deploys the case: its DynamoDB and ResponseURL endpoint take faults too. */
  readonly driver: LifecycleDriver;
}

/** Makes a fault happen; returns what a user would do to clear its cause afterwards, if anything. */
type Arrange = (ctx: CaseContext) => Promise<(() => Promise<void>) | void>;

interface Scenario {
  /** Shown in the matrix cell, when the fault needs saying (what conflicts, for instance). */
  readonly label?: string;
  /** The stack to use instead of the resource type's usual one. */
  readonly build?: Builder;
  readonly arrange: Arrange;
  /** What CloudFormation must report for the operation. */
  readonly expected: LifecycleResult['status'];
  /** The driver's timeout scale (the handler's 180 s become ~1 s for the slow cases). */
  readonly slow?: boolean;
  /** CloudFormation delivers the request under test twice: the second once the first has ended, or both at once. */
  readonly deliveredTwice?: 'in turn' | 'at once';
  /** How many times it is delivered, when more than twice. */
  readonly deliveries?: number;
  /** No answer reaches CloudFormation: the reason is CloudFormation's own (it received none), not the handler's. */
  readonly unanswered?: boolean;
}

interface ResourceType {
  readonly name: string;
  readonly build: Builder;
  /** The IVS operation each stack operation calls for this resource. */
  readonly apiOperations: Record<Operation, string>;
  /** Deletes the resource behind the stack's back, as a person with the console might. */
  readonly deleteOutOfBand: (client: IVSRealTimeClient, arn: string) => Promise<unknown>;
  readonly conflicts: Partial<Record<Operation, Scenario>>;
}

interface Fault {
  readonly name: string;
  readonly scenario: (type: ResourceType, operation: Operation) => Scenario | undefined;
}

interface Outcome {
  readonly type: string;
  readonly operation: Operation;
  readonly fault: string;
  readonly label?: string;
  readonly status: LifecycleResult['status'];
  readonly reason?: string;
  /** Answers to the faulted IVS operation that the SDK or the handler retry (429, 5xx, 409, lost) during the operation. */
  readonly retried: number;
  /** Whether a failed delete succeeded once the cause was cleared. */
  readonly recovered?: boolean;
  readonly left: number;
  /** The log groups the stack created that its functions write to: where a reason's log pointer may point. */
  readonly logGroups: readonly string[];
}

/** How each case ended, for the summary: what it left in the fakes, and the status of its stack's final delete, if any. */
const ends: Array<{ readonly name: string; readonly left: number; readonly finalDelete?: LifecycleResult['status'] }> = [];
/** The cases the file defines (each describe adds its own when jest collects it). */
let planned = 0;

// The handler's 180 s timeout scaled to 1 s; the handler gives up a tenth of it before, at 0.9 s.
const SLOW_SCALE = 1 / 180;
const UNDER_TIMEOUT_MS = 500;
const OVER_TIMEOUT_MS = 1500;
/** How long IVS takes to answer a call, where two calls must overlap. */
const IVS_LATENCY_MS = 300;
/** The SDK's timeout of one attempt (handlers/shared/client.ts). */
const ATTEMPT_TIMEOUT_MS = 5000;
/** The resource types the matrix's version 2 replaces (the others it updates in place). */
const REPLACED_ON_UPDATE = ['StorageConfiguration', 'EncoderConfiguration', 'PublicKey'];

/** An EventBridge `IVS Stage Update` event, as the composition starter receives them. */
const PARTICIPANT_EVENT = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'events', 'participant-published.json'), 'utf8'));

const KEY_A = newPublicKey();
const KEY_B = newPublicKey();

function newPublicKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function newStack(): Stack {
  return new Stack(new App(), 'FaultMatrix');
}

function withBucket(stack: Stack): s3.Bucket {
  return new s3.Bucket(stack, 'Recordings', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
}

/**
 * A stage outside the stack and a composition of it that uses the stack's `uses` (and configurations outside the stack for
 * the rest); with a participant connected to the stage when `connected`, else IVS stops it a minute after it started.
 */
async function startExternalComposition(client: IVSRealTimeClient, fake: FakeIvsServer, uses: { encoderArn?: string; storageArn?: string },
  connected = false) {
  const outside = { name: 'outside-the-stack' };
  const storageArn = uses.storageArn ?? (await client.send(new CreateStorageConfigurationCommand({ ...outside, s3: { bucketName: 'outside' } })))
    .storageConfiguration!.arn!;
  const encoderArn = uses.encoderArn ?? (await client.send(new CreateEncoderConfigurationCommand(outside))).encoderConfiguration!.arn!;
  const stageArn = (await client.send(new CreateStageCommand(outside))).stage!.arn!;
  let participant: string | undefined;
  if (connected) {
    fake.startStageSession(stageArn);
    participant = fake.joinParticipant(stageArn, { published: true });
  }
  const { composition } = await client.send(new StartCompositionCommand({
    stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
  }));
  return {
    stop: () => client.send(new StopCompositionCommand({ arn: composition!.arn })),
    /** The last participant leaves: IVS stops the composition (at once, here). */
    end: async () => {
      fake.setCompositionIdleTimeout(0);
      fake.leaveParticipant(stageArn, participant!);
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    remove: async () => {
      await client.send(new DeleteStageCommand({ arn: stageArn }));
      if (!uses.storageArn) {
        await client.send(new DeleteStorageConfigurationCommand({ arn: storageArn }));
      }
      if (!uses.encoderArn) {
        await client.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn }));
      }
    },
  };
}

/**
 * The configuration `uses` names is used by a running composition of a stage outside the stack; the cause clears when its
 * session ends. Its deletes are deferred (tagged for the stack's sweep, and its drain), not failed.
 */
function usedByRunningComposition(label: string, uses: (arn: string) => { encoderArn?: string; storageArn?: string },
  expected: LifecycleResult['status']): Scenario {
  return {
    label,
    arrange: async ({ client, fake, arn }) => {
      const composition = await startExternalComposition(client, fake, uses(arn!), true);
      return async () => {
        await composition.end();
        await composition.remove();
      };
    },
    expected,
  };
}

const RESOURCE_TYPES: readonly ResourceType[] = [
  {
    name: 'Stage',
    build: (version) => {
      const stack = newStack();
      return { stack, resource: new Stage(stack, 'Stage', { stageName: `stage-v${version}` }) };
    },
    apiOperations: { create: 'CreateStage', update: 'UpdateStage', delete: 'DeleteStage' },
    deleteOutOfBand: (client, arn) => client.send(new DeleteStageCommand({ arn })),
    conflicts: {
      update: {
        label: 'recording session live',
        // a recording stage whose recording settings change while a session is recorded.
        build: (version) => {
          const stack = newStack();
          const stage = new Stage(stack, 'Stage', { stageName: `stage-v${version}` });
          new StageRecording(stack, 'Recording', {
            stage,
            mediaType: version === 1 ? ParticipantRecordingMediaType.AUDIO_VIDEO : ParticipantRecordingMediaType.AUDIO_ONLY,
          });
          return { stack, resource: stage };
        },
        arrange: async ({ fake, arn }) => {
          fake.startStageSession(arn!);
          return async () => fake.endStageSession(arn!);
        },
        expected: 'ROLLED_BACK',
      },
    },
  },
  {
    name: 'StorageConfiguration',
    build: (version) => {
      const stack = newStack();
      return { stack, resource: new StorageConfiguration(stack, 'Storage', { bucket: withBucket(stack), storageConfigurationName: `v${version}` }) };
    },
    apiOperations: { create: 'CreateStorageConfiguration', update: 'CreateStorageConfiguration', delete: 'DeleteStorageConfiguration' },
    deleteOutOfBand: (client, arn) => client.send(new DeleteStorageConfigurationCommand({ arn })),
    conflicts: {
      // the old one is deleted once the composition has ended (here by the stack's delete, through its drain).
      update: usedByRunningComposition('replaced while a composition outside the stack records to it', (arn) => ({ storageArn: arn }),
        'SUCCEEDED'),
      // the drain of deferred deletes fails, naming the composition: deleting the stack again once it has ended finishes.
      delete: usedByRunningComposition('a composition outside the stack records to it', (arn) => ({ storageArn: arn }), 'FAILED'),
    },
  },
  {
    name: 'EncoderConfiguration',
    build: (version) => {
      const stack = newStack();
      const video = EncoderVideo.landscape720p();
      return { stack, resource: new EncoderConfiguration(stack, 'Encoder', { encoderConfigurationName: `v${version}`, video }) };
    },
    apiOperations: { create: 'CreateEncoderConfiguration', update: 'CreateEncoderConfiguration', delete: 'DeleteEncoderConfiguration' },
    deleteOutOfBand: (client, arn) => client.send(new DeleteEncoderConfigurationCommand({ arn })),
    conflicts: {
      update: usedByRunningComposition('replaced while a composition outside the stack encodes with it', (arn) => ({ encoderArn: arn }),
        'SUCCEEDED'),
      delete: {
        label: 'composition stopping',
        // a composition outside the stack that stops 1.5 s into the delete: the handler waits for it (its stage is empty).
        arrange: async ({ client, fake, arn }) => {
          const composition = await startExternalComposition(client, fake, { encoderArn: arn! });
          const stopping = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => composition.stop());
          return async () => {
            await stopping;
            await composition.remove();
          };
        },
        expected: 'SUCCEEDED',
      },
    },
  },
  {
    name: 'IngestConfiguration',
    build: (version) => {
      const stack = newStack();
      const stage = new Stage(stack, 'Stage');
      return { stack, resource: stage.addIngestConfiguration('Ingest', { redundantIngest: version === 2 }) };
    },
    apiOperations: { create: 'CreateIngestConfiguration', update: 'UpdateIngestConfiguration', delete: 'DeleteIngestConfiguration' },
    // its stage is created by the same deployment: the rollback deletes it before the late create arrives, and IVS refuses
    // an ingest configuration for a stage that does not exist. The update is in place.
    deleteOutOfBand: (client, arn) => client.send(new DeleteIngestConfigurationCommand({ arn, force: true })),
    // the conflicts with a copy of the stream key in Secrets Manager: a refused update or delete must leave it current.
    conflicts: {
      update: {
        label: 'encoder publishing',
        build: (version) => {
          const stack = newStack();
          const stage = new Stage(stack, 'Stage');
          const streamKeyStorage = StreamKeyStorage.secretsManager();
          return { stack, resource: stage.addIngestConfiguration('Ingest', { redundantIngest: version === 2, streamKeyStorage }) };
        },
        arrange: async ({ fake, arn }) => {
          fake.setIngestState(arn!, 'ACTIVE');
          return async () => fake.setIngestState(arn!, 'INACTIVE');
        },
        expected: 'ROLLED_BACK',
      },
      delete: {
        label: 'encoder publishing, forceDelete: false',
        build: (version) => {
          const stack = newStack();
          const stage = new Stage(stack, 'Stage');
          return {
            stack,
            resource: stage.addIngestConfiguration('Ingest', {
              redundantIngest: version === 2, forceDelete: false, streamKeyStorage: StreamKeyStorage.secretsManager(),
            }),
          };
        },
        arrange: async ({ fake, arn }) => {
          fake.setIngestState(arn!, 'ACTIVE');
          return async () => fake.setIngestState(arn!, 'INACTIVE');
        },
        expected: 'FAILED',
      },
    },
  },
  {
    name: 'PublicKey',
    build: (version) => {
      const stack = newStack();
      const material = PublicKeyMaterial.fromString(version === 1 ? KEY_A : KEY_B);
      return { stack, resource: new PublicKey(stack, 'Key', { publicKeyMaterial: material, publicKeyName: `v${version}` }) };
    },
    apiOperations: { create: 'ImportPublicKey', update: 'ImportPublicKey', delete: 'DeletePublicKey' },
    deleteOutOfBand: (client, arn) => client.send(new DeletePublicKeyCommand({ arn })),
    conflicts: {
      create: {
        label: 'key already imported outside the stack',
        arrange: async ({ client }) => {
          const { publicKey } = await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: KEY_A }));
          return async () => {
            await client.send(new DeletePublicKeyCommand({ arn: publicKey!.arn }));
          };
        },
        expected: 'ROLLED_BACK',
      },
      update: {
        label: 'renamed, same key',
        build: (version) => {
          const stack = newStack();
          const publicKeyMaterial = PublicKeyMaterial.fromString(KEY_A);
          return { stack, resource: new PublicKey(stack, 'Key', { publicKeyMaterial, publicKeyName: `v${version}` }) };
        },
        arrange: async () => undefined,
        expected: 'ROLLED_BACK',
      },
    },
  },
];

const FAULTS: readonly Fault[] = [
  {
    name: 'throttling burst (429)',
    scenario: () => ({
      arrange: async ({ fake, apiOperation }) => fake.injectFault({ operation: apiOperation, errorType: 'ThrottlingException', times: 2 }),
      expected: 'SUCCEEDED',
    }),
  },
  {
    name: 'server errors (500)',
    scenario: () => ({
      arrange: async ({ fake, apiOperation }) => fake.injectFault({ operation: apiOperation, errorType: 'InternalServerException', times: 3 }),
      expected: 'SUCCEEDED',
    }),
  },
  {
    name: 'slow, under the timeout',
    scenario: () => ({
      slow: true,
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: UNDER_TIMEOUT_MS }),
      expected: 'SUCCEEDED',
    }),
  },
  {
    name: 'slow, over the timeout',
    scenario: (_type, operation) => ({
      slow: true,
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: OVER_TIMEOUT_MS }),
      // a create IVS completes after the handler gave up is deleted by the rollback's delete, which waits for it.
      expected: operation === 'delete' ? 'FAILED' : 'ROLLED_BACK',
    }),
  },
  {
    // each attempt takes effect and its answer is lost; the SDK sends the request again, up to a fourth attempt answered.
    name: 'answers lost after the effect (500, reset, timeout)',
    scenario: () => ({
      arrange: async ({ fake, apiOperation }) => {
        for (const answer of ['error', 'reset', 'timeout'] as const) {
          fake.injectLostAnswer({ operation: apiOperation, answer });
        }
      },
      expected: 'SUCCEEDED',
    }),
  },
  {
    name: 'delivered twice',
    scenario: () => ({ deliveredTwice: 'in turn', arrange: async () => undefined, expected: 'SUCCEEDED' }),
  },
  {
    name: 'delivered twice at once',
    scenario: () => ({
      deliveredTwice: 'at once',
      // IVS takes a moment to answer each delivery's call: long enough for the other's to arrive before it is answered.
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: IVS_LATENCY_MS, times: 2 }),
      expected: 'SUCCEEDED',
    }),
  },
  {
    name: 'delivered three times at once',
    scenario: () => ({
      deliveredTwice: 'at once',
      deliveries: 3,
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: IVS_LATENCY_MS, times: 3 }),
      expected: 'SUCCEEDED',
    }),
  },
  {
    // the first of two deliveries at once gives up on a create IVS completes late; the other takes the request over once
    // its claim has run out. CloudFormation takes the first answer, and its rollback deletes what either made.
    name: 'delivered twice at once, the first giving up',
    scenario: (_type, operation) => operation !== 'create' ? undefined : {
      slow: true,
      deliveredTwice: 'at once',
      // IVS creates it a fifth of the handler's time after the handler's end (36 s in Lambda): the two deliveries' cold
      // starts take a larger share of the scaled-down time than they would of Lambda's.
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: 1200, times: 1 }),
      expected: 'ROLLED_BACK',
    },
  },
  {
    // IVS acts on the first attempt after the SDK gave up on it (its 5 s attempt timeout); the retry is answered first.
    name: 'answered after the attempt timeout',
    scenario: (_type, operation) => operation !== 'create' ? undefined : {
      arrange: async ({ fake, apiOperation }) => fake.injectDelay({ operation: apiOperation, delayMs: ATTEMPT_TIMEOUT_MS + 1000, times: 1 }),
      expected: 'SUCCEEDED',
    },
  },
  {
    // the stack's create-request table answers nothing but errors: a create (or a replacement) fails before it calls IVS,
    // and a stack operation that creates nothing does not need the table.
    name: 'create-request table unavailable',
    scenario: (type, operation) => ({
      label: 'DynamoDB answers 500',
      arrange: async ({ driver }) => {
        const dynamoDb = await driver.dynamoDb();
        dynamoDb.injectFault({ errorType: 'InternalServerError', times: Infinity });
        return async () => dynamoDb.clearFaults();
      },
      expected: operation === 'create' || (operation === 'update' && REPLACED_ON_UPDATE.includes(type.name)) ? 'ROLLED_BACK' : 'SUCCEEDED',
    }),
  },
  {
    // every PUT of the answer is refused (S3 failing): the handler deletes what it made, and Lambda delivers the request
    // again; CloudFormation, which never gets an answer, fails the resource after its service timeout.
    name: 'answer refused by the ResponseURL',
    scenario: (_type, operation) => operation !== 'create' ? undefined : {
      slow: true,
      unanswered: true,
      arrange: async ({ driver }) => {
        const responses = await driver.responseServer();
        responses.injectFault({ status: 503, times: Infinity });
        return async () => responses.clearFaults();
      },
      expected: 'ROLLED_BACK',
    },
  },
  {
    name: 'conflict (409)',
    scenario: (type, operation) => type.conflicts[operation],
  },
  {
    name: 'not found on delete (404)',
    scenario: (type, operation) => operation !== 'delete' ? undefined : {
      label: 'deleted outside the stack',
      arrange: async ({ client, arn }) => {
        await type.deleteOutOfBand(client, arn!);
      },
      expected: 'SUCCEEDED',
    },
  },
  {
    name: 'failed create, then delete',
    scenario: (_type, operation) => operation !== 'create' ? undefined : {
      label: 'quota exceeded',
      arrange: async ({ fake, apiOperation }) =>
        fake.injectFault({ operation: apiOperation, errorType: 'ServiceQuotaExceededException', message: 'Service quota exceeded' }),
      expected: 'ROLLED_BACK',
    },
  },
];

describe('fault matrix', () => {
  let fake: FakeIvsServer;
  let secrets: FakeSecretsManager;
  let client: IVSRealTimeClient;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    fake = await FakeIvsServer.start();
    secrets = await FakeSecretsManager.start({ anySecret: true });
    client = new IVSRealTimeClient({
      endpoint: fake.endpoint,
      region: fake.region,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      // a socket per call: a kept-alive one can be one the fake reset in an earlier case (a one-attempt client then fails).
      requestHandler: { httpAgent: new http.Agent({ keepAlive: false }) },
    });
  });
  beforeEach(() => {
    // the handler's one-line logs: the secrets test reads them; here they would drown the matrix.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    client.destroy();
    await fake.stop();
    await secrets.stop();
  });

  /** Waits until the fake has answered every request, including those a handler stopped waiting for. */
  async function settled(): Promise<void> {
    for (let waited = 0; fake.calls.some((call) => call.status === 0); waited += 20) {
      if (waited > 10_000) {
        throw new Error('the fake still serves a request after 10 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function run(type: ResourceType, operation: Operation, fault: Fault, scenario: Scenario): Promise<Outcome> {
    fake.reset();
    secrets.reset();
    const created: FakeResourceEvent[] = [];
    const build = scenario.build ?? type.build;
    const first = build(1);
    // (a driver that deploys nothing names it: the one that deploys needs it for its options)
    const logicalId = new LifecycleDriver().logicalIdOf(first.resource);
    const driver = new LifecycleDriver({
      env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
      timeoutScale: scenario.slow ? SLOW_SCALE : 1,
      duplicateDelivery: scenario.deliveredTwice && {
        logicalIds: [logicalId],
        requestTypes: [REQUEST_TYPE[operation]],
        concurrent: scenario.deliveredTwice === 'at once',
        deliveries: scenario.deliveries,
      },
      onFakeResource: (event) => created.push(event),
    });
    let arn: string | undefined;
    if (operation !== 'create') {
      const deployed = await driver.deploy(first.stack);
      expect(deployed.reason).toBeUndefined();
      arn = driver.physicalId(logicalId);
    }
    const apiOperation = type.apiOperations[operation];
    const context: CaseContext = { fake, client, apiOperation, arn, driver };
    const clearCause = await scenario.arrange(context);
    const mark = fake.calls.length;

    const result = operation === 'create' ? await driver.deploy(first.stack)
      : operation === 'update' ? await driver.deploy(build(2).stack)
        : await driver.destroy();
    const retried = fake.calls.slice(mark)
      .filter((call) => call.operation === apiOperation
        && (call.status === 409 || call.status === 429 || call.status >= 500 || call.lostAnswer !== undefined)).length;

    fake.clearFaults();
    await settled();
    await clearCause?.();
    // the stack's delete, once the cause is cleared (after a failed delete: deleting the stack again, as a user would).
    const destroyed = await driver.destroy();
    expect(destroyed.reason).toBeUndefined();
    const recovered = operation === 'delete' && result.status !== 'SUCCEEDED' ? destroyed.status === 'SUCCEEDED' : undefined;
    await settled();
    ends.push({ name: `${type.name} ${operation}: ${fault.name}`, left: fake.resourceCount(), finalDelete: destroyed.status });
    return {
      type: type.name,
      operation,
      fault: fault.name,
      label: scenario.label,
      status: result.status,
      reason: result.reason,
      retried,
      recovered,
      left: fake.resourceCount(),
      logGroups: writtenLogGroups(created),
    };
  }

  const cases = RESOURCE_TYPES.flatMap((type) => OPERATIONS.flatMap((operation) => FAULTS.flatMap((fault) => {
    const scenario = fault.scenario(type, operation);
    return scenario ? [{ type, operation, fault, scenario }] : [];
  })));

  const named = cases.map((c) => [`${c.type.name} ${c.operation}: ${c.fault.name}`, c] as const);
  planned += cases.length;
  test.each(named)('%s', async (_name, { type, operation, fault, scenario }) => {
    const outcome = await run(type, operation, fault, scenario);
    outcomes.push(outcome);

    expect({ status: outcome.status, left: outcome.left }).toEqual({ status: scenario.expected, left: 0 });
    if (outcome.status === 'SUCCEEDED') {
      expect(outcome.reason).toBeUndefined();
    } else {
      // `<LogicalId>: <Create|Update|Delete> <resource noun> <LogicalId> failed: <what and why>` (one line: below).
      expect(outcome.reason).toMatch(scenario.unanswered ? /^\w+: CloudFormation did not receive a response from your Custom Resource/
        : new RegExp(`^(\\w+): ${REQUEST_TYPE[operation]} [a-z ]+ \\1 failed: \\S`));
      expect(outcome.reason!.length).toBeLessThan(1024);
    }
    if (operation === 'delete' && outcome.status !== 'SUCCEEDED') {
      expect(outcome.recovered).toBe(true);
    }
  });

  // the Provider framework follows the handler's message with its `Logs: /aws/lambda/<function name>`, then the error's
  // stack trace (but its first line): a stack trace, or a pointer to a log group nobody writes to, fails this.
  test.each(named.filter(([, c]) => c.scenario.expected !== 'SUCCEEDED' && !c.scenario.unanswered))('%s: CloudFormation shows one line, then the log group the handler '
    + 'writes to', (name) => {
    const outcome = outcomes.find((o) => `${o.type} ${o.operation}: ${o.fault}` === name);
    const { line, logGroup } = splitReason(outcome!.reason!);
    expect(line).toMatch(/^[^\n]+$/);
    expect(outcome!.logGroups).toContain(logGroup);
  });

  test('docs/reliability.md shows the matrix of this run', () => {
    if (outcomes.length !== cases.length) {
      return; // some cases were filtered out: no full matrix to compare.
    }
    if (process.env.UPDATE_README_MATRIX) {
      fs.writeFileSync(path.join(__dirname, 'fault-matrix.md'), `${renderMatrix(outcomes, 'all')}\n`);
    }
    expectDocsBlock('fault-matrix', renderMatrix(outcomes, 'examples'));
  });
});

/**
 * The block `<!-- <name>:start -->` … `<!-- <name>:end -->` of docs/reliability.md must be `generated`; `npm run matrix`
 * (UPDATE_README_MATRIX=1) writes it instead: a plain test run never writes into the working tree.
 */
function expectDocsBlock(name: string, generated: string): void {
  process.stdout.write(`${generated}\n`);
  const docsPath = path.join(__dirname, '..', '..', 'docs', 'reliability.md');
  const docs = fs.readFileSync(docsPath, 'utf8');
  const block = new RegExp(`(<!-- ${name}:start -->\\n)([\\s\\S]*?)(<!-- ${name}:end -->)`);
  if (process.env.UPDATE_README_MATRIX) {
    fs.writeFileSync(docsPath, docs.replace(block, (_all, start, _old, end) => `${start}${generated}\n${end}`));
    return;
  }
  expect(block.exec(docs)?.[2]).toBe(`${generated}\n`);
}

/**
 * The matrix as Markdown: one row per resource type and operation, one column per fault; then the reason of each
 * failure (`all`), or of the first of each fault and operation, and of every conflict (`examples`, for the README).
 */
function renderMatrix(outcomes: readonly Outcome[], reasons: 'all' | 'examples'): string {
  const faults = FAULTS.map((fault) => fault.name);
  const rows = RESOURCE_TYPES.flatMap((type) => OPERATIONS.map((operation) => {
    const cells = faults.map((fault) => {
      const outcome = outcomes.find((o) => o.type === type.name && o.operation === operation && o.fault === fault);
      return outcome ? cell(outcome) : '—';
    });
    return `| ${type.name} ${operation} | ${cells.join(' | ')} |`;
  }));
  const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED');
  const shown = reasons === 'all' ? failed : failed.filter((o, i) =>
    o.fault === 'conflict (409)' || failed.findIndex((other) => other.fault === o.fault && other.operation === o.operation) === i);
  const failures = shown.map((o) => `- ${o.type} ${o.operation}, ${o.fault}${o.label ? ` (${o.label})` : ''}: \`${anonymize(splitReason(o.reason!).line)}\``);
  // (a failure CloudFormation reports itself, with no answer from the handler, names no log group.)
  const logGroups = [...new Set(shown.map((o) => splitReason(o.reason!).logGroup).filter((logGroup) => logGroup !== undefined).map(anonymize))];
  const pointer = logGroups.length === 1 && logGroups[0] ? `, then on a line of its own \`Logs: ${logGroups[0]}\`, the handler's log group` : '';
  return [
    `| | ${faults.join(' | ')} |`,
    `|---|${faults.map(() => '---').join('|')}|`,
    ...rows,
    '',
    reasons === 'all' ? `What CloudFormation shows for each failure (\`<LogicalId>: <reason>\`${pointer}):`
      : `What CloudFormation shows (\`<LogicalId>: <reason>\`${pointer}), for each kind of failure (all of them: \`test/reliability/fault-matrix.md\`):`,
    '',
    ...failures,
  ].join('\n');
}

function cell(outcome: Outcome): string {
  const failed = outcome.operation === 'delete' ? '❌ delete failed' : '❌ rollback failed';
  const status = { SUCCEEDED: '✅ succeeded', ROLLED_BACK: '❌ rolled back', FAILED: failed }[outcome.status];
  const notes = [
    outcome.label,
    outcome.retried > 0 && outcome.status === 'SUCCEEDED' ? `${outcome.retried} retried` : undefined,
    outcome.recovered ? 'deleted once the cause is cleared' : undefined,
    outcome.left > 0 ? `⚠️ ${outcome.left} left in IVS` : undefined,
  ].filter((note) => note !== undefined);
  return notes.length > 0 ? `${status}: ${notes.join('; ')}` : status;
}

/**
 * Reasons name ARNs, session IDs, log group names (CloudFormation's random suffix), CloudFormation's request IDs and
 * create-request tokens (a hash of the stack's random ID) that change with every run.
 */
function anonymize(reason: string): string {
  return reason
    .replace(/(cdk-ivs-realtime:create-request=)[A-Za-z0-9_-]+/g, '$1…')
    .replace(/(arn:aws:ivs:[a-z0-9-]+:\d+:[a-z-]+\/)[a-zA-Z0-9]+/g, '$1…')
    .replace(/\bst-[a-zA-Z0-9]{13}\b/g, 'st-…')
    .replace(/(requestId \[)[0-9a-f-]{36}\]/, '$1…]')
    .replace(/^(\S+-)[0-9A-F]{8,}$/, '$1…');
}

/**
 * A reason as the Provider framework makes it from the error its function threw: the error's message, the framework's
 * pointer to the log group of the function it invoked (`\n\nLogs: /aws/lambda/<function name>\n`), then the error's stack
 * trace but its first line. `line` is the whole reason when it has not that shape.
 */
function splitReason(reason: string): { line: string; logGroup?: string } {
  const match = /^([^\n]*)\n\nLogs: (\S+)\n$/.exec(reason);
  return match ? { line: match[1], logGroup: match[2] } : { line: reason };
}

/** The log groups the stack created that its functions write to (Lambda's choice: the function's logging config, or its name). */
function writtenLogGroups(resources: readonly FakeResourceEvent[]): string[] {
  const created = resources.filter((resource) => resource.requestType === 'Create');
  const logGroups = new Set(created.filter((resource) => resource.type === 'AWS::Logs::LogGroup').map((resource) => resource.physicalId));
  return created.filter((resource) => resource.type === 'AWS::Lambda::Function')
    .map((fn) => functionLogGroup(fn.physicalId, fn.properties)).filter((logGroup) => logGroups.has(logGroup));
}

/**
 * Beyond IVS: the stream key's copy in Secrets Manager, and the composition starter (`StageComposition`'s function,
 * run as Lambda runs an EventBridge target: with its retries and its dead-letter queue). One row per case; each ends
 * with the stack's delete and nothing left in the fakes: no IVS resource, no composition running, and no ingest
 * configuration whose key the secret does not hold. The copy of the table in docs/reliability.md must match (UPDATE_README_MATRIX=1
 * rewrites it).
 */
describe('fault matrix: the stream key secret and the composition starter', () => {
  let fake: FakeIvsServer;
  let secrets: FakeSecretsManager;
  let client: IVSRealTimeClient;
  const rows: string[] = [];

  beforeAll(async () => {
    fake = await FakeIvsServer.start();
    secrets = await FakeSecretsManager.start({ anySecret: true });
    client = new IVSRealTimeClient({
      endpoint: fake.endpoint, region: fake.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    });
  });
  beforeEach(() => {
    fake.reset();
    secrets.reset();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    client.destroy();
    await fake.stop();
    await secrets.stop();
  });

  const env = () => ({ AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint });
  /** The status of the running case's final delete of its stack (none when its stack was never created). */
  let deleted: LifecycleResult['status'] | undefined;

  async function finalDelete(driver: LifecycleDriver): Promise<void> {
    const destroyed = await driver.destroy();
    deleted = destroyed.status;
    expect(destroyed.reason).toBeUndefined();
  }
  const STATUS = { SUCCEEDED: 'succeeded', ROLLED_BACK: 'rolled back', FAILED: '❌ failed' };

  /** Waits for the answers a handler stopped waiting for: what they did counts too. */
  async function settled(): Promise<void> {
    for (let waited = 0; !secrets.settled || fake.calls.some((call) => call.status === 0); waited += 20) {
      if (waited > 10_000) {
        throw new Error('the fakes still serve a request after 10 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Deploys the secret-copy stack (unless the case is its create), makes the fault, deploys `next`; says how that went
   * and whether the secret then holds the keys of the ingest configuration the stack has.
   */
  async function secretCase(next: StreamKeyStackProps | 'create', fault: () => void, slow = false): Promise<string> {
    const driver = new LifecycleDriver({ env: env(), timeoutScale: slow ? SLOW_SCALE : 1 });
    if (next !== 'create') {
      expect((await driver.deploy(new StreamKeyStack())).reason).toBeUndefined();
    }
    fault();
    const result = await driver.deploy(new StreamKeyStack(next === 'create' ? {} : next));
    secrets.clearFaults();
    fake.clearFaults();
    await settled();
    if (!driver.template) {
      return `${STATUS[result.status]}; ${fake.ingestConfigurations.size === 0 ? 'no' : '❌ an'} ingest configuration left`;
    }
    const { held, expected } = streamKeySecret(driver, new StreamKeyStack(), fake, secrets);
    await finalDelete(driver);
    const orphans = fake.ingestConfigurations.size > 0 ? `; ❌ ${fake.ingestConfigurations.size} left outside the stack` : '';
    return `${STATUS[result.status]}; ${isDeepStrictEqual(held, expected) ? 'the secret holds'
      : '❌ the secret does not hold'} the keys of the ingest configuration the stack has${orphans}`;
  }

  interface CompositionPlay {
    readonly stageArn: string;
    readonly participantId: string;
    /** The function run on the session's participant event, as Lambda runs it asynchronously. */
    invoke(eventName: string): Promise<AsyncInvocation>;
    /** How `invocation` ended and, once `clear` has removed the cause, what a redrive of its dead letter did. */
    redrive(invocation: AsyncInvocation, clear: () => Promise<unknown>): Promise<string>;
  }

  /** Deploys the composition example, starts a session of `pick`'s stage with one publisher, and plays the case. */
  async function compositionCase(pick: (stack: StageCompositionStack) => StageComposition, play: (p: CompositionPlay) => Promise<string>) {
    const stack = new StageCompositionStack(new App(), 'FaultMatrixComposition');
    const driver = new LifecycleDriver({ env: env() });
    expect((await driver.deploy(stack)).reason).toBeUndefined();
    const lambda = new AsyncInvoker(driver, { region: fake.region, env: env() });
    const composition = pick(stack);
    const stageArn = driver.physicalId(driver.logicalIdOf(composition.stages[0]));
    const sessionId = fake.startStageSession(stageArn);
    const participantId = fake.joinParticipant(stageArn, { published: true });
    const ours = () => [...fake.compositions.values()].filter((c) => c.state !== 'STOPPED' && c.tags[COMPOSITION_OWNER_TAG]);
    const outcome = await play({
      stageArn,
      participantId,
      invoke: (eventName) => lambda.invoke(composition.handler, {
        ...PARTICIPANT_EVENT,
        resources: [stageArn],
        detail: { ...PARTICIPANT_EVENT.detail, session_id: sessionId, event_name: eventName, participant_id: participantId },
      }),
      redrive: async (invocation, clear) => {
        const failed = `${invocation.attempts.filter((attempt) => !attempt.ok).length} attempts failed`;
        if (!invocation.deadLetteredTo) {
          return `${failed}, ❌ not dead-lettered (dropped as refused)`;
        }
        await clear();
        const redriven = await lambda.invoke(composition.handler, lambda.deadLetters.get(invocation.deadLetteredTo)![0]);
        const started = redriven.attempts.at(-1)!.ok && ours().length === 1;
        return `${failed}, dead-lettered; redriven once the cause is cleared: ${started ? 'composition started' : '❌ none started'}`;
      },
    });
    await finalDelete(driver);
    expect(ours()).toEqual([]);
    return outcome;
  }

  const CASES: ReadonlyArray<readonly [name: string, expected: string, run: () => Promise<string>]> = [
    [
      'IngestConfiguration with a secret copy: replaced, then rolled back by a failure elsewhere in the update',
      'rolled back; the secret holds the keys of the ingest configuration the stack has',
      () => secretCase({ userId: 'studio-2', dependent: true },
        () => fake.injectFault({ operation: FAIL_AFTER_INGEST, errorType: 'ServiceQuotaExceededException' })),
    ],
    [
      'IngestConfiguration with a secret copy: created while Secrets Manager answers too late',
      'rolled back; no ingest configuration left',
      () => secretCase('create', () => secrets.injectDelay({ operation: 'PutSecretValue', delayMs: OVER_TIMEOUT_MS }), true),
    ],
    [
      'IngestConfiguration with a secret copy: replaced while Secrets Manager answers too late (the write took effect)',
      'rolled back; the secret holds the keys of the ingest configuration the stack has',
      () => secretCase({ userId: 'studio-2' }, () => secrets.injectDelay({ operation: 'PutSecretValue', delayMs: OVER_TIMEOUT_MS }), true),
    ],
    [
      'IngestConfiguration with a secret copy: replaced while Secrets Manager refuses every write',
      'rolled back; the secret holds the keys of the ingest configuration the stack has',
      () => secretCase({ userId: 'studio-2' },
        () => secrets.injectFault({ operation: 'PutSecretValue', errorType: 'AccessDeniedException', times: Infinity })),
    ],
    [
      'composition starter: a conflict that outlasts its retry',
      '3 attempts failed, dead-lettered; redriven once the cause is cleared: composition started',
      () => compositionCase((stack) => stack.studioRecording, async ({ invoke, redrive }) => {
        fake.injectFault({ operation: 'StartComposition', errorType: 'ConflictException', times: Infinity });
        return redrive(await invoke('Participant Published'), async () => fake.clearFaults());
      }),
    ],
    [
      'composition starter: the account\'s concurrent compositions at their quota (5)',
      '3 attempts failed, dead-lettered; redriven once the cause is cleared: composition started',
      () => compositionCase((stack) => stack.studioRecording, async ({ invoke, redrive }) => {
        const outside = await startOutsideCompositions(client, 5);
        const stopOne = () => client.send(new StopCompositionCommand({ arn: outside.arns[0] }));
        const outcome = await redrive(await invoke('Participant Published'), stopOne);
        await outside.remove();
        return outcome;
      }),
    ],
    [
      'composition starter, stopOnSessionEnd: Participant Unpublished delivered before its Published',
      'no composition running',
      () => compositionCase((stack) => stack.showBroadcast, async ({ stageArn, participantId, invoke }) => {
        fake.setParticipantPublished(stageArn, participantId, false);
        const outcomes = [await invoke('Participant Unpublished'), await invoke('Participant Published')];
        const running = [...fake.compositions.values()].filter((c) => c.state !== 'STOPPED').length;
        const failed = outcomes.some((outcome) => outcome.deadLetteredTo) ? '❌ dead-lettered; ' : '';
        return `${failed}${running === 0 ? 'no' : `❌ ${running}`} composition running`;
      }),
    ],
  ];

  planned += CASES.length;
  test.each(CASES)('%s', async (name, expected, run) => {
    deleted = undefined;
    const outcome = await run();
    rows.push(`| ${name} | ${outcome} |`);
    ends.push({ name, left: fake.resourceCount(), finalDelete: deleted });
    expect(outcome).toBe(expected);
    expect(fake.resourceCount()).toBe(0);
  });

  test('docs/reliability.md shows this table', () => {
    if (rows.length !== CASES.length) {
      return; // some cases were filtered out: no full table to compare.
    }
    expectDocsBlock('fault-matrix-beyond-ivs', ['| case | outcome |', '|---|---|', ...rows].join('\n'));
  });
});

/**
 * What every case above comes to: the cases run, the resources they left in the fakes after the stack's delete, and the
 * stacks stuck (whose delete fails even once the cause of the fault is cleared). docs/reliability.md reports it.
 */
describe('reliability summary', () => {
  test('docs/reliability.md reports the cases run, the resources left and the stacks stuck', () => {
    if (ends.length !== planned) {
      return; // some cases were filtered out (or failed): no full summary to compare.
    }
    const left = ends.filter((end) => end.left > 0);
    const stuck = ends.filter((end) => end.finalDelete !== undefined && end.finalDelete !== 'SUCCEEDED');
    const named = (list: typeof ends) => list.length === 0 ? '' : ` (${list.map((end) => `${end.name}${end.left > 1 ? `: ${end.left}` : ''}`).join('; ')})`;
    expectDocsBlock('reliability-summary', [
      `- **Cases run:** ${ends.length}`,
      `- **Resources left** in the fakes after the stack's delete: ${left.reduce((sum, end) => sum + end.left, 0)}${named(left)}`,
      `- **Stacks stuck** (their delete fails even once the cause is cleared): ${stuck.length}${named(stuck)}`,
    ].join('\n'));
  });
});

/** Compositions of a stage outside the stack, each broadcast to a channel of its own; `remove` deletes the stage (and stops them). */
async function startOutsideCompositions(client: IVSRealTimeClient, count: number) {
  const { stage } = await client.send(new CreateStageCommand({ name: 'outside-the-stack' }));
  const arns: string[] = [];
  for (let i = 0; i < count; i++) {
    const { composition } = await client.send(new StartCompositionCommand({
      stageArn: stage!.arn, destinations: [{ channel: { channelArn: `arn:aws:ivs:us-east-1:123456789012:channel/Outside${i}` } }],
    }));
    arns.push(composition!.arn!);
  }
  return { arns, remove: () => client.send(new DeleteStageCommand({ arn: stage!.arn })) };
}
