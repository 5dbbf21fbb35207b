import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StageRecordingStack, StageRecordingStackProps } from '../examples/stage-recording';
import { ParticipantRecordingMediaType, RecordingThumbnails, Stage, StageRecording, StorageConfiguration } from '../lib';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { LifecycleDriver } from '../testing/lifecycle-driver';

/** A stage, recorded to S3 or not: recording added to, then removed from, a deployed stage. */
class MaybeRecordedStack extends Stack {
  public readonly stage: Stage;
  public readonly recording?: StageRecording;

  constructor(scope: Construct, id: string, recorded: boolean) {
    super(scope, id);
    this.stage = new Stage(this, 'Stage', { stageName: 'lecture' });
    this.recording = recorded ? new StageRecording(this, 'Recording', { stage: this.stage }) : undefined;
  }
}

/** The logical ID of the stack's drain of deferred deletes. */
const DRAIN = expect.stringMatching(/^cdkivsrealtimeIvsRealTimeProviderDeferredDeletes/);

/** Stacks deployed, updated and deleted through the handler bundle in the cloud assembly, against the fake. */
describe('lifecycle of StageRecording', () => {
  let fake: FakeIvsServer;
  beforeAll(async () => { fake = await FakeIvsServer.start(); });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());

  const driver = () => new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint } });

  test('the example records a new stage to a new bucket, changes media type and turns thumbnails on in place, and deletes it', async () => {
    const example = (props: StageRecordingStackProps = {}) => new StageRecordingStack(new App(), 'StageRecording', props);
    const deployer = driver();
    const created = example();

    // create: the storage configuration for the new bucket, then the stage recording to it
    const first = await deployer.deploy(created);
    expect(first.reason).toBeUndefined();
    expect(first.status).toBe('SUCCEEDED');
    const stageId = deployer.logicalIdOf(created.stage);
    const storageId = deployer.logicalIdOf(created.recording.storageConfiguration);
    // first the stack's drain of deferred deletes, which every IVS resource depends on (it is deleted after them).
    expect(first.events.map((e) => [e.logicalId, e.requestType])).toEqual([[DRAIN, 'Create'], [storageId, 'Create'], [stageId, 'Create']]);
    const stageArn = deployer.physicalId(stageId);
    const storageArn = deployer.physicalId(storageId);
    expect(fake.storageConfigurations.get(storageArn)).toMatchObject({
      s3: { bucketName: deployer.physicalId(deployer.logicalIdOf(created.recording.bucket)) },
    });
    expect(fake.stages.get(stageArn)).toMatchObject({
      name: 'webinar',
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: storageArn,
        mediaTypes: ['AUDIO_VIDEO'],
        thumbnailConfiguration: { recordingMode: 'DISABLED' },
        recordingReconnectWindowSeconds: 0,
        hlsConfiguration: { targetSegmentDurationSeconds: 6 },
        recordParticipantReplicas: true,
      },
    });

    // update: audio only, thumbnails on; the stage is updated in place and the storage configuration kept
    const updated = await deployer.deploy(example({
      recording: { mediaType: ParticipantRecordingMediaType.AUDIO_ONLY, thumbnails: RecordingThumbnails.interval(Duration.seconds(30)) },
    }));
    expect(updated.status).toBe('SUCCEEDED');
    expect(updated.events.map((e) => [e.logicalId, e.requestType])).toEqual([[stageId, 'Update']]);
    expect(deployer.physicalId(stageId)).toBe(stageArn);
    expect(fake.callsTo('UpdateStage')).toHaveLength(1);
    expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration).toMatchObject({
      storageConfigurationArn: storageArn,
      mediaTypes: ['AUDIO_ONLY'],
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 30, storage: ['SEQUENTIAL'] },
    });

    // delete: the stage before the storage configuration it records to, then the drain (nothing deferred); the bucket is
    // retained (not an IVS resource)
    const destroyed = await deployer.destroy();
    expect(destroyed.status).toBe('SUCCEEDED');
    expect(destroyed.events.map((e) => [e.logicalId, e.requestType])).toEqual([[stageId, 'Delete'], [storageId, 'Delete'], [DRAIN, 'Delete']]);
    expect(fake.resourceCount()).toBe(0);
  });

  test('recording is turned on for a deployed stage in place, and off again when the StageRecording is removed', async () => {
    const deployer = driver();
    const plain = new MaybeRecordedStack(new App(), 'Lecture', false);
    expect((await deployer.deploy(plain)).status).toBe('SUCCEEDED');
    const stageId = deployer.logicalIdOf(plain.stage);
    const stageArn = deployer.physicalId(stageId);
    expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration?.storageConfigurationArn ?? '').toBe('');

    const recorded = new MaybeRecordedStack(new App(), 'Lecture', true);
    const added = await deployer.deploy(recorded);
    expect(added.status).toBe('SUCCEEDED');
    const storageId = deployer.logicalIdOf(recorded.recording!.storageConfiguration);
    // the stack's first configuration brings the drain of deferred deletes with it (IVS refuses its delete while a composition uses it).
    const drainId = expect.stringMatching(/DeferredDeletes/);
    expect(added.events.map((e) => [e.logicalId, e.requestType])).toEqual([[drainId, 'Create'], [storageId, 'Create'], [stageId, 'Update']]);
    expect(deployer.physicalId(stageId)).toBe(stageArn);
    expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration).toMatchObject({
      storageConfigurationArn: deployer.physicalId(storageId),
      mediaTypes: ['AUDIO_VIDEO'],
    });

    const removed = await deployer.deploy(new MaybeRecordedStack(new App(), 'Lecture', false));
    expect(removed.status).toBe('SUCCEEDED');
    // CloudFormation updates the stage first and deletes the storage configuration in the cleanup phase.
    expect(removed.events.map((e) => [e.logicalId, e.requestType, e.phase])).toEqual([
      [stageId, 'Update', 'deploy'], [storageId, 'Delete', 'cleanup'], [drainId, 'Delete', 'cleanup'],
    ]);
    expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration?.storageConfigurationArn ?? '').toBe('');
    expect(fake.storageConfigurations.size).toBe(0);

    expect((await deployer.destroy()).status).toBe('SUCCEEDED');
    expect(fake.resourceCount()).toBe(0);
  });

  test('a retained stage keeps the storage configuration its StageRecording records to: the stack deletes, and leaves just those two',
    async () => {
      const deployer = driver();
      const stack = new Stack(new App(), 'Kept');
      const stage = new Stage(stack, 'Stage', { removalPolicy: RemovalPolicy.RETAIN });
      const recording = new StageRecording(stack, 'Recording', { stage });
      expect((await deployer.deploy(stack)).status).toBe('SUCCEEDED');
      const stageArn = deployer.physicalId(deployer.logicalIdOf(stage));
      const storageArn = deployer.physicalId(deployer.logicalIdOf(recording.storageConfiguration));

      const destroyed = await deployer.destroy();

      // were the storage configuration deleted, IVS would refuse (the kept stage records to it), and every stack delete would fail.
      expect([destroyed.status, destroyed.reason]).toEqual(['SUCCEEDED', undefined]);
      expect(destroyed.events.map((e) => e.logicalId)).toEqual([DRAIN]);
      expect([...fake.stages.keys(), ...fake.storageConfigurations.keys()]).toEqual([stageArn, storageArn]);
      expect(fake.stages.get(stageArn)!.autoParticipantRecordingConfiguration?.storageConfigurationArn).toBe(storageArn);
    });

  test('a retained stage recording to a storage configuration of the app that is deleted is refused at synth, before any deployment',
    async () => {
      const stack = new Stack(new App(), 'Undeletable');
      const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
      new Stage(stack, 'Stage', { removalPolicy: RemovalPolicy.RETAIN, autoParticipantRecording: { storageConfiguration } });

      await expect(driver().deploy(stack)).rejects
        .toThrow(/\[Undeletable\/Stage\] `removalPolicy` must not keep the stage when deleted while storage configuration 'Undeletable\/Storage', which it records to, is not kept/);
      expect(fake.calls).toEqual([]);
    });
});
