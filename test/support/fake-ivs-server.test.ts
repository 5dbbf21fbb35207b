import { generateKeyPairSync } from 'node:crypto';
import {
  CreateEncoderConfigurationCommand,
  CreateIngestConfigurationCommand,
  CreateParticipantTokenCommand,
  CreateStageCommand,
  CreateStorageConfigurationCommand,
  DeleteEncoderConfigurationCommand,
  DeleteIngestConfigurationCommand,
  DeletePublicKeyCommand,
  DeleteStageCommand,
  DeleteStorageConfigurationCommand,
  GetCompositionCommand,
  GetEncoderConfigurationCommand,
  GetIngestConfigurationCommand,
  GetPublicKeyCommand,
  GetStageCommand,
  GetStorageConfigurationCommand,
  GetCompositionCommandOutput,
  ImportPublicKeyCommand,
  IVSRealTimeClient,
  IVSRealTimeClientConfig,
  IVSRealTimeServiceException,
  ListCompositionsCommand,
  ListEncoderConfigurationsCommand,
  ListIngestConfigurationsCommand,
  ListPublicKeysCommand,
  ListStageSessionsCommand,
  ListStagesCommand,
  ListStorageConfigurationsCommand,
  ListParticipantsCommand,
  ListTagsForResourceCommand,
  StartCompositionCommand,
  StopCompositionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateIngestConfigurationCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-ivs-realtime';
import { compileModelPattern } from '../../testing/fake-ivs/validation';
import { COMPOSITION_IDLE_TIMEOUT_MS, DEFAULT_QUOTAS, FakeIvsServer } from '../../testing/fake-ivs-server';

const ARN_ID = '[a-zA-Z0-9]{12}';

let fake: FakeIvsServer;
/** No retries, so an error answer reaches the test as it left the fake. */
let ivs: IVSRealTimeClient;

function newClient(config: IVSRealTimeClientConfig = {}): IVSRealTimeClient {
  return new IVSRealTimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    endpoint: fake.endpoint,
    ...config,
  });
}

/**
 * Awaits a call expected to fail and returns the SDK's error. IVS error bodies carry only
 * `exceptionMessage`; the SDK (3.1058) copies that into `error.exceptionMessage` and leaves
 * `error.message` as "UnknownError", so handlers must read `exceptionMessage` for the service's text.
 */
