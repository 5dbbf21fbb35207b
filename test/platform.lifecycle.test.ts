import { App } from 'aws-cdk-lib';
import { IvsRealTimePlatformStack, IvsRealTimePlatformStackProps } from '../examples/ivs-realtime-platform';
import { EncoderVideo } from '../lib';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeSecretsManager } from '../testing/fake-secrets-manager';
import { LifecycleDriver } from '../testing/lifecycle-driver';

/** The five resource types deployed together, updated in place and by replacement, and deleted, against the fakes. */
describe('lifecycle of the all-resources example', () => {
  let ivs: FakeIvsServer;
  let secrets: FakeSecretsManager;
  beforeAll(async () => {
    ivs = await FakeIvsServer.start();
    secrets = await FakeSecretsManager.start({ anySecret: true });
  });
  afterAll(async () => {
    await ivs.stop();
    await secrets.stop();
  });

  const example = (props: IvsRealTimePlatformStackProps = {}) => new IvsRealTimePlatformStack(new App(), 'Platform', props);
  const arns = (driver: LifecycleDriver, stack: IvsRealTimePlatformStack) => ({
    stage: driver.physicalId(driver.logicalIdOf(stack.stage)),
    storage: driver.physicalId(driver.logicalIdOf(stack.storageConfiguration)),
    encoder: driver.physicalId(driver.logicalIdOf(stack.encoderConfiguration)),
    ingest: driver.physicalId(driver.logicalIdOf(stack.ingestConfiguration)),
    publicKey: driver.physicalId(driver.logicalIdOf(stack.publicKey)),
  });

  test('create, tag everything in place, replace the encoder and storage configurations, delete everything', async () => {
    const driver = new LifecycleDriver({
      env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
    });

    // create: every resource exists, wired to the others
    const created = example();
    const first = await driver.deploy(created);
    expect(first.reason).toBeUndefined();
    const original = arns(driver, created);
    expect(ivs.resourceCount()).toBe(5);
    expect(ivs.stages.get(original.stage)!.autoParticipantRecordingConfiguration!.storageConfigurationArn).toBe(original.storage);
    expect(ivs.ingestConfigurations.get(original.ingest)).toMatchObject({ stageArn: original.stage, userId: 'obs', ingestProtocol: 'RTMPS' });
    expect(ivs.encoderConfigurations.get(original.encoder)!.video).toEqual({ width: 1280, height: 720, framerate: 30, bitrate: 2500000 });
    expect(driver.attributes(driver.logicalIdOf(created.publicKey)).Fingerprint).toBe(ivs.publicKeys.get(original.publicKey)!.fingerprint);
    // the example keeps the stream key in IVS only: nothing is written to Secrets Manager.
    expect(ivs.ingestConfigurations.get(original.ingest)!.streamKey).toMatch(/^rt_/);
    expect(secrets.values.size).toBe(0);

    // update 1: tags on everything, in place: same ARNs, no resource created or deleted
    const tagged = await driver.deploy(example({ platformTags: { env: 'prod' } }));
    expect(tagged.reason).toBeUndefined();
    expect(tagged.events.every((e) => e.requestType === 'Update')).toBe(true);
    expect(arns(driver, example())).toEqual(original);
    for (const [type, map] of Object.entries({
      stage: ivs.stages,
      storage: ivs.storageConfigurations,
      encoder: ivs.encoderConfigurations,
      ingest: ivs.ingestConfigurations,
      publicKey: ivs.publicKeys,
    })) {
      // besides the user's tag, the one the handler adds to find what its create request made (never shown as a diff).
      expect([type, (map.get(original[type as keyof typeof original]) as { tags?: object }).tags])
        .toEqual([type, { 'env': 'prod', 'cdk-ivs-realtime:create-request': expect.any(String) }]);
    }

    // update 2: new encoder video and another bucket: new encoder and storage configuration ARNs, the stage now
    // records through the new storage configuration, and the old ones are deleted in cleanup
    const changed = example({ platformTags: { env: 'prod' }, recordingBucket: 'archive', encoderVideo: EncoderVideo.landscape1080p() });
    const replaced = await driver.deploy(changed);
    expect(replaced.reason).toBeUndefined();
    const after = arns(driver, changed);
    expect(after.encoder).not.toBe(original.encoder);
    expect(after.storage).not.toBe(original.storage);
    expect({ stage: after.stage, ingest: after.ingest, publicKey: after.publicKey })
      .toEqual({ stage: original.stage, ingest: original.ingest, publicKey: original.publicKey });
    expect(ivs.stages.get(after.stage)!.autoParticipantRecordingConfiguration!.storageConfigurationArn).toBe(after.storage);
    expect(ivs.encoderConfigurations.get(after.encoder)!.video).toMatchObject({ width: 1920, height: 1080 });
    expect(ivs.storageConfigurations.has(original.storage)).toBe(false);
    expect(ivs.encoderConfigurations.has(original.encoder)).toBe(false);
    expect(replaced.events.filter((e) => e.phase === 'cleanup').map((e) => e.physicalId).sort())
      .toEqual([original.encoder, original.storage].sort());
    expect(ivs.resourceCount()).toBe(5);

    // delete: nothing left
    const destroyed = await driver.destroy();
    expect(destroyed.reason).toBeUndefined();
    expect(ivs.resourceCount()).toBe(0);
  });
});
