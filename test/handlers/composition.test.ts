import * as fs from 'fs';
import * as path from 'path';
import {
  CreateEncoderConfigurationCommand,
  CreateStageCommand,
  CreateStorageConfigurationCommand,
  DeleteStorageConfigurationCommand,
  IVSRealTimeClient,
  StartCompositionCommand,
  StopCompositionCommand,
} from '@aws-sdk/client-ivs-realtime';
import { Duration, Stack } from 'aws-cdk-lib';
import { handler, StageUpdateEvent } from '../../handlers/composition/index';
import { ivsClient } from '../../handlers/shared/client';
import {
  CompositionDestination,
  CompositionLayout,
  EncoderConfiguration,
  PipPosition,
  RecordingThumbnails,
  Stage,
  StageComposition,
  StageCompositionProps,
  StagePool,
  StorageConfiguration,
  ThumbnailStorage,
} from '../../lib';
import { COMPOSITION_CONFIG_ENV } from '../../lib/private/composition-contract';
import { operationsSince, useFakeIvs } from '../support/handler-harness';
import { compositionConfigOf } from '../support/stage-composition';
import { newStack } from '../util';

const fake = useFakeIvs();
const OWNER_TAG = 'cdk-ivs-realtime:stage-composition';
const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGh1234';

/** The IVS resources of one test, made in the fake. */
interface Resources {
  readonly stageArn: string;
  readonly otherStageArn: string;
  readonly storageArn: string;
  readonly encoderArn: string;
}

async function createResources(): Promise<Resources> {
  const stage = async () => (await ivsClient().send(new CreateStageCommand({}))).stage!.arn!;
  const [stageArn, otherStageArn] = [await stage(), await stage()];
  const storageArn = (await ivsClient().send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'recordings' } })))
    .storageConfiguration!.arn!;
  const encoderArn = (await ivsClient().send(new CreateEncoderConfigurationCommand({}))).encoderConfiguration!.arn!;
  return { stageArn, otherStageArn, storageArn, encoderArn };
}

type Declare = (resources: Resources, stack: Stack) => Omit<StageCompositionProps, 'stages' | 'stagePool'>;

const declared: Declare = ({ storageArn, encoderArn }, stack) => ({
  layout: CompositionLayout.pip({ pipParticipantAttribute: 'guest', pipPosition: PipPosition.TOP_LEFT, pipWidth: 320 }),
  destinations: [
    CompositionDestination.s3(StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', storageArn), {
      encoderConfigurations: [EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', encoderArn)],
      hlsTargetSegmentDuration: Duration.seconds(4),
      thumbnails: RecordingThumbnails.interval(Duration.seconds(20), { storage: [ThumbnailStorage.LATEST] }),
    }),
    CompositionDestination.channelFromArn(CHANNEL_ARN, {
      encoderConfiguration: EncoderConfiguration.fromEncoderConfigurationArn(stack, 'ChannelEncoder', encoderArn),
    }),
  ],
  tags: { show: 'weekly' },
});

/**
 * Configures the function as a `StageComposition` of the stage would, with every ARN known: the environment is taken
 * from the synthesized template, so this also checks that the construct renders what the function reads.
 */
function configureFunction(resources: Resources, declare: Declare = declared, options: { stopOnSessionEnd?: boolean } = {}): void {
  const stack = newStack();
  new StageComposition(stack, 'Composition', {
    stages: [Stage.fromStageArn(stack, 'Stage', resources.stageArn)],
    ...declare(resources, stack),
    ...options,
  });
  process.env[COMPOSITION_CONFIG_ENV] = JSON.stringify(compositionConfigOf(stack));
}

const sample = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'events', 'participant-published.json'), 'utf8'));

/** A stage update as EventBridge delivers it, for `stageArn`'s `sessionId`. */
function stageEvent(stageArn: string, sessionId: string, eventName = 'Participant Published', participantId = 'xYz1c2d3e4f'): StageUpdateEvent {
  return {
    ...sample,
    resources: [stageArn],
    detail: { ...sample.detail, session_id: sessionId, event_name: eventName, participant_id: participantId },
  };
}

/** The function's log lines, parsed. */
function logs(): any[] {
  return (console.log as jest.Mock).mock.calls.map(([line]) => JSON.parse(line));
}