async function serviceError(call: Promise<unknown>): Promise<IVSRealTimeServiceException & { exceptionMessage?: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof IVSRealTimeServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function createStorageConfiguration(bucketName = 'recordings-bucket'): Promise<string> {
  const { storageConfiguration } = await ivs.send(new CreateStorageConfigurationCommand({ s3: { bucketName } }));
  return storageConfiguration!.arn!;
}

async function createStage(): Promise<string> {
  const { stage } = await ivs.send(new CreateStageCommand({ name: 'stage' }));
  return stage!.arn!;
}

async function createEncoderConfiguration(): Promise<string> {
  const { encoderConfiguration } = await ivs.send(new CreateEncoderConfigurationCommand({}));
  return encoderConfiguration!.arn!;
}

beforeAll(async () => {
  fake = await FakeIvsServer.start();
  ivs = newClient({ maxAttempts: 1 });
});

afterAll(async () => {
  ivs.destroy();
  await fake.stop();
});

beforeEach(() => fake.reset());

describe('wire format', () => {
  test('listens on 127.0.0.1 with an ephemeral port', () => {
    expect(fake.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('the SDK finds the fake through AWS_ENDPOINT_URL_IVS_REALTIME', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_IVS_REALTIME;
    process.env.AWS_ENDPOINT_URL_IVS_REALTIME = fake.endpoint;
    const fromEnvironment = new IVSRealTimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      await fromEnvironment.send(new CreateStageCommand({ name: 'from-env' }));
      const { stages } = await fromEnvironment.send(new ListStagesCommand({}));
      expect(stages).toEqual([expect.objectContaining({ name: 'from-env' })]);
    } finally {
      fromEnvironment.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_IVS_REALTIME;
      else process.env.AWS_ENDPOINT_URL_IVS_REALTIME = previous;
    }
  });

  test('errors carry the type in x-amzn-ErrorType and the text in exceptionMessage', async () => {
    const response = await fetch(`${fake.endpoint}/GetStage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arn: 'arn:aws:ivs:us-east-1:123456789012:stage/missing12345' }),
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({
      exceptionMessage: 'Stage not found: arn:aws:ivs:us-east-1:123456789012:stage/missing12345',
    });
  });

  test('the SDK puts the service text in exceptionMessage; message reads "UnknownError"', async () => {
    const error = await serviceError(ivs.send(new GetStageCommand({ arn: 'arn:aws:ivs:us-east-1:123456789012:stage/missing12345' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.exceptionMessage).toContain('arn:aws:ivs:us-east-1:123456789012:stage/missing12345');
    expect(error.message).toBe('UnknownError');
  });

  test('timestamps reach the SDK as Dates', async () => {
    const stageArn = await createStage();
    const storageArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const { composition } = await ivs.send(new StartCompositionCommand({
      stageArn,
      destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
    }));
    expect(composition!.startTime).toBeInstanceOf(Date);
    expect(composition!.destinations![0].startTime).toBeInstanceOf(Date);
  });

  test('operations the fake does not model answer 500 naming the operation', async () => {
    const stageArn = await createStage();
    const error = await serviceError(ivs.send(new CreateParticipantTokenCommand({ stageArn })));
    expect(error.name).toBe('InternalServerException');
    expect(error.exceptionMessage).toBe('fake does not implement CreateParticipantToken');
  });

  test('a request matching no operation is answered 404 and logged', async () => {
    const response = await fetch(`${fake.endpoint}/NoSuchOperation`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(fake.calls).toEqual([{ operation: 'POST /NoSuchOperation', input: {}, status: 404, errorType: 'UnknownOperationException' }]);
  });
});

describe('validation', () => {
  test('names the member path, the value and the rule', async () => {
    const error = await serviceError(ivs.send(new CreateStageCommand({ name: 'bad name!' })));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.exceptionMessage).toBe(
      "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]*');
  });

  test('reports every violation, with nested paths and ranges', async () => {
    const error = await serviceError(ivs.send(new CreateStageCommand({
      name: 'x'.repeat(129),
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: 'not-an-arn',
        mediaTypes: ['VIDEO_ONLY' as 'AUDIO_ONLY'],
        hlsConfiguration: { targetSegmentDurationSeconds: 11 },
      },
    })));
    expect(error.exceptionMessage).toMatch(/^4 validation errors detected: /);
    expect(error.exceptionMessage).toContain("at 'name' failed to satisfy constraint: Member must have length less than or equal to 128");
    expect(error.exceptionMessage).toContain("Value 'not-an-arn' at 'autoParticipantRecordingConfiguration.storageConfigurationArn' failed to satisfy constraint: Member must satisfy regular expression pattern");
    expect(error.exceptionMessage).toContain("Value 'VIDEO_ONLY' at 'autoParticipantRecordingConfiguration.mediaTypes[0]' failed to satisfy constraint: Member must satisfy enum value set: [AUDIO_VIDEO, AUDIO_ONLY, NONE]");
    expect(error.exceptionMessage).toContain("Value 11 at 'autoParticipantRecordingConfiguration.hlsConfiguration.targetSegmentDurationSeconds' failed to satisfy constraint: Member must have value less than or equal to 10");
    expect(fake.resourceCount()).toBe(0);
  });

  test('model patterns compile with full-match semantics and Java classes translated', () => {
    expect(compileModelPattern('[a-zA-Z0-9-_]*').test('ok-name_1')).toBe(true);
    expect(compileModelPattern('[a-zA-Z0-9-_]*').test('not ok')).toBe(false);
    const detachable = compileModelPattern('^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+$');
    expect(detachable.test('')).toBe(true);
    expect(detachable.test('arn:aws:ivs:us-east-1:123456789012:stage/abc')).toBe(true);
    expect(detachable.test('arn:aws:ivs:us-east-1:123456789012:stage/abc/x')).toBe(false);
    expect(compileModelPattern('\\p{Alpha}+[\\p{Digit}_]').test('abc_')).toBe(true);
    expect(compileModelPattern('\\p{Alpha}+[\\p{Digit}_]').test('ab1c')).toBe(false);
    expect(compileModelPattern('\\p{IsAlphabetic}\\p{L}').test('éé')).toBe(true);
    expect(compileModelPattern('\\P{Digit}').test('1')).toBe(false);
    expect(compileModelPattern('a.*b').test('a\nb')).toBe(true);
  });

  test('patterns are anchored', async () => {
    const error = await serviceError(ivs.send(new GetStageCommand({ arn: 'xarn:aws:ivs:us-east-1:123456789012:stage/abc' })));
    expect(error.exceptionMessage).toContain("at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern");
  });

  test('reports missing required members', async () => {
    const error = await serviceError(ivs.send(new CreateStorageConfigurationCommand({ s3: {} as { bucketName: string } })));
    expect(error.exceptionMessage).toContain("Value null at 's3.bucketName' failed to satisfy constraint: Member must not be null");
  });

  test('rejects CloudFormation-style stringified scalars, which the SDK sends as they are', async () => {
    const error = await serviceError(ivs.send(new CreateEncoderConfigurationCommand({
      video: { width: '1920' as unknown as number },
    })));
    expect(error.exceptionMessage).toContain("Value '1920' at 'video.width' failed to satisfy constraint: Member must be an integer");
  });

  test('rejects unknown members at any depth (sent raw: the SDK drops members it does not know)', async () => {
    await ivs.send(new CreateStageCommand({ nmae: 'typo' } as unknown as { name: string }));
    expect(fake.callsTo('CreateStage')[0].input).toEqual({});

    const response = await fetch(`${fake.endpoint}/CreateStage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nmae: 'typo', autoParticipantRecordingConfiguration: { storageConfigurationArn: '', mediaType: [] } }),
    });
    expect(response.status).toBe(400);
    const { exceptionMessage } = await response.json() as { exceptionMessage: string };
    expect(exceptionMessage).toContain("Unknown member 'nmae': CreateStageRequest has no such member");
    expect(exceptionMessage).toContain("Unknown member 'autoParticipantRecordingConfiguration.mediaType'");
  });

  test('tags: sizes from the model, no aws: prefix', async () => {
    const tooLong = await serviceError(ivs.send(new CreateStageCommand({ tags: { ['k'.repeat(129)]: 'v' } })));
    expect(tooLong.exceptionMessage).toContain("at 'tags (key 'kkk");
    expect(tooLong.exceptionMessage).toContain('Member must have length less than or equal to 128');
    const reserved = await serviceError(ivs.send(new CreateStageCommand({ tags: { 'aws:owner': 'me' } })));
    expect(reserved.exceptionMessage).toContain('Tag keys must not start with the reserved prefix aws:');
  });

  test('documented rules: RTMP needs insecureIngest, attributes at most 1 KB', async () => {
    const rtmp = await serviceError(ivs.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMP' })));
    expect(rtmp.exceptionMessage).toBe('1 validation error detected: insecureIngest must be true when ingestProtocol is RTMP');

    const attributes = await serviceError(ivs.send(new CreateIngestConfigurationCommand({
      ingestProtocol: 'RTMPS',
      attributes: { a: 'x'.repeat(1024) },
    })));
    expect(attributes.exceptionMessage).toContain("at 'attributes' failed to satisfy constraint: Member must have keys and values totalling at most 1 KB (1024 bytes), got 1025 bytes");
  });

  test('documented rules: one of channel or s3 per destination, grid XOR pip', async () => {
    const stageArn = await createStage();
    const error = await serviceError(ivs.send(new StartCompositionCommand({
      stageArn,
      layout: { grid: {}, pip: {} },
      destinations: [{}],
    })));
    expect(error.exceptionMessage).toContain("at 'layout' failed to satisfy constraint: Only one of grid or pip may be specified");
    expect(error.exceptionMessage).toContain("at 'destinations[0]' failed to satisfy constraint: Exactly one of channel or s3 must be specified");
  });
});

