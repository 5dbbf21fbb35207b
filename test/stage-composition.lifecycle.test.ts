import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { StageCompositionStack } from '../examples/stage-composition';
import { StageComposition } from '../lib';
import { FakeIvsServer } from './support/fake-ivs-server';
import { LifecycleDriver } from './support/lifecycle-driver';
import { assetDirectory, synthesize } from './support/lifecycle/assembly';
import { LambdaRuntime } from './support/lifecycle/lambda-runtime';

const published = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', 'participant-published.json'), 'utf8'));

/**
 * The example deployed against the fake, then each StageComposition's function run from the cloud assembly with its
 * deployed (resolved) environment, as Lambda would, on a Participant Published event of its stage.
 */
describe('lifecycle of the composition example', () => {
  let fake: FakeIvsServer;
  beforeAll(async () => { fake = await FakeIvsServer.start(); });
  afterAll(async () => fake.stop());
  // the handlers' one-line logs; the assertions read the fake's state.
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('deploys, then each stage\'s first publisher starts its composition with the deployed configurations; deletes', async () => {
    const example = new StageCompositionStack(new App(), 'StageComposition');
    const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint } });
    const runtime = new LambdaRuntime({ region: fake.region, env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint }, timeoutScale: 1 });
    const arnOf = (construct: Parameters<LifecycleDriver['logicalIdOf']>[0]) => driver.physicalId(driver.logicalIdOf(construct));

    expect((await driver.deploy(example)).reason).toBeUndefined();
    const { source, template } = synthesize(example);

    /** Runs the composition's function on a Participant Published event of a new session of its stage. */
    async function publish(composition: StageComposition): Promise<void> {
      const stageArn = arnOf(composition.stages[0]);
      const logicalId = driver.logicalIdOf(composition.handler);
      const props = driver.resolvedProperties(logicalId) as any;
      const outcome = await runtime.invoke({
        logicalId,
        functionName: driver.physicalId(logicalId),
        arn: `arn:aws:lambda:${fake.region}:${fake.accountId}:function:${driver.physicalId(logicalId)}`,
        code: { directory: assetDirectory(logicalId, source, template.Resources![logicalId], props.Code) },
        handler: props.Handler,
        runtime: props.Runtime,
        timeoutSeconds: props.Timeout,
        memorySize: props.MemorySize,
        environment: props.Environment.Variables,
      }, { ...published, resources: [stageArn], detail: { ...published.detail, session_id: fake.startStageSession(stageArn) } });
      expect(outcome).toEqual({ ok: true, payload: null });
    }

    await publish(example.studioRecording);
    await publish(example.showBroadcast);

    const compositions = [...fake.compositions.values()];
    const encoderArn = arnOf(example.node.findChild('FullHd'));
    expect(compositions.map((composition) => [composition.stageArn, composition.destinations.map((d) => d.configuration)])).toEqual([
      [arnOf(example.studio), [{
        s3: {
          storageConfigurationArn: arnOf(example.node.findChild('Storage')),
          encoderConfigurationArns: [encoderArn],
          thumbnailConfigurations: [{ targetIntervalSeconds: 10, storage: ['SEQUENTIAL'] }],
        },
      }]],
      [arnOf(example.show), [{ channel: { channelArn: expect.stringMatching(/^arn:aws:ivs:.*:channel\//), encoderConfigurationArn: encoderArn } }]],
    ]);

    // deleting a stage ends its session and stops its compositions, which frees the configurations they use.
    expect((await driver.destroy()).reason).toBeUndefined();
    expect(fake.resourceCount()).toBe(0);
  });
});
