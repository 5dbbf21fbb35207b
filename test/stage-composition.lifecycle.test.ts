import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IVSRealTimeClient, StartCompositionCommand, StopCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { App } from 'aws-cdk-lib';
import { StageCompositionStack } from '../examples/stage-composition';
import { StageComposition } from '../lib';
import { LocalDeployment, LocalIvs } from '../testing';
import { AsyncInvoker } from '../testing/async-invocation';
import { LifecycleDriver } from '../testing/lifecycle-driver';

const published = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', 'participant-published.json'), 'utf8'));
const OWNER_TAG = 'cdk-ivs-realtime:stage-composition';

/**
 * The example synthesized and deployed by the testing kit, then each StageComposition's function run from the cloud
 * assembly with its deployed (resolved) environment, as Lambda runs an EventBridge target: asynchronously, with its
 * retries and its dead-letter queue, on the participant events of its stage.
 */
describe('lifecycle of the composition example', () => {
  let local: LocalIvs;
  let outdir: string;
  let deployment: LocalDeployment;
  let driver: LifecycleDriver;
  let example: StageCompositionStack;
  let lambda: AsyncInvoker;
  let client: IVSRealTimeClient;
  beforeAll(async () => {
    local = await LocalIvs.start();
    client = new IVSRealTimeClient({
      endpoint: local.ivs.endpoint, region: local.region, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await local.stop();
  });
  beforeEach(async () => {
    // the handlers' one-line logs; the assertions read the fake's state.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-composition-'));
    const app = new App({ outdir });
    example = new StageCompositionStack(app, 'StageComposition');
    deployment = new LocalDeployment(local);
    expect((await deployment.deploy(app.synth().directory)).reason).toBeUndefined();
    // the kit's DeployedStack is its LifecycleDriver (internal), which AsyncInvoker needs.
    driver = deployment.stack('StageComposition') as LifecycleDriver;
    lambda = new AsyncInvoker(driver, { region: local.region, env: local.env });
  });
  afterEach(async () => {
    // deleting a stage ends its session and stops its compositions, which frees the configurations they use.
    expect((await deployment.destroy()).reason).toBeUndefined();
    expect(local.ivs.resourceCount()).toBe(0);
    expect([...local.ivs.compositions.values()].filter((composition) => composition.state !== 'STOPPED')).toEqual([]);
    await deployment.close();
    local.reset();
    fs.rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  const arnOf = (construct: Parameters<LifecycleDriver['logicalIdOf']>[0]) => driver.physicalId(driver.logicalIdOf(construct));

  /**
   * A new session of the composition's stage with one participant publishing, and the events that say so, made here for
   * the function to be invoked with directly: the kit's `publish` delivers its event through the rules (in order), and
   * keeps the dead letters of its invocations to itself.
   */
  function publishing(composition: StageComposition) {
    const stageArn = arnOf(composition.stages[0]);
    const sessionId = local.ivs.startStageSession(stageArn);
    const participantId = local.ivs.joinParticipant(stageArn, { published: true });
    const event = (eventName: string) => ({
      ...published,
      resources: [stageArn],
      detail: { ...published.detail, session_id: sessionId, event_name: eventName, participant_id: participantId },
    });
    return { stageArn, participantId, published: event('Participant Published'), unpublished: event('Participant Unpublished') };
  }

  const ours = () => [...local.ivs.compositions.values()].filter((composition) => composition.tags[OWNER_TAG]);

  test('each stage\'s first publisher starts its composition with the deployed configurations', async () => {
    for (const composition of [example.studioRecording, example.showBroadcast]) {
      const { deliveries } = await deployment.publish(arnOf(composition.stages[0]));
      expect(deliveries.map((delivery) => delivery.invocation)).toEqual([{ attempts: [{ ok: true, payload: null }] }]);
    }

    const encoderArn = arnOf(example.node.findChild('FullHd'));
    expect(ours().map((composition) => [composition.stageArn, composition.destinations.map((d) => d.configuration)])).toEqual([
      [arnOf(example.studio), [{
        s3: {
          storageConfigurationArn: arnOf(example.node.findChild('Storage')),
          encoderConfigurationArns: [encoderArn],
          thumbnailConfigurations: [{ targetIntervalSeconds: 10, storage: ['SEQUENTIAL'] }],
        },
      }]],
      [arnOf(example.show), [{
        channel: { channelArn: expect.stringMatching(/^arn:aws:ivs:.*:channel\//), encoderConfigurationArn: encoderArn },
      }]],
    ]);
  });

  test('a conflict that outlasts the function\'s retry: Lambda retries the event twice, then it is dead-lettered; '
    + 'redriven once the conflict has cleared, it starts the composition', async () => {
    const { published: event } = publishing(example.studioRecording);
    local.ivs.injectFault({ operation: 'StartComposition', errorType: 'ConflictException', message: 'destination busy', times: Infinity });

    const invocation = await lambda.invoke(example.studioRecording.handler, event);

    expect(invocation.attempts.map((attempt) => attempt.ok)).toEqual([false, false, false]);
    expect(invocation.attempts[0]).toMatchObject({ errorMessage: expect.stringMatching(/: ConflictException: destination busy$/) });
    expect(invocation.deadLetteredTo).toMatch(/^arn:aws:sqs:/);
    expect(local.ivs.callsTo('StartComposition')).toHaveLength(9);
    expect(ours()).toEqual([]);

    local.ivs.clearFaults();
    const [dead] = lambda.deadLetters.get(invocation.deadLetteredTo!)!;
    expect((await lambda.invoke(example.studioRecording.handler, dead)).attempts.map((attempt) => attempt.ok)).toEqual([true]);
    expect(ours().map((composition) => composition.state)).toEqual(['ACTIVE']);
  });

  test('the concurrent-composition quota (5): retried, dead-lettered, and redriven once other compositions end', async () => {
    const outside = await Promise.all([1, 2, 3, 4, 5].map(() => client.send(new StartCompositionCommand({
      stageArn: arnOf(example.show), destinations: [{ channel: { channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGh1234' } }],
    }))));
    const { published: event } = publishing(example.studioRecording);

    const invocation = await lambda.invoke(example.studioRecording.handler, event);

    expect(invocation.attempts.map((attempt) => attempt.ok)).toEqual([false, false, false]);
    expect(invocation.attempts[2]).toMatchObject({ errorMessage: expect.stringMatching(/: ServiceQuotaExceededException: /) });
    expect(invocation.deadLetteredTo).toBeDefined();

    await client.send(new StopCompositionCommand({ arn: outside[0].composition!.arn }));
    expect((await lambda.invoke(example.studioRecording.handler, event)).attempts.map((attempt) => attempt.ok)).toEqual([true]);
    expect(ours().map((composition) => composition.state)).toEqual(['ACTIVE']);
  });

  test('with stopOnSessionEnd, a Participant Unpublished handled before its Published leaves no composition running', async () => {
    const session = publishing(example.showBroadcast);
    local.ivs.setParticipantPublished(session.stageArn, session.participantId, false);

    // EventBridge delivers the two events out of order.
    expect((await lambda.invoke(example.showBroadcast.handler, session.unpublished)).attempts).toEqual([{ ok: true, payload: null }]);
    expect((await lambda.invoke(example.showBroadcast.handler, session.published)).attempts).toEqual([{ ok: true, payload: null }]);

    expect(ours()).toEqual([]);
  });
});