describe('stages', () => {
  test('create fills the recording defaults, endpoints and participant tokens', async () => {
    const storageArn = await createStorageConfiguration();
    const { stage, participantTokens } = await ivs.send(new CreateStageCommand({
      name: 'studio',
      autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn },
      participantTokenConfigurations: [{ userId: 'alice', capabilities: ['PUBLISH'] }],
      tags: { team: 'video' },
    }));
    expect(stage).toEqual({
      arn: expect.stringMatching(new RegExp(`^arn:aws:ivs:us-east-1:123456789012:stage/${ARN_ID}$`)),
      name: 'studio',
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: storageArn,
        mediaTypes: ['AUDIO_VIDEO'],
        thumbnailConfiguration: { recordingMode: 'DISABLED', targetIntervalSeconds: 60, storage: ['SEQUENTIAL'] },
        recordingReconnectWindowSeconds: 0,
        hlsConfiguration: { targetSegmentDurationSeconds: 6 },
        recordParticipantReplicas: true,
      },
      endpoints: {
        events: expect.stringMatching(/^wss:\/\//),
        whip: expect.stringMatching(/^https:\/\//),
        rtmp: expect.stringMatching(/^rtmp:\/\//),
        rtmps: expect.stringMatching(/^rtmps:\/\//),
      },
      tags: { team: 'video' },
    });
    expect(participantTokens).toEqual([expect.objectContaining({
      userId: 'alice',
      capabilities: ['PUBLISH'],
      duration: 720,
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expirationTime: expect.any(Date),
    })]);
    expect(fake.stages.get(stage!.arn!)).toEqual(expect.objectContaining({ name: 'studio', tags: { team: 'video' } }));
  });

  test('a storage configuration that does not exist is a ValidationException', async () => {
    const missing = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/missing12345';
    const error = await serviceError(ivs.send(new CreateStageCommand({
      autoParticipantRecordingConfiguration: { storageConfigurationArn: missing },
    })));
    expect(error.name).toBe('ValidationException');
    expect(error.exceptionMessage).toContain(`Value '${missing}' at 'autoParticipantRecordingConfiguration.storageConfigurationArn' failed to satisfy constraint: StorageConfiguration does not exist`);
  });

  test('get, update, list, delete', async () => {
    const storageArn = await createStorageConfiguration();
    const { stage } = await ivs.send(new CreateStageCommand({
      name: 'before',
      autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn, mediaTypes: ['AUDIO_ONLY'] },
    }));
    const arn = stage!.arn!;
    expect((await ivs.send(new GetStageCommand({ arn }))).stage).toEqual(stage);

    // Omitted members stay as they were.
    const renamed = await ivs.send(new UpdateStageCommand({ arn, name: 'after' }));
    expect(renamed.stage!.name).toBe('after');
    expect(renamed.stage!.autoParticipantRecordingConfiguration!.mediaTypes).toEqual(['AUDIO_ONLY']);

    // An empty storage ARN turns recording off and resets the other fields.
    const { stage: stopped } = await ivs.send(new UpdateStageCommand({
      arn,
      autoParticipantRecordingConfiguration: { storageConfigurationArn: '', mediaTypes: ['AUDIO_ONLY'] },
    }));
    expect(stopped!.name).toBe('after');
    expect(stopped!.autoParticipantRecordingConfiguration).toEqual(expect.objectContaining({ storageConfigurationArn: '', mediaTypes: ['AUDIO_VIDEO'] }));

    expect((await ivs.send(new ListStagesCommand({}))).stages).toEqual([{ arn, name: 'after', tags: {} }]);
    await ivs.send(new DeleteStageCommand({ arn }));
    expect(fake.stages.size).toBe(0);
    const error = await serviceError(ivs.send(new DeleteStageCommand({ arn })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.exceptionMessage).toBe(`Stage not found: ${arn}`);
  });

  test('list pages with maxResults and nextToken', async () => {
    await Promise.all([createStage(), createStage(), createStage()]);
    const first = await ivs.send(new ListStagesCommand({ maxResults: 2 }));
    expect(first.stages).toHaveLength(2);
    const second = await ivs.send(new ListStagesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.stages).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
  });

  test('sessions: activeSessionId, and no recording change while recording', async () => {
    const storageArn = await createStorageConfiguration();
    const { stage } = await ivs.send(new CreateStageCommand({ autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn } }));
    const arn = stage!.arn!;
    const sessionId = fake.startStageSession(arn);
    expect(sessionId).toMatch(/^st-[a-zA-Z0-9]{13}$/);
    expect((await ivs.send(new GetStageCommand({ arn }))).stage!.activeSessionId).toBe(sessionId);

    const error = await serviceError(ivs.send(new UpdateStageCommand({ arn, autoParticipantRecordingConfiguration: { storageConfigurationArn: '' } })));
    expect(error.name).toBe('ConflictException');

    fake.endStageSession(arn);
    expect(fake.stages.get(arn)!.activeSessionId).toBeUndefined();
    expect(fake.stageSessions.get(arn)).toEqual([{ sessionId, startTime: expect.any(Date), endTime: expect.any(Date) }]);
    await ivs.send(new UpdateStageCommand({ arn, autoParticipantRecordingConfiguration: { storageConfigurationArn: '' } }));
  });

  test('ListStageSessions: the stage\'s sessions newest first, with their start and end times; a missing stage is not found', async () => {
    const arn = await createStage();
    const first = fake.startStageSession(arn);
    fake.endStageSession(arn);
    const second = fake.startStageSession(arn);

    const { stageSessions } = await ivs.send(new ListStageSessionsCommand({ stageArn: arn }));

    expect(stageSessions).toEqual([
      { sessionId: second, startTime: expect.any(Date) },
      { sessionId: first, startTime: expect.any(Date), endTime: expect.any(Date) },
    ]);
    expect(stageSessions![1].endTime!.getTime()).toBeGreaterThanOrEqual(stageSessions![1].startTime!.getTime());
    expect((await serviceError(ivs.send(new ListStageSessionsCommand({ stageArn: `${arn}x` })))).name).toBe('ResourceNotFoundException');
  });
});

describe('storage configurations', () => {
  test('create, get, list, delete', async () => {
    const { storageConfiguration } = await ivs.send(new CreateStorageConfigurationCommand({
      name: 'recordings',
      s3: { bucketName: 'my-bucket' },
      tags: { a: 'b' },
    }));
    const arn = storageConfiguration!.arn!;
    expect(arn).toMatch(new RegExp(`^arn:aws:ivs:us-east-1:123456789012:storage-configuration/${ARN_ID}$`));
    expect(storageConfiguration).toEqual({ arn, name: 'recordings', s3: { bucketName: 'my-bucket' }, tags: { a: 'b' } });
    expect((await ivs.send(new GetStorageConfigurationCommand({ arn }))).storageConfiguration).toEqual(storageConfiguration);
    expect((await ivs.send(new ListStorageConfigurationsCommand({}))).storageConfigurations).toEqual([storageConfiguration]);
    await ivs.send(new DeleteStorageConfigurationCommand({ arn }));
    expect(fake.resourceCount()).toBe(0);
  });

  test('deleting one a stage records to is a ConflictException', async () => {
    const storageArn = await createStorageConfiguration();
    const { stage } = await ivs.send(new CreateStageCommand({ autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn } }));
    const error = await serviceError(ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn })));
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.exceptionMessage).toContain(stage!.arn!);

    await ivs.send(new UpdateStageCommand({ arn: stage!.arn!, autoParticipantRecordingConfiguration: { storageConfigurationArn: '' } }));
    await ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn }));
  });

  test('knownBuckets rejects other buckets', async () => {
    const strict = await FakeIvsServer.start({ knownBuckets: ['known-bucket'], region: 'eu-west-1', accountId: '111122223333' });
    const client = new IVSRealTimeClient({
      region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: strict.endpoint, maxAttempts: 1,
    });
    try {
      const { storageConfiguration } = await client.send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'known-bucket' } }));
      expect(storageConfiguration!.arn).toMatch(/^arn:aws:ivs:eu-west-1:111122223333:storage-configuration\//);
      const error = await serviceError(client.send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'other-bucket' } })));
      expect(error.name).toBe('ValidationException');
      expect(error.exceptionMessage).toContain("'other-bucket' at 's3.bucketName'");
    } finally {
      client.destroy();
      await strict.stop();
    }
  });
});

