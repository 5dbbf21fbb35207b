import { App, Duration } from 'aws-cdk-lib';
import { StageWithRecordingStack, StageWithRecordingStackProps } from '../examples/stage-with-recording';
import { ParticipantRecordingMediaType, RecordingThumbnails, ThumbnailStorage } from '../lib';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { LifecycleDriver } from '../testing/lifecycle-driver';

/** The example stack deployed, updated and deleted through the handler bundle in the cloud assembly, against the fake. */
describe('lifecycle of the stage-with-recording example', () => {
  let fake: FakeIvsServer;
  beforeAll(async () => { fake = await FakeIvsServer.start(); });
  afterAll(async () => fake.stop());

  const example = (props: StageWithRecordingStackProps = {}) => new StageWithRecordingStack(new App(), 'StageWithRecording', props);

  test('creates the stage with every field as given, updates it in place, and deletes everything', async () => {
    const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint } });
    const created = example();

    // create
    const first = await driver.deploy(created);
    expect(first.reason).toBeUndefined();
    expect(first.status).toBe('SUCCEEDED');
    const stageId = driver.logicalIdOf(created.stage);
    const stageArn = driver.physicalId(stageId);
    const storageArn = [...fake.storageConfigurations.keys()][0];
    expect(fake.storageConfigurations.get(storageArn)).toMatchObject({ name: 'recordings', tags: { app: 'town-hall' } });
    expect(fake.stages.get(stageArn)).toMatchObject({
      name: 'town-hall',
      tags: { team: 'events', app: 'town-hall' },
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: storageArn,
        mediaTypes: ['AUDIO_VIDEO'],
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 30, storage: ['LATEST'] },
        recordingReconnectWindowSeconds: 60,
        hlsConfiguration: { targetSegmentDurationSeconds: 4 },
        recordParticipantReplicas: true,
      },
    });
    expect(driver.attributes(stageId).WhipEndpoint).toBe(fake.stages.get(stageArn)!.endpoints.whip);

    // update: name, recording settings, a tag changed, one added and one removed: same ARN
    const result = await driver.deploy(example({
      stageName: 'town-hall-2',
      recording: {
        mediaType: ParticipantRecordingMediaType.AUDIO_ONLY,
        thumbnails: RecordingThumbnails.interval(Duration.minutes(1), { storage: [ThumbnailStorage.SEQUENTIAL, ThumbnailStorage.LATEST] }),
        hlsTargetSegmentDuration: Duration.seconds(8),
        recordParticipantReplicas: false,
      },
      stageTags: { owner: 'media' },
    }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.map((e) => [e.logicalId, e.requestType])).toEqual([[stageId, 'Update']]);
    expect(driver.physicalId(stageId)).toBe(stageArn);
    expect(fake.stages.size).toBe(1);
    expect(fake.stages.get(stageArn)).toMatchObject({
      name: 'town-hall-2',
      tags: { owner: 'media', app: 'town-hall' },
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: storageArn,
        mediaTypes: ['AUDIO_ONLY'],
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 60, storage: ['SEQUENTIAL', 'LATEST'] },
        recordingReconnectWindowSeconds: 0,
        hlsConfiguration: { targetSegmentDurationSeconds: 8 },
        recordParticipantReplicas: false,
      },
    });

    // delete, in reverse order: the stage before the storage configuration it records to, then the drain of deferred deletes
    const destroyed = await driver.destroy();
    expect(destroyed.status).toBe('SUCCEEDED');
    expect(destroyed.events.map((e) => e.logicalId))
      .toEqual([stageId, expect.stringMatching(/^Storage/), expect.stringMatching(/^cdkivsrealtimeIvsRealTimeProviderDeferredDeletes/)]);
    expect(fake.resourceCount()).toBe(0);
  });
});
