import { CreateStageCommand, DeleteStageCommand, IVSRealTimeClient, StartCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EncoderConfiguration, EncoderVideo, Stage, StorageConfiguration } from '../lib';
import { DELETE_WHEN_FREE_TAG } from '../lib/private/deferred-deletes-contract';
import { IvsRealTimeProvider } from '../lib/private/provider';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { LifecycleDriver } from '../testing/lifecycle-driver';
import { fireScheduledRule } from '../testing/scheduled-rule';
import { withCreateRequest } from './support/handler-harness';

/** A stage with the encoder and storage configuration a composition of it uses; version 2 changes both (replacing them). */
class ComposedStack extends Stack {
  public readonly stage: Stage;
  public readonly storageConfiguration: StorageConfiguration;
  public readonly encoderConfiguration: EncoderConfiguration;

  constructor(scope: Construct, version: 1 | 2) {
    super(scope, 'Composed');
    this.stage = new Stage(this, 'Stage');
    const bucket = new s3.Bucket(this, 'Recordings', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    this.storageConfiguration = new StorageConfiguration(this, 'Storage', { bucket, storageConfigurationName: `v${version}` });
    this.encoderConfiguration = new EncoderConfiguration(this, 'Encoder', {
      video: version === 1 ? EncoderVideo.landscape720p() : EncoderVideo.landscape1080p(),
    });
  }
}

const DRAIN = /^cdkivsrealtimeIvsRealTimeProviderDeferredDeletes/;

/** The stack's schedule of sweeps of deferred deletes (beside the provider's function). */
function sweepSchedule(stack: Stack): Construct {
  return IvsRealTimeProvider.getOrCreate(stack).node.findChild('SweepSchedule');
}

/**
 * What CloudFormation does with the configurations a composition still uses when they are replaced, or the stack is
 * deleted: through aws-cdk-lib's Provider framework and the handler bundle, against the fake, whose compositions hold
 * their configurations until they stop (a minute after their stage empties, shortened here).
 */
describe('lifecycle of deletes that compositions hold', () => {
  let fake: FakeIvsServer;
  let client: IVSRealTimeClient;
  beforeAll(async () => {
    fake = await FakeIvsServer.start();
    client = new IVSRealTimeClient({
      endpoint: fake.endpoint, region: fake.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const env = () => ({ AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint });
  const logged = (message: string) => (console.log as jest.Mock).mock.calls
    .flatMap(([line]) => { try { return [JSON.parse(line)]; } catch { return []; } })
    .filter((entry) => entry.message === message);

  /** A composition of `stageArn` with the configurations, and a participant connected to the stage, as an app would start one. */
  async function compose(stageArn: string, storageConfigurationArn: string, encoderConfigurationArn: string): Promise<(idleMs?: number) => void> {
    fake.startStageSession(stageArn);
    const participant = fake.joinParticipant(stageArn, { published: true });
    await client.send(new StartCompositionCommand({
      stageArn, destinations: [{ s3: { storageConfigurationArn, encoderConfigurationArns: [encoderConfigurationArn] } }],
    }));
    // the session ends: IVS stops the composition once the stage has been empty for the idle timeout (a minute, in IVS).
    return (idleMs = 0) => {
      fake.setCompositionIdleTimeout(idleMs);
      fake.leaveParticipant(stageArn, participant);
    };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  test('configurations replaced while a composition uses them are deferred, not forgotten: the sweep deletes them once it has ended',
    async () => {
      const driver = new LifecycleDriver({ env: env() });
      const v1 = new ComposedStack(new App(), 1);
      expect((await driver.deploy(v1)).reason).toBeUndefined();
      const arnOf = (construct: Construct) => driver.physicalId(driver.logicalIdOf(construct));
      const [stageArn, oldStorage, oldEncoder] = [arnOf(v1.stage), arnOf(v1.storageConfiguration), arnOf(v1.encoderConfiguration)];
      const endSession = await compose(stageArn, oldStorage, oldEncoder);

      const v2 = new ComposedStack(new App(), 2);
      const updated = await driver.deploy(v2);

      // the cleanup deletes succeed (CloudFormation would ignore a failure, and forget the configurations): no cleanup failure.
      expect([updated.status, updated.reason]).toEqual(['SUCCEEDED', undefined]);
      expect(updated.events.filter((e) => e.phase === 'cleanup').map((e) => [e.logicalId, e.requestType, e.status]).sort()).toEqual([
        [driver.logicalIdOf(v1.encoderConfiguration), 'Delete', 'SUCCESS'],
        [driver.logicalIdOf(v1.storageConfiguration), 'Delete', 'SUCCESS'],
      ]);
      // ...but IVS still has them, marked for the stack's sweep, and the log says what happens next.
      const stackId = driver.sentEvents[0].StackId;
      expect(fake.storageConfigurations.get(oldStorage)?.tags).toEqual(withCreateRequest({ [DELETE_WHEN_FREE_TAG]: stackId }));
      expect(fake.encoderConfigurations.get(oldEncoder)?.tags).toEqual(withCreateRequest({ [DELETE_WHEN_FREE_TAG]: stackId }));
      expect(logged('delete deferred until it is free').map((entry) => [entry.arn, entry.heldBy])).toEqual(expect.arrayContaining([
        [oldStorage, expect.stringMatching(/^storage configuration \S+ is used by composition \S+ of stage \S+ \(participants are connected/)],
        [oldEncoder, expect.stringMatching(/^encoder configuration \S+ is used by composition /)],
      ]));
      expect(arnOf(v2.storageConfiguration)).not.toBe(oldStorage);

      // the deferral armed the sweep, which had been disabled since the stack was created.
      const sweepRule = async () => (await driver.eventBridge()).rule(driver.physicalId(driver.logicalIdOf(sweepSchedule(v2))))?.state;
      expect(await sweepRule()).toBe('ENABLED');

      // a sweep while the composition runs deletes nothing, and fails nothing; the sweep stays armed.
      expect(await fireScheduledRule(driver, v2, { region: fake.region, env: env() }))
        .toEqual({
          ok: true,
          payload: {
            deleted: [], corrected: [], remaining: [expect.stringContaining(oldStorage), expect.stringContaining(oldEncoder)],
          },
        });

      // the session ends, IVS stops the composition, and the next sweep deletes both.
      endSession();
      await settle();
      expect(await fireScheduledRule(driver, v2, { region: fake.region, env: env() }))
        .toEqual({ ok: true, payload: { deleted: [oldStorage, oldEncoder], corrected: [], remaining: [] } });
      // nothing is left deferred: the sweep disarmed itself, and an idle stack costs no invocation.
      expect(await sweepRule()).toBe('DISABLED');
      expect(await fireScheduledRule(driver, v2, { region: fake.region, env: env() })).toBeUndefined();
      expect([...fake.storageConfigurations.keys(), ...fake.encoderConfigurations.keys()])
        .toEqual([arnOf(v2.storageConfiguration), arnOf(v2.encoderConfiguration)]);

      expect((await driver.destroy()).status).toBe('SUCCEEDED');
      expect(fake.resourceCount()).toBe(0);
    });

  test('a stack deleted while a composition outside it uses its configurations fails once, on the drain, naming the resource and the '
    + 'composition; deleted again once the composition has ended, nothing is left', async () => {
    const driver = new LifecycleDriver({ env: env() });
    const stack = new ComposedStack(new App(), 1);
    expect((await driver.deploy(stack)).reason).toBeUndefined();
    const encoderArn = driver.physicalId(driver.logicalIdOf(stack.encoderConfiguration));
    const storageArn = driver.physicalId(driver.logicalIdOf(stack.storageConfiguration));
    const { stage: outside } = await client.send(new CreateStageCommand({ name: 'outside-the-stack' }));
    const endSession = await compose(outside!.arn!, storageArn, encoderArn);

    const first = await driver.destroy();

    expect(first.status).toBe('FAILED');
    // everything but the drain is deleted (as far as CloudFormation knows), the drain after the configurations: that is
    // the one failure. (The stage does not wait for the drain: IVS never refuses a stage's delete for a composition.)
    const ivsIds = [stack.stage, stack.storageConfiguration, stack.encoderConfiguration].map((construct) => driver.logicalIdOf(construct));
    const drain = first.events.findIndex((e) => DRAIN.test(e.logicalId));
    expect(first.events.filter((_, i) => i !== drain).map((e) => [e.logicalId, e.status]).sort()).toEqual(ivsIds.sort().map((id) => [id, 'SUCCESS']));
    expect(first.events[drain]).toMatchObject({ status: 'FAILED' });
    const configurations = [stack.storageConfiguration, stack.encoderConfiguration].map((construct) => driver.logicalIdOf(construct));
    expect(first.events.findIndex((e) => configurations.includes(e.logicalId))).toBeLessThan(drain);
    // (the handler appends a pointer to its logs to its one line)
    expect(first.reason!.split('\n')[0]).toMatch(new RegExp(`^(\\w+): Delete deferred deletes \\1 failed: storage configuration ${storageArn} is used by `
      + `composition \\S+ of stage ${outside!.arn} \\(participants are connected to the stage\\) \\(and 1 more\\): `
      + 'delete the stack again once it is free$'));
    expect(fake.resourceCount()).toBe(3); // the stage outside the stack and the two configurations

    endSession();
    await settle();
    const second = await driver.destroy();

    expect(second).toMatchObject({ status: 'SUCCEEDED', events: [expect.objectContaining({ logicalId: expect.stringMatching(DRAIN) })] });
    expect([...fake.stages.keys()]).toEqual([outside!.arn]);
    await client.send(new DeleteStageCommand({ arn: outside!.arn }));
    expect(fake.resourceCount()).toBe(0);
  });

  test('a stack deleted while a composition IVS is about to stop uses its configurations waits for it, and deletes everything at once',
    async () => {
      const driver = new LifecycleDriver({ env: env() });
      const stack = new ComposedStack(new App(), 1);
      expect((await driver.deploy(stack)).reason).toBeUndefined();
      const { stage: outside } = await client.send(new CreateStageCommand({ name: 'outside-the-stack' }));
      const endSession = await compose(outside!.arn!, driver.physicalId(driver.logicalIdOf(stack.storageConfiguration)),
        driver.physicalId(driver.logicalIdOf(stack.encoderConfiguration)));
      // the last participant has just left: IVS stops the composition 2 seconds later.
      endSession(2000);

      const destroyed = await driver.destroy();
      expect([destroyed.status, destroyed.reason]).toEqual(['SUCCEEDED', undefined]);
      expect(logged('waiting for the compositions that use it to end')).toHaveLength(1);
      expect(logged('delete deferred until it is free')).toEqual([]);
      expect([...fake.stages.keys()]).toEqual([outside!.arn]);
    });
});