describe('encoder configurations', () => {
  test('create fills video defaults; get, list, delete', async () => {
    const { encoderConfiguration } = await ivs.send(new CreateEncoderConfigurationCommand({ name: 'hd', video: { width: 1920, height: 1080 } }));
    const arn = encoderConfiguration!.arn!;
    expect(encoderConfiguration).toEqual({
      arn, name: 'hd', video: { width: 1920, height: 1080, framerate: 30, bitrate: 2500000 }, tags: {},
    });
    expect((await ivs.send(new GetEncoderConfigurationCommand({ arn }))).encoderConfiguration).toEqual(encoderConfiguration);
    expect((await ivs.send(new ListEncoderConfigurationsCommand({}))).encoderConfigurations).toEqual([{ arn, name: 'hd', tags: {} }]);
    await ivs.send(new DeleteEncoderConfigurationCommand({ arn }));
    expect(fake.encoderConfigurations.size).toBe(0);
  });
});

describe('compositions', () => {
  test('idempotent start, in-use conflicts, list filters, stop', async () => {
    const stageArn = await createStage();
    const storageArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const request = {
      stageArn,
      idempotencyToken: 'token-1',
      destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
    };
    const { composition } = await ivs.send(new StartCompositionCommand(request));
    const arn = composition!.arn!;
    expect(composition).toEqual(expect.objectContaining({
      stageArn,
      state: 'ACTIVE',
      layout: { grid: expect.objectContaining({ gridGap: 2, videoAspectRatio: 'VIDEO' }) },
    }));
    expect((await ivs.send(new StartCompositionCommand(request))).composition!.arn).toBe(arn);
    expect(fake.compositions.size).toBe(1);

    const otherStage = await createStage();
    const reused = await serviceError(ivs.send(new StartCompositionCommand({ ...request, stageArn: otherStage })));
    expect(reused.name).toBe('ConflictException');

    expect((await serviceError(ivs.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn })))).name).toBe('ConflictException');
    expect((await serviceError(ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn })))).name).toBe('ConflictException');

    expect((await ivs.send(new ListCompositionsCommand({ filterByStageArn: stageArn }))).compositions).toHaveLength(1);
    expect((await ivs.send(new ListCompositionsCommand({ filterByStageArn: otherStage }))).compositions).toHaveLength(0);
    expect((await ivs.send(new ListCompositionsCommand({ filterByEncoderConfigurationArn: encoderArn }))).compositions).toHaveLength(1);

    await ivs.send(new StopCompositionCommand({ arn }));
    const stopped = (await ivs.send(new GetCompositionCommand({ arn }))).composition!;
    expect(stopped.state).toBe('STOPPED');
    expect(stopped.endTime).toBeInstanceOf(Date);
    await ivs.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn }));
    await ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn }));
  });

  test('the SDK fills an idempotency token, so calls without one start new compositions', async () => {
    const stageArn = await createStage();
    const destinations = [{ channel: { channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/abcdABCD1234' } }];
    await ivs.send(new StartCompositionCommand({ stageArn, destinations }));
    await ivs.send(new StartCompositionCommand({ stageArn, destinations }));
    expect(fake.compositions.size).toBe(2);
  });

  test('a missing stage or configuration is a ResourceNotFoundException', async () => {
    const missingStage = 'arn:aws:ivs:us-east-1:123456789012:stage/missing12345';
    const error = await serviceError(ivs.send(new StartCompositionCommand({
      stageArn: missingStage,
      destinations: [{ channel: { channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/abcdABCD1234' } }],
    })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.exceptionMessage).toContain(missingStage);
  });
});

describe('ingest configurations', () => {
  test('create, get, update, list, delete', async () => {
    const stageArn = await createStage();
    const { ingestConfiguration } = await ivs.send(new CreateIngestConfigurationCommand({
      name: 'encoder', ingestProtocol: 'RTMPS', userId: 'obs',
    }));
    const arn = ingestConfiguration!.arn!;
    const id = arn.split('/')[1];
    expect(ingestConfiguration).toEqual(expect.objectContaining({
      name: 'encoder',
      ingestProtocol: 'RTMPS',
      state: 'INACTIVE',
      stageArn: '',
      userId: 'obs',
      redundantIngest: false,
      participantId: expect.stringMatching(/^[a-zA-Z0-9]+$/),
      streamKey: expect.stringMatching(new RegExp(`^rt_123456789012_us-east-1_${id}_.+$`)),
    }));
    expect((await ivs.send(new GetIngestConfigurationCommand({ arn }))).ingestConfiguration).toEqual(ingestConfiguration);

    const { ingestConfiguration: updated } = await ivs.send(new UpdateIngestConfigurationCommand({ arn, stageArn, redundantIngest: true }));
    expect(updated!.stageArn).toBe(stageArn);
    expect(updated!.redundantIngestCredentials).toEqual([{ participantId: expect.any(String), streamKey: expect.stringMatching(/^rt_/) }]);
    expect((await ivs.send(new ListIngestConfigurationsCommand({ filterByStageArn: stageArn }))).ingestConfigurations).toHaveLength(1);
    expect((await ivs.send(new ListIngestConfigurationsCommand({ filterByState: 'ACTIVE' }))).ingestConfigurations).toHaveLength(0);

    await ivs.send(new DeleteIngestConfigurationCommand({ arn }));
    expect(fake.ingestConfigurations.size).toBe(0);
  });

  test('a stage that does not exist is a ValidationException', async () => {
    const error = await serviceError(ivs.send(new CreateIngestConfigurationCommand({
      ingestProtocol: 'RTMPS', stageArn: 'arn:aws:ivs:us-east-1:123456789012:stage/missing12345',
    })));
    expect(error.name).toBe('ValidationException');
    expect(error.exceptionMessage).toContain("at 'stageArn' failed to satisfy constraint: Stage does not exist");
  });

  test('an active ingest configuration cannot be updated, nor deleted without force', async () => {
    const { ingestConfiguration } = await ivs.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMP', insecureIngest: true }));
    const arn = ingestConfiguration!.arn!;
    fake.setIngestState(arn, 'ACTIVE');

    const update = await serviceError(ivs.send(new UpdateIngestConfigurationCommand({ arn, stageArn: '' })));
    expect(update.name).toBe('ConflictException');
    const remove = await serviceError(ivs.send(new DeleteIngestConfigurationCommand({ arn })));
    expect(remove.name).toBe('ConflictException');
    expect(remove.exceptionMessage).toContain('is active');

    await ivs.send(new DeleteIngestConfigurationCommand({ arn, force: true }));
    expect(fake.resourceCount()).toBe(0);
  });
});

describe('public keys', () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

  test('import, get, list, delete; the same material twice is a ConflictException', async () => {
    const { publicKey } = await ivs.send(new ImportPublicKeyCommand({ name: 'signer', publicKeyMaterial: p384 }));
    const arn = publicKey!.arn!;
    expect(publicKey).toEqual({
      arn: expect.stringMatching(new RegExp(`^arn:aws:ivs:us-east-1:123456789012:public-key/${ARN_ID}$`)),
      name: 'signer',
      publicKeyMaterial: p384,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      tags: {},
    });
    expect((await ivs.send(new GetPublicKeyCommand({ arn }))).publicKey).toEqual(publicKey);
    expect((await ivs.send(new ListPublicKeysCommand({}))).publicKeys).toEqual([{ arn, name: 'signer', tags: {} }]);

    // Different text, same key: the fake compares the decoded key, not the string.
    const duplicate = await serviceError(ivs.send(new ImportPublicKeyCommand({ publicKeyMaterial: `${p384.replace(/\n/g, '\r\n')}` })));
    expect(duplicate.name).toBe('ConflictException');
    expect(duplicate.exceptionMessage).toContain(arn);

    await ivs.send(new DeletePublicKeyCommand({ arn }));
    expect(fake.publicKeys.size).toBe(0);
  });

  test('only EC P-256 and P-384 keys are accepted', async () => {
    // four imports at once: over the 3 per second public key operations are allowed.
    fake.setRateLimits('none');
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await ivs.send(new ImportPublicKeyCommand({ publicKeyMaterial: p256 }));

    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const rsaError = await serviceError(ivs.send(new ImportPublicKeyCommand({ publicKeyMaterial: rsa })));
    expect(rsaError.exceptionMessage).toContain("at 'publicKeyMaterial' failed to satisfy constraint: Member must be an EC P-256 or P-384 public key (ES256/ES384), got key type rsa");

    const garbled = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    const garbledError = await serviceError(ivs.send(new ImportPublicKeyCommand({ publicKeyMaterial: garbled })));
    expect(garbledError.exceptionMessage).toContain('Member must be a valid PEM public key (');

    const notPem = await serviceError(ivs.send(new ImportPublicKeyCommand({ publicKeyMaterial: 'ssh-ed25519 AAAA' })));
    expect(notPem.exceptionMessage).toContain('Member must satisfy regular expression pattern');
  });
});

describe('tags', () => {
  test('tag, untag and list through the SDK', async () => {
    const { stage } = await ivs.send(new CreateStageCommand({ tags: { keep: '1', drop: '2' } }));
    const resourceArn = stage!.arn!;
    await ivs.send(new TagResourceCommand({ resourceArn, tags: { added: 'a b/c' } }));
    await ivs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['drop', 'absent'] }));
    expect((await ivs.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ keep: '1', added: 'a b/c' });
    expect(fake.stages.get(resourceArn)!.tags).toEqual({ keep: '1', added: 'a b/c' });
    expect(fake.callsTo('UntagResource')[0].input).toEqual({ resourceArn, tagKeys: ['drop', 'absent'] });
  });

  test('works on every resource type', async () => {
    const arns = [
      await createStage(),
      await createStorageConfiguration(),
      await createEncoderConfiguration(),
      (await ivs.send(new CreateIngestConfigurationCommand({ ingestProtocol: 'RTMPS' }))).ingestConfiguration!.arn!,
    ];
    for (const resourceArn of arns) {
      await ivs.send(new TagResourceCommand({ resourceArn, tags: { k: 'v' } }));
      expect((await ivs.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ k: 'v' });
    }
  });

  test('an unknown ARN is a ResourceNotFoundException; a malformed one a ValidationException', async () => {
    const missing = 'arn:aws:ivs:us-east-1:123456789012:stage/missing12345';
    const notFound = await serviceError(ivs.send(new ListTagsForResourceCommand({ resourceArn: missing })));
    expect(notFound.name).toBe('ResourceNotFoundException');
    expect(notFound.exceptionMessage).toContain(missing);

    const channel = await serviceError(ivs.send(new TagResourceCommand({ resourceArn: 'arn:aws:ivs:us-east-1:123456789012:channel/abc', tags: {} })));
    expect(channel.name).toBe('ValidationException');
    expect(channel.exceptionMessage).toContain("at 'resourceArn' failed to satisfy constraint: Member must be an IVS Real-Time resource ARN");
  });

  test('at most 50 tags after merging; untag needs at least one key', async () => {
    const fortyNine = Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`key${index}`, 'v']));
    const { stage } = await ivs.send(new CreateStageCommand({ tags: fortyNine }));
    const resourceArn = stage!.arn!;
    await ivs.send(new TagResourceCommand({ resourceArn, tags: { key0: 'replaced', fifty: 'v' } }));
    const error = await serviceError(ivs.send(new TagResourceCommand({ resourceArn, tags: { fiftyOne: 'v' } })));
    expect(error.exceptionMessage).toContain('a resource can have at most 50 tags, this request would leave it with 51');

    // The SDK sends an empty tagKeys list as no query parameter at all, i.e. a missing required member.
    const empty = await serviceError(ivs.send(new UntagResourceCommand({ resourceArn, tagKeys: [] })));
    expect(empty.exceptionMessage).toContain("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  });
});

describe('call log', () => {
  test('records every request in arrival order, rejected ones included', async () => {
    const arn = await createStage();
    await serviceError(ivs.send(new GetStageCommand({ arn: 'bad' })));
    expect(fake.calls).toEqual([
      { operation: 'CreateStage', input: { name: 'stage' }, status: 200 },
      { operation: 'GetStage', input: { arn: 'bad' }, status: 400, errorType: 'ValidationException' },
    ]);
    expect(fake.callsTo('CreateStage')).toHaveLength(1);
    expect(fake.stages.has(arn)).toBe(true);
  });

  test('reset forgets resources and calls', async () => {
    await createStage();
    fake.reset();
    expect(fake.calls).toEqual([]);
    expect(fake.resourceCount()).toBe(0);
  });
});

describe('fault injection', () => {
  test('an injected 429 is retried by the SDK and the retry succeeds', async () => {
    const retrying = newClient();
    try {
      fake.injectFault({ operation: 'CreateStage', errorType: 'ThrottlingException', status: 429 });
      const { stage } = await retrying.send(new CreateStageCommand({ name: 'retried' }));
      expect(stage!.name).toBe('retried');
      expect(fake.callsTo('CreateStage').map((call) => call.status)).toEqual([429, 200]);
      expect(fake.stages.size).toBe(1);
    } finally {
      retrying.destroy();
    }
  });

  test('a persistent 500 is returned once the SDK runs out of attempts', async () => {
    const retrying = newClient();
    try {
      fake.injectFault({ errorType: 'InternalServerException', status: 500, message: 'boom', times: Infinity });
      const error = await serviceError(retrying.send(new ListStagesCommand({})));
      expect(error.name).toBe('InternalServerException');
      expect(error.exceptionMessage).toBe('boom');
      // The SDK's default is 3 attempts.
      expect(error.$metadata.attempts).toBe(3);
      expect(fake.callsTo('ListStages').map((call) => call.status)).toEqual([500, 500, 500]);
    } finally {
      retrying.destroy();
    }
  });

  test('faults match their operation and are consumed in order; status defaults from the type', async () => {
    fake.injectFault({ operation: 'GetStage', errorType: 'AccessDeniedException' });
    fake.injectFault({ errorType: 'ConflictException', times: 2 });
    const createError = await serviceError(ivs.send(new CreateStageCommand({})));
    expect(createError.name).toBe('ConflictException');
    const getError = await serviceError(ivs.send(new GetStageCommand({ arn: 'arn:aws:ivs:us-east-1:123456789012:stage/abc' })));
    expect(getError.name).toBe('AccessDeniedException');
    expect(getError.$metadata.httpStatusCode).toBe(403);
    expect((await serviceError(ivs.send(new ListStagesCommand({})))).name).toBe('ConflictException');
    await ivs.send(new ListStagesCommand({}));
    fake.injectFault({ errorType: 'ConflictException' });
    fake.clearFaults();
    await ivs.send(new ListStagesCommand({}));
  });

  test('delays hold the answer back', async () => {
    fake.injectDelay({ operation: 'ListStages', delayMs: 150 });
    const started = Date.now();
    await ivs.send(new ListStagesCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('rate limiting', () => {
  test('throttles the excess per operation and counts it', async () => {
    fake.setRateLimit(2);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => ivs.send(new ListStagesCommand({}))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected.map((result) => result.reason.name)).toEqual(Array(3).fill('ThrottlingException'));
    expect(rejected[0].reason.$metadata.httpStatusCode).toBe(429);
    expect(fake.throttledCount).toBe(3);

    // Another operation has its own allowance.
    await ivs.send(new ListStorageConfigurationsCommand({}));
    expect(fake.throttledCount).toBe(3);
  });

  test('the option applies from start, and reset restores it', async () => {
    const limited = await FakeIvsServer.start({ rateLimitPerSecond: 1 });
    const client = new IVSRealTimeClient({
      region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: limited.endpoint, maxAttempts: 1,
    });
    try {
      await client.send(new ListStagesCommand({}));
      expect((await serviceError(client.send(new ListStagesCommand({})))).name).toBe('ThrottlingException');
      limited.setRateLimit(undefined);
      await client.send(new ListStagesCommand({}));
      limited.reset();
      expect(limited.throttledCount).toBe(0);
      await client.send(new ListStagesCommand({}));
      expect((await serviceError(client.send(new ListStagesCommand({})))).name).toBe('ThrottlingException');
    } finally {
      client.destroy();
      await limited.stop();
    }
  });
});

describe('service quotas', () => {
  /** How many of `count` simultaneous calls the rate limiter answers 429. */
  async function throttled(count: number, call: () => Promise<unknown>): Promise<number> {
    const before = fake.throttledCount;
    await Promise.allSettled(Array.from({ length: count }, call));
    return fake.throttledCount - before;
  }

  test('rates default to the service\'s quotas per operation: 5, public keys 3, tags 10, CreateParticipantToken 50', async () => {
    const stageArn = await createStage();
    expect(await throttled(7, () => ivs.send(new ListStagesCommand({})))).toBe(2);
    expect(await throttled(5, () => ivs.send(new ListPublicKeysCommand({})))).toBe(2);
    expect(await throttled(12, () => ivs.send(new ListTagsForResourceCommand({ resourceArn: stageArn })))).toBe(2);
    expect(await throttled(52, () => ivs.send(new CreateParticipantTokenCommand({ stageArn })))).toBe(2);
  });

  test('rateLimits: none, or a limit per operation over the service\'s', async () => {
    fake.setRateLimits('none');
    expect(await throttled(8, () => ivs.send(new ListStagesCommand({})))).toBe(0);
    fake.setRateLimits({ ListStages: 1 });
    expect(await throttled(3, () => ivs.send(new ListStagesCommand({})))).toBe(2);
    expect(await throttled(7, () => ivs.send(new ListStorageConfigurationsCommand({})))).toBe(2);
    fake.reset();
    expect(await throttled(7, () => ivs.send(new ListStagesCommand({})))).toBe(2);
  });

  test('20 encoder configurations per account, then ServiceQuotaExceededException (402); setQuotas changes it', async () => {
    fake.setRateLimits('none');
    expect(DEFAULT_QUOTAS.encoderConfigurations).toBe(20);
    await Promise.all(Array.from({ length: 20 }, () => createEncoderConfiguration()));
    const refused = await serviceError(createEncoderConfiguration());
    expect(refused.name).toBe('ServiceQuotaExceededException');
    expect(refused.$metadata.httpStatusCode).toBe(402);
    expect(fake.encoderConfigurations.size).toBe(20);

    fake.setQuotas({ encoderConfigurations: 21 });
    await createEncoderConfiguration();
    fake.reset();
    fake.setQuotas({ encoderConfigurations: 1 });
    await createEncoderConfiguration();
    expect((await serviceError(createEncoderConfiguration())).name).toBe('ServiceQuotaExceededException');
  });

  test('5 compositions at once; a stopped one no longer counts', async () => {
    fake.setRateLimits('none');
    const storageConfigurationArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const start = async () => (await ivs.send(new StartCompositionCommand({
      stageArn: await createStage(),
      destinations: [{ s3: { storageConfigurationArn, encoderConfigurationArns: [encoderArn] } }],
    }))).composition!.arn!;
    const started = await Promise.all(Array.from({ length: 5 }, start));
    const refused = await serviceError(start());
    expect(refused.name).toBe('ServiceQuotaExceededException');
    expect(refused.$metadata.httpStatusCode).toBe(402);

    await ivs.send(new StopCompositionCommand({ arn: started[0] }));
    await start();
  });

  test('1,000 stages per Region, then ServiceQuotaExceededException; setQuotas changes it', async () => {
    fake.setRateLimits('none');
    expect(DEFAULT_QUOTAS.stages).toBe(1000);
    fake.setQuotas({ stages: 2 });
    await createStage();
    await createStage();
    const refused = await serviceError(createStage());
    expect(refused.name).toBe('ServiceQuotaExceededException');
    expect(refused.$metadata.httpStatusCode).toBe(402);
    expect(fake.stages.size).toBe(2);
    fake.reset();
    fake.setRateLimits('none');
    await Promise.all(Array.from({ length: 1000 }, () => createStage()));
    expect((await serviceError(createStage())).name).toBe('ServiceQuotaExceededException');
  });

  test('5 compositions at once per stage', async () => {
    fake.setRateLimits('none');
    expect(DEFAULT_QUOTAS.compositionsPerStage).toBe(5);
    fake.setQuotas({ concurrentCompositions: 100, compositionsPerStage: 2 });
    const storageConfigurationArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const stageArn = await createStage();
    const start = async (arn: string) => ivs.send(new StartCompositionCommand({
      stageArn: arn, destinations: [{ s3: { storageConfigurationArn, encoderConfigurationArns: [encoderArn] } }],
    }));
    await start(stageArn);
    await start(stageArn);
    const refused = await serviceError(start(stageArn));
    expect(refused.name).toBe('ServiceQuotaExceededException');
    expect(fake.compositions.size).toBe(2);
    await start(await createStage()); // another stage has its own
  });

  test('12 publishers per stage and 1,000 in the Region: a further publish is refused', async () => {
    expect(DEFAULT_QUOTAS.publishersPerStage).toBe(12);
    expect(DEFAULT_QUOTAS.concurrentPublishers).toBe(1000);
    const stageArn = await createStage();
    fake.startStageSession(stageArn);
    const publishers = Array.from({ length: 12 }, () => fake.joinParticipant(stageArn, { published: true }));
    expect(() => fake.joinParticipant(stageArn, { published: true })).toThrow(/Publishers per stage: the quota of 12/);
    const viewer = fake.joinParticipant(stageArn);
    expect(() => fake.setParticipantPublished(stageArn, viewer, true)).toThrow(/Publishers per stage/);
    fake.setParticipantPublished(stageArn, publishers[0], false);
    fake.setParticipantPublished(stageArn, viewer, true);

    fake.setQuotas({ concurrentPublishers: 13 });
    const other = await createStage();
    fake.startStageSession(other);
    fake.joinParticipant(other, { published: true });
    expect(() => fake.joinParticipant(other, { published: true })).toThrow(/Concurrent publishers per Region: the quota of 13/);
  });

  test('destinations: at most 2 per composition, the model\'s limit (ValidationException)', async () => {
    const storageConfigurationArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const destination = { s3: { storageConfigurationArn, encoderConfigurationArns: [encoderArn] } };
    const refused = await serviceError(ivs.send(new StartCompositionCommand({
      stageArn: await createStage(), destinations: [destination, destination, destination],
    })));
    expect(refused.name).toBe('ValidationException');
    expect(fake.compositions.size).toBe(0);
  });
});

describe('composition lifetime', () => {
  const IDLE_MS = 150;

  async function startComposition(stageArn: string): Promise<{ arn: string; encoderArn: string; storageArn: string }> {
    const storageArn = await createStorageConfiguration();
    const encoderArn = await createEncoderConfiguration();
    const { composition } = await ivs.send(new StartCompositionCommand({
      stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
    }));
    return { arn: composition!.arn!, encoderArn, storageArn };
  }

  const state = async (arn: string): Promise<GetCompositionCommandOutput['composition']> =>
    (await ivs.send(new GetCompositionCommand({ arn }))).composition;
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('on a stage with nobody, it stops after the idle timeout, holding its configurations until then', async () => {
    fake.setCompositionIdleTimeout(IDLE_MS);
    const { arn, encoderArn, storageArn } = await startComposition(await createStage());

    expect((await serviceError(ivs.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn })))).name).toBe('ConflictException');
    expect((await serviceError(ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn })))).name).toBe('ConflictException');
    await wait(IDLE_MS + 100);

    expect(await state(arn)).toMatchObject({ state: 'STOPPED', endTime: expect.any(Date) });
    await ivs.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn }));
    await ivs.send(new DeleteStorageConfigurationCommand({ arn: storageArn }));
  });

  test('stays active while a participant is on the stage; stops the idle timeout after the last one leaves', async () => {
    fake.setCompositionIdleTimeout(IDLE_MS);
    const stageArn = await createStage();
    fake.startStageSession(stageArn);
    const publisher = fake.joinParticipant(stageArn, { published: true });
    const viewer = fake.joinParticipant(stageArn);
    const { arn } = await startComposition(stageArn);

    await wait(IDLE_MS + 100);
    expect((await state(arn))!.state).toBe('ACTIVE');
    fake.setParticipantPublished(stageArn, publisher, false);
    fake.leaveParticipant(stageArn, publisher);
    await wait(IDLE_MS + 100);
    expect((await state(arn))!.state).toBe('ACTIVE');

    fake.leaveParticipant(stageArn, viewer);
    const left = Date.now();
    expect((await state(arn))!.state).toBe('ACTIVE');
    await wait(IDLE_MS + 100);
    const stopped = await state(arn);
    expect(stopped!.state).toBe('STOPPED');
    expect(stopped!.endTime!.getTime() - left).toBeGreaterThanOrEqual(IDLE_MS - 10);
    const [session] = fake.stageSessions.get(stageArn)!;
    const { participants } = await ivs.send(new ListParticipantsCommand({ stageArn, sessionId: session.sessionId }));
    expect(participants!.map((p) => [p.state, p.published])).toEqual([['DISCONNECTED', false], ['DISCONNECTED', false]]);
  });

  test('the last participant leaving ends the session (at once; IVS, some time later): recording changes are allowed again', async () => {
    const storageConfigurationArn = await createStorageConfiguration();
    const { stage } = await ivs.send(new CreateStageCommand({ autoParticipantRecordingConfiguration: { storageConfigurationArn, mediaTypes: ['AUDIO_VIDEO'] } }));
    const stageArn = stage!.arn!;
    const sessionId = fake.startStageSession(stageArn);
    const first = fake.joinParticipant(stageArn, { published: true });
    const second = fake.joinParticipant(stageArn);
    fake.leaveParticipant(stageArn, first);
    expect(fake.stages.get(stageArn)!.activeSessionId).toBe(sessionId);
    fake.leaveParticipant(stageArn, second);
    expect(fake.stages.get(stageArn)!.activeSessionId).toBeUndefined();
    expect(fake.stageSessions.get(stageArn)![0].endTime).toBeInstanceOf(Date);
    await ivs.send(new UpdateStageCommand({ arn: stageArn, autoParticipantRecordingConfiguration: { storageConfigurationArn, mediaTypes: ['AUDIO_ONLY'] } }));
    expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration!.mediaTypes).toEqual(['AUDIO_ONLY']);
  });

  test('someone joining in time keeps it; ending the session starts the timeout', async () => {
    fake.setCompositionIdleTimeout(IDLE_MS);
    const stageArn = await createStage();
    const { arn } = await startComposition(stageArn);
    fake.startStageSession(stageArn);
    fake.joinParticipant(stageArn, { published: true });

    await wait(IDLE_MS + 100);
    expect((await state(arn))!.state).toBe('ACTIVE');
    fake.endStageSession(stageArn);
    await wait(IDLE_MS + 100);
    expect((await state(arn))!.state).toBe('STOPPED');
  });

  test('the idle timeout is a minute unless told otherwise, from the option too', async () => {
    expect(COMPOSITION_IDLE_TIMEOUT_MS).toBe(60_000);
    const { arn } = await startComposition(await createStage());
    const quick = await FakeIvsServer.start({ compositionIdleTimeoutMs: IDLE_MS });
    try {
      const client = new IVSRealTimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: quick.endpoint });
      const { stage } = await client.send(new CreateStageCommand({}));
      const { storageConfiguration } = await client.send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'recordings-bucket' } }));
      const { encoderConfiguration } = await client.send(new CreateEncoderConfigurationCommand({}));
      const { composition } = await client.send(new StartCompositionCommand({
        stageArn: stage!.arn,
        destinations: [{ s3: { storageConfigurationArn: storageConfiguration!.arn, encoderConfigurationArns: [encoderConfiguration!.arn!] } }],
      }));
      await wait(IDLE_MS + 100);
      expect(quick.compositions.get(composition!.arn!)!.state).toBe('STOPPED');
      expect((await state(arn))!.state).toBe('ACTIVE');
      client.destroy();
    } finally {
      await quick.stop();
    }
  });
});