/** Stops a composition as IVS does a minute after publishing stops. */
async function endComposition(arn: string): Promise<void> {
  await ivsClient().send(new StopCompositionCommand({ arn }));
}

afterEach(() => {
  delete process.env[COMPOSITION_CONFIG_ENV];
});

describe('composition function', () => {
  let resources: Resources;
  let sessionId: string;

  beforeEach(async () => {
    resources = await createResources();
    sessionId = fake().startStageSession(resources.stageArn);
    configureFunction(resources);
  });

  test('a Participant Published event starts exactly one composition, with the declared layout, destinations and tags', async () => {
    const since = fake().calls.length;

    await handler(stageEvent(resources.stageArn, sessionId));

    expect(operationsSince(fake(), since)).toEqual(['GetStage', 'ListCompositions', 'StartComposition']);
    const [start] = fake().callsTo('StartComposition');
    expect(start.input).toEqual({
      stageArn: resources.stageArn,
      idempotencyToken: expect.stringMatching(new RegExp(`^${sessionId}-[0-9a-f]{16}-0$`)),
      layout: { pip: { pipParticipantAttribute: 'guest', pipPosition: 'TOP_LEFT', pipWidth: 320 } },
      destinations: [
        {
          s3: {
            storageConfigurationArn: resources.storageArn,
            encoderConfigurationArns: [resources.encoderArn],
            recordingConfiguration: { hlsConfiguration: { targetSegmentDurationSeconds: 4 } },
            thumbnailConfigurations: [{ targetIntervalSeconds: 20, storage: ['LATEST'] }],
          },
        },
        { channel: { channelArn: CHANNEL_ARN, encoderConfigurationArn: resources.encoderArn } },
      ],
      tags: { show: 'weekly', [OWNER_TAG]: expect.stringMatching(/^c8[0-9a-f]{40}$/) },
    });
    const compositions = [...fake().compositions.values()];
    expect(compositions).toHaveLength(1);
    expect(compositions[0]).toMatchObject({ stageArn: resources.stageArn, state: 'ACTIVE', layout: { pip: { pipPosition: 'TOP_LEFT' } } });
    expect(logs()).toContainEqual(expect.objectContaining({
      message: 'composition started', stageArn: resources.stageArn, sessionId, participantId: 'xYz1c2d3e4f', compositionArn: compositions[0].arn,
    }));
  });

  test('a duplicate of the event, delivered while the composition runs, starts none', async () => {
    await handler(stageEvent(resources.stageArn, sessionId));
    const since = fake().calls.length;

    await handler(stageEvent(resources.stageArn, sessionId));

    expect(operationsSince(fake(), since)).toEqual(['GetStage', 'ListCompositions']);
    expect(fake().compositions.size).toBe(1);
    expect(logs().at(-1)).toMatchObject({ message: expect.stringMatching(/^already composed/), sessionId });
  });

  test('another participant publishing in the same session starts none', async () => {
    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Published', 'first'));

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Published', 'second'));

    expect(fake().callsTo('StartComposition')).toHaveLength(1);
  });

  test('duplicates handled concurrently start one composition: they share the idempotency token', async () => {
    await Promise.all([1, 2, 3].map(() => handler(stageEvent(resources.stageArn, sessionId))));

    const tokens = fake().callsTo('StartComposition').map((call) => call.input.idempotencyToken);
    expect(new Set(tokens).size).toBe(1);
    expect(fake().compositions.size).toBe(1);
  });

  test('an event replayed after its session ended starts none, nor does a late one while a newer session runs', async () => {
    fake().endStageSession(resources.stageArn);
    await handler(stageEvent(resources.stageArn, sessionId));
    fake().startStageSession(resources.stageArn);
    await handler(stageEvent(resources.stageArn, sessionId));

    expect(fake().callsTo('StartComposition')).toHaveLength(0);
    expect(logs().filter((line) => line.message.startsWith('ignored: the session is no longer'))).toHaveLength(2);
  });

  test('a session whose composition ended starts a new one when someone publishes again, with the next token', async () => {
    await handler(stageEvent(resources.stageArn, sessionId));
    const [first] = [...fake().compositions.keys()];
    await endComposition(first);

    await handler(stageEvent(resources.stageArn, sessionId));

    const tokens = fake().callsTo('StartComposition').map((call) => String(call.input.idempotencyToken));
    expect(tokens.map((token) => token.slice(-2))).toEqual(['-0', '-0', '-1']);
    expect([...fake().compositions.values()].map((composition) => composition.state)).toEqual(['STOPPED', 'ACTIVE']);
  });

  test('a new session of the stage gets its own composition', async () => {
    await handler(stageEvent(resources.stageArn, sessionId));
    await endComposition([...fake().compositions.keys()][0]);
    fake().endStageSession(resources.stageArn);
    const next = fake().startStageSession(resources.stageArn);

    await handler(stageEvent(resources.stageArn, next));

    expect(fake().callsTo('StartComposition').map((call) => String(call.input.idempotencyToken).slice(0, 16))).toEqual([sessionId, next]);
    expect(fake().compositions.size).toBe(2);
  });

  test('a composition of another app on the stage does not stop this one from starting its own', async () => {
    await ivsClient().send(new StartCompositionCommand({
      stageArn: resources.stageArn,
      destinations: [{ channel: { channelArn: CHANNEL_ARN } }],
      tags: { [OWNER_TAG]: 'someone-else' },
    }));

    await handler(stageEvent(resources.stageArn, sessionId));

    expect(fake().compositions.size).toBe(2);
  });

  test('an event for another stage does nothing, and calls nothing', async () => {
    fake().startStageSession(resources.otherStageArn);
    const since = fake().calls.length;

    await handler(stageEvent(resources.otherStageArn, sessionId));

    expect(operationsSince(fake(), since)).toEqual([]);
    expect(logs()).toEqual([expect.objectContaining({ message: 'ignored: not a participant event of a composed stage' })]);
  });

  test('events it does not act on call nothing: Participant Unpublished without stopOnSessionEnd, and no session id', async () => {
    const since = fake().calls.length;

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished'));
    await handler(stageEvent(resources.stageArn, 'st-...'));

    expect(operationsSince(fake(), since)).toEqual([]);
    expect(logs().map((line) => line.message)).toEqual([
      'ignored: not an event this function acts on',
      'ignored: the event has no valid stage session id',
    ]);
  });

  test('a throttled StartComposition is retried by the SDK and succeeds', async () => {
    fake().injectFault({ operation: 'StartComposition', errorType: 'ThrottlingException', times: 2 });

    await handler(stageEvent(resources.stageArn, sessionId));

    expect(fake().callsTo('StartComposition').map((call) => call.status)).toEqual([429, 429, 200]);
    expect(fake().compositions.size).toBe(1);
  });

  test('a conflict that clears (a destination still held by a stopping composition) is retried', async () => {
    fake().injectFault({ operation: 'StartComposition', errorType: 'ConflictException', message: 'channel is busy' });

    await handler(stageEvent(resources.stageArn, sessionId));

    expect(fake().callsTo('StartComposition').map((call) => call.status)).toEqual([409, 200]);
    expect(fake().compositions.size).toBe(1);
  });

  test('a conflict that outlasts the short retry is thrown, for Lambda\'s retries and then the dead-letter queue', async () => {
    fake().injectFault({ operation: 'StartComposition', errorType: 'ConflictException', message: 'channel is busy', times: Infinity });

    await expect(handler(stageEvent(resources.stageArn, sessionId)))
      .rejects.toThrow(`Participant Published on stage ${resources.stageArn}, session ${sessionId}: ConflictException: channel is busy`);
    expect(fake().callsTo('StartComposition').map((call) => call.status)).toEqual([409, 409, 409]);
    expect(logs().at(-1)).toMatchObject({
      message: 'failed, retried by Lambda: Participant Published', reason: 'ConflictException: channel is busy',
    });
  });

  test('the concurrent-composition quota is thrown too: a retry once another composition has ended starts this one', async () => {
    const outside = await Promise.all([1, 2, 3, 4, 5].map(() => ivsClient().send(new StartCompositionCommand({
      stageArn: resources.otherStageArn, destinations: [{ channel: { channelArn: CHANNEL_ARN } }],
    }))));

    await expect(handler(stageEvent(resources.stageArn, sessionId))).rejects.toThrow(/: ServiceQuotaExceededException: /);
    expect(fake().compositions.size).toBe(5);

    await endComposition(outside[0].composition!.arn!);
    await handler(stageEvent(resources.stageArn, sessionId));
    expect([...fake().compositions.values()].filter((composition) => composition.state === 'ACTIVE')).toHaveLength(5);
    expect([...fake().compositions.values()].at(-1)).toMatchObject({ stageArn: resources.stageArn, state: 'ACTIVE' });
  });

  test('a refused StartComposition is logged with its reason, stage and session, and not retried: no crash loop', async () => {
    fake().injectFault({ operation: 'StartComposition', errorType: 'ValidationException', message: 'channel is not in this region', times: 5 });

    await expect(handler(stageEvent(resources.stageArn, sessionId))).resolves.toBeUndefined();

    expect(fake().callsTo('StartComposition')).toHaveLength(1);
    expect(logs().at(-1)).toEqual({
      message: 'failed, not retried (the service refuses this request): Participant Published',
      stageArn: resources.stageArn,
      sessionId,
      eventName: 'Participant Published',
      participantId: 'xYz1c2d3e4f',
      reason: 'ValidationException: channel is not in this region',
    });
  });

  test('a missing storage configuration is a refusal too: logged, not retried', async () => {
    await ivsClient().send(new DeleteStorageConfigurationCommand({ arn: resources.storageArn }));

    await expect(handler(stageEvent(resources.stageArn, sessionId))).resolves.toBeUndefined();

    expect(logs().at(-1)).toMatchObject({ reason: expect.stringMatching(/^ResourceNotFoundException: /), sessionId });
    expect(fake().compositions.size).toBe(0);
  });

  test('a failure that may clear (a server error beyond the SDK\'s retries) is thrown, for Lambda\'s bounded retries', async () => {
    const serverError = Object.assign(new Error('UnknownError'), {
      name: 'InternalServerException', $fault: 'server', $metadata: { httpStatusCode: 500 }, exceptionMessage: 'try again later',
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- send's last overload takes a callback; the handler awaits the promise form
    jest.spyOn(IVSRealTimeClient.prototype, 'send').mockImplementation(() => Promise.reject(serverError));

    await expect(handler(stageEvent(resources.stageArn, sessionId)))
      .rejects.toThrow(`Participant Published on stage ${resources.stageArn}, session ${sessionId}: InternalServerException: try again later`);
    expect(logs().at(-1)).toMatchObject({ message: 'failed, retried by Lambda: Participant Published', sessionId });
  });

  test('without its configuration the function fails with a clear error', async () => {
    delete process.env[COMPOSITION_CONFIG_ENV];

    await expect(handler(stageEvent(resources.stageArn, sessionId))).rejects.toThrow(`${COMPOSITION_CONFIG_ENV} is not set`);
  });

  test('the bundled function (handlers/dist/composition, as Lambda loads it) starts a composition', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is plain JS at a computed path, loaded as Lambda loads it
    const bundled = require(path.join(__dirname, '..', '..', 'handlers', 'dist', 'composition', 'index.js'));

    await bundled.handler(stageEvent(resources.stageArn, sessionId));

    expect(fake().compositions.size).toBe(1);
  });
});

describe('composition function with stopOnSessionEnd', () => {
  let resources: Resources;
  let sessionId: string;

  beforeEach(async () => {
    resources = await createResources();
    sessionId = fake().startStageSession(resources.stageArn);
    configureFunction(resources, declared, { stopOnSessionEnd: true });
  });

  /** Starts this construct's composition of the session; returns its ARN. */
  async function composing(): Promise<string> {
    await handler(stageEvent(resources.stageArn, sessionId));
    return [...fake().compositions.values()].find((composition) => composition.tags[OWNER_TAG])!.arn;
  }

  test('stops the composition when the last publisher unpublishes', async () => {
    const publisher = fake().joinParticipant(resources.stageArn, { published: true });
    const arn = await composing();
    fake().setParticipantPublished(resources.stageArn, publisher, false);

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished', publisher));

    expect(fake().callsTo('StopComposition').map((call) => call.input)).toEqual([{ arn }]);
    expect(fake().compositions.get(arn)?.state).toBe('STOPPED');
    expect(logs().at(-1)).toMatchObject({ message: expect.stringMatching(/^composition stopped/), compositionArn: arn, sessionId });
  });

  test('keeps it while someone still publishes', async () => {
    const first = fake().joinParticipant(resources.stageArn, { published: true });
    fake().joinParticipant(resources.stageArn, { published: true });
    const arn = await composing();
    fake().setParticipantPublished(resources.stageArn, first, false);

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished', first));

    expect(fake().callsTo('StopComposition')).toHaveLength(0);
    expect(fake().compositions.get(arn)?.state).toBe('ACTIVE');
  });

  test('a Participant Published handled after its Unpublished (events out of order) starts nothing', async () => {
    const publisher = fake().joinParticipant(resources.stageArn, { published: true });
    fake().setParticipantPublished(resources.stageArn, publisher, false);
    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished', publisher));

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Published', publisher));

    expect(fake().callsTo('StartComposition')).toHaveLength(0);
    expect(logs().at(-1)).toMatchObject({ message: expect.stringMatching(/^not started: nobody publishes/), sessionId });
  });

  test('a composition whose last publisher stops while it starts is stopped, though that Unpublished found nothing to stop', async () => {
    const publisher = fake().joinParticipant(resources.stageArn, { published: true });
    fake().injectDelay({ operation: 'StartComposition', delayMs: 300 });
    const starting = handler(stageEvent(resources.stageArn, sessionId, 'Participant Published', publisher));
    while (fake().callsTo('StartComposition').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    fake().setParticipantPublished(resources.stageArn, publisher, false);
    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished', publisher));
    expect(logs().at(-1)).toMatchObject({ message: expect.stringMatching(/^nothing to stop/) });
    await starting;

    const [composition] = fake().compositions.values();
    expect(composition.state).toBe('STOPPED');
    expect(logs().at(-1)).toMatchObject({
      message: expect.stringMatching(/^composition stopped: nobody publishes any more/), compositionArn: composition.arn,
    });
  });

  test('a publisher who is still there keeps the composition it started', async () => {
    fake().joinParticipant(resources.stageArn, { published: true });

    const arn = await composing();

    expect(fake().compositions.get(arn)?.state).toBe('ACTIVE');
    expect(fake().callsTo('StopComposition')).toHaveLength(0);
  });

  test('stops only its own compositions, and none of a newer session', async () => {
    const other = await ivsClient().send(new StartCompositionCommand({
      stageArn: resources.stageArn, destinations: [{ channel: { channelArn: CHANNEL_ARN } }],
    }));
    fake().joinParticipant(resources.stageArn, { published: true });
    const arn = await composing();
    fake().endStageSession(resources.stageArn);
    const next = fake().startStageSession(resources.stageArn);

    await handler(stageEvent(resources.stageArn, sessionId, 'Participant Unpublished'));
    expect(fake().callsTo('StopComposition')).toHaveLength(0);

    fake().endStageSession(resources.stageArn);
    await handler(stageEvent(resources.stageArn, next, 'Participant Unpublished'));
    expect(fake().callsTo('StopComposition').map((call) => call.input)).toEqual([{ arn }]);
    expect(fake().compositions.get(other.composition!.arn!)?.state).toBe('ACTIVE');
  });
});

describe('composition function of a stage pool', () => {
  test('composes the stages that carry the pool\'s tag, made at run time, and ignores the others', async () => {
    const resources = await createResources();
    const stack = newStack();
    const pool = new StagePool(stack, 'Pool');
    new StageComposition(stack, 'Composition', { stagePool: pool, ...declared(resources, stack) });
    process.env[COMPOSITION_CONFIG_ENV] = JSON.stringify(compositionConfigOf(stack));
    const poolStage = (await ivsClient().send(new CreateStageCommand({ tags: { [StagePool.POOL_TAG]: pool.poolId } }))).stage!.arn!;
    const poolSession = fake().startStageSession(poolStage);
    const otherSession = fake().startStageSession(resources.stageArn);

    await handler(stageEvent(resources.stageArn, otherSession));
    await handler(stageEvent(poolStage, poolSession));

    expect(fake().callsTo('StartComposition').map((call) => call.input.stageArn)).toEqual([poolStage]);
    expect(logs().filter((line) => line.message === 'ignored: not a stage this function composes').map((line) => line.stageArn))
      .toEqual([resources.stageArn]);
  });
});
