import { onEvent as handler } from '../../handlers/provider/index';
import { CustomResourceEvents, operationsSince, useFakeIvs, withCreateRequest } from '../support/handler-harness';

const fake = useFakeIvs();
const events = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');

async function storageConfigurationArn(): Promise<string> {
  const { PhysicalResourceId } = await handler(new CustomResourceEvents('Custom::IvsRealTimeStorageConfiguration')
    .create({ Request: { s3: { bucketName: 'recordings' } } }));
  return PhysicalResourceId;
}

function recording(storageArn: string, overrides: Record<string, unknown> = {}) {
  return {
    storageConfigurationArn: storageArn,
    mediaTypes: ['AUDIO_VIDEO'],
    thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 30, storage: ['LATEST'] },
    recordingReconnectWindowSeconds: 60,
    hlsConfiguration: { targetSegmentDurationSeconds: 4 },
    recordParticipantReplicas: false,
    ...overrides,
  };
}

describe('stage handler', () => {
  test('create sends every field with its type restored, in one call, and returns the ARN and endpoints', async () => {
    const storageArn = await storageConfigurationArn();
    const before = fake().calls.length;

    const response = await handler(events.create({
      Request: { name: 'town-hall', autoParticipantRecordingConfiguration: recording(storageArn) },
      Tags: { team: 'events' },
    }));

    expect(operationsSince(fake(), before)).toEqual(['CreateStage']);
    const stage = fake().stages.get(response.PhysicalResourceId)!;
    expect(stage.name).toBe('town-hall');
    expect(stage.tags).toEqual(withCreateRequest({ team: 'events' }));
    expect(stage.autoParticipantRecordingConfiguration).toEqual(recording(storageArn));
    expect(response.Data).toEqual({
      Arn: response.PhysicalResourceId,
      WhipEndpoint: stage.endpoints.whip,
      RtmpEndpoint: stage.endpoints.rtmp,
      RtmpsEndpoint: stage.endpoints.rtmps,
      EventsEndpoint: stage.endpoints.events,
    });
    expect(response.Data!.WhipEndpoint).toMatch(/^https:\/\//);
  });

  test('update changes name and recording in place (same ARN) and diffs tags', async () => {
    const storageArn = await storageConfigurationArn();
    const oldProps = { Request: { name: 'a', autoParticipantRecordingConfiguration: recording(storageArn) }, Tags: { keep: '1', drop: '2' } };
    const { PhysicalResourceId: arn } = await handler(events.create(oldProps));
    const newRecording = recording(storageArn, { mediaTypes: ['AUDIO_ONLY'], thumbnailConfiguration: { recordingMode: 'DISABLED' } });
    const before = fake().calls.length;

    const response = await handler(events.update(arn,
      { Request: { name: 'b', autoParticipantRecordingConfiguration: newRecording }, Tags: { keep: '1', add: '3' } }, oldProps));

    expect(response.PhysicalResourceId).toBe(arn);
    expect(operationsSince(fake(), before)).toEqual(['UpdateStage', 'TagResource', 'UntagResource']);
    const stage = fake().stages.get(arn)!;
    expect(stage.name).toBe('b');
    expect(stage.autoParticipantRecordingConfiguration!.mediaTypes).toEqual(['AUDIO_ONLY']);
    expect(stage.autoParticipantRecordingConfiguration!.thumbnailConfiguration!.recordingMode).toBe('DISABLED');
    expect(stage.tags).toEqual(withCreateRequest({ keep: '1', add: '3' }));
  });

  test('update sends only what changed', async () => {
    const storageArn = await storageConfigurationArn();
    const oldProps = { Request: { name: 'a', autoParticipantRecordingConfiguration: recording(storageArn) } };
    const { PhysicalResourceId: arn } = await handler(events.create(oldProps));
    const before = fake().calls.length;

    await handler(events.update(arn, { Request: { ...oldProps.Request, name: 'b' } }, oldProps));

    expect(fake().calls[before].input).toEqual({ arn, name: 'b' });
  });

  test('removing recording from the props turns it off in the service; removing the name clears it', async () => {
    const storageArn = await storageConfigurationArn();
    const oldProps = { Request: { name: 'a', autoParticipantRecordingConfiguration: recording(storageArn) } };
    const { PhysicalResourceId: arn } = await handler(events.create(oldProps));

    await handler(events.update(arn, { Request: {} }, oldProps));

    const stage = fake().stages.get(arn)!;
    expect(stage.name).toBe('');
    expect(stage.autoParticipantRecordingConfiguration?.storageConfigurationArn ?? '').toBe('');
  });

  test('unchanged properties make no change to the stage: only a read, to report its attributes', async () => {
    const props = { Request: { name: 'a' }, Tags: { t: '1' } };
    const created = await handler(events.create(props));
    const before = fake().calls.length;

    const response = await handler(events.update(created.PhysicalResourceId, props, props));

    expect(operationsSince(fake(), before)).toEqual(['GetStage']);
    expect(response).toEqual(created);
  });

  test('a tags-only update calls only the tagging API (and a read for the attributes)', async () => {
    const oldProps = { Request: { name: 'a' } };
    const { PhysicalResourceId: arn } = await handler(events.create(oldProps));
    const before = fake().calls.length;

    await handler(events.update(arn, { ...oldProps, Tags: { env: 'prod' } }, oldProps));

    expect(operationsSince(fake(), before)).toEqual(['GetStage', 'TagResource']);
    expect(fake().stages.get(arn)!.tags).toEqual(withCreateRequest({ env: 'prod' }));
  });

  test('delete removes the stage', async () => {
    const { PhysicalResourceId: arn } = await handler(events.create({ Request: {} }));
    await handler(events.delete(arn, { Request: {} }));
    expect(fake().stages.size).toBe(0);
  });

  describe('guards', () => {
    test('delete of a stage that no longer exists succeeds', async () => {
      const arn = 'arn:aws:ivs:us-east-1:123456789012:stage/gone00000000';
      await expect(handler(events.delete(arn, { Request: {} }))).resolves.toEqual({ PhysicalResourceId: arn });
      expect(fake().callsTo('DeleteStage')[0].errorType).toBe('ResourceNotFoundException');
    });

    test("a service error fails with one short line naming the request, the resource and the service's message", async () => {
      await expect(handler(events.create({ Request: { name: 'not a valid name!' } }))).rejects.toThrow(
        /^Create stage Stage failed: ValidationException: 1 validation error detected: Value 'not a valid name!' at 'name'/);
    });

    test('a delete that conflicts while the stage is busy is retried until the conflict clears', async () => {
      const { PhysicalResourceId: arn } = await handler(events.create({ Request: {} }));
      fake().injectFault({ operation: 'DeleteStage', errorType: 'ConflictException', message: 'stage is busy' });

      await handler(events.delete(arn, { Request: {} }));

      expect(fake().callsTo('DeleteStage').map((c) => c.status)).toEqual([409, 200]);
      expect(fake().stages.size).toBe(0);
    });

    test('throttling is retried by the SDK', async () => {
      fake().injectFault({ operation: 'CreateStage', errorType: 'ThrottlingException', times: 3 });
      const { PhysicalResourceId: arn } = await handler(events.create({ Request: {} }));
      expect(fake().stages.has(arn)).toBe(true);
      expect(fake().callsTo('CreateStage').map((c) => c.status)).toEqual([429, 429, 429, 200]);
    });

    test('an unknown resource type fails clearly', async () => {
      await expect(handler(new CustomResourceEvents('Custom::IvsRealTimeChannel').create({ Request: {} })))
        .rejects.toThrow(/^unsupported resource type Custom::IvsRealTimeChannel; supported: Custom::IvsRealTimeStage/);
    });
  });
});