describe('lost answers', () => {
  let retrying: IVSRealTimeClient;
  beforeEach(() => {
    retrying = newClient();
  });
  afterEach(() => retrying.destroy());

  test.each([
    ['error', 500],
    ['reset', -1],
  ] as const)('%s: the create takes effect, the SDK retries it, and IVS creates a second stage', async (answer, status) => {
    fake.injectLostAnswer({ operation: 'CreateStage', answer });

    const { stage } = await retrying.send(new CreateStageCommand({ name: 'twice' }));

    expect(fake.stages.size).toBe(2);
    expect(fake.stages.has(stage!.arn!)).toBe(true);
    expect(fake.callsTo('CreateStage').map((call) => [call.status, call.lostAnswer])).toEqual([[status, answer], [200, undefined]]);
  });

  test('timeout: no answer until the client gives up; the stage exists all the same', async () => {
    const impatient = newClient({ maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    try {
      fake.injectLostAnswer({ operation: 'CreateStage', answer: 'timeout' });
      const started = Date.now();
      await expect(impatient.send(new CreateStageCommand({}))).rejects.toThrow();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(fake.stages.size).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fake.callsTo('CreateStage').map((call) => [call.status, call.lostAnswer])).toEqual([[-1, 'timeout']]);
    } finally {
      impatient.destroy();
    }
  });

  test('timeout: clearFaults drops the held connection', async () => {
    fake.injectLostAnswer({ answer: 'timeout' });
    const pending = ivs.send(new ListStagesCommand({}));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.calls.map((call) => call.status)).toEqual([0]);

    fake.clearFaults();

    await expect(pending).rejects.toThrow();
    expect(fake.calls.map((call) => call.status)).toEqual([-1]);
  });

  test('a request the service refuses is answered as usual; the next one that takes effect loses its answer', async () => {
    fake.injectLostAnswer({ operation: 'DeleteStage', answer: 'error' });
    const missing = await serviceError(ivs.send(new DeleteStageCommand({ arn: 'arn:aws:ivs:us-east-1:123456789012:stage/gone' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    const arn = await createStage();

    expect((await serviceError(ivs.send(new DeleteStageCommand({ arn })))).name).toBe('InternalServerException');

    expect(fake.stages.size).toBe(0);
    expect(fake.callsTo('DeleteStage').map((call) => call.lostAnswer)).toEqual([undefined, 'error']);
  });

  test('a fraction of calls, drawn from seeded randomness: the same seed loses the same answers', async () => {
    const outcomes = async (seed: number): Promise<number[]> => {
      const seeded = await FakeIvsServer.start({ seed, rateLimits: 'none' });
      const client = new IVSRealTimeClient({
        region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: seeded.endpoint, maxAttempts: 1,
      });
      try {
        seeded.injectLostAnswer({ operation: 'CreateStage', answer: 'error', fraction: 0.5 });
        seeded.injectFault({ operation: 'ListStages', errorType: 'ThrottlingException', fraction: 0.3 });
        for (let i = 0; i < 20; i++) {
          await Promise.allSettled([client.send(new CreateStageCommand({})), client.send(new ListStagesCommand({}))]);
        }
        expect(seeded.stages.size).toBe(20);
        return seeded.calls.map((call) => call.status);
      } finally {
        client.destroy();
        await seeded.stop();
      }
    };

    const first = await outcomes(7);

    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
    expect(first.filter((status) => status === 500).length).toBeGreaterThan(3);
    expect(first.filter((status) => status === 500).length).toBeLessThan(17);
    expect(first.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});
