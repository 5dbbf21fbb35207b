import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CompositionDestination, RecordingBucket, Stage, StageComposition, StageEvent, StageRecording, StorageConfiguration } from '../../lib';
import { LocalDeployment, LocalIvs } from '../../testing';

/**
 * The testing kit as a user's test drives it: cloud assemblies synthesized to a directory, as `cdk synth` writes
 * them, deployed, driven at run time, updated and deleted against the local services.
 */
describe('LocalDeployment', () => {
  let local: LocalIvs;
  let outdir: string;
  let deployment: LocalDeployment;
  beforeAll(async () => {
    // a composition stops 50 ms (not IVS's minute) after its stage's last participant has left.
    local = await LocalIvs.start({ compositionIdleTimeoutMs: 50 });
  });
  afterAll(async () => {
    await local.stop();
  });
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-deployment-'));
    deployment = new LocalDeployment(local);
  });
  afterEach(async () => {
    await deployment.close();
    local.reset();
    fs.rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  /**
   * Two stacks with a reference between them: the stage in one, the composition of it (and a bucket that empties
   * itself on delete, an aws-cdk-lib custom resource) in the other.
   */
  function studioApp(stageName: string): string {
    const app = new App({ outdir: path.join(outdir, stageName) });
    const studio = new Stack(app, 'Studio');
    const stage = new Stage(studio, 'Stage', { stageName });
    const composition = new Stack(app, 'Composition');
    const bucket = new RecordingBucket(composition, 'Recordings');
    new s3.Bucket(composition, 'Scratch', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    new StageComposition(composition, 'Recording', {
      stages: [stage],
      destinations: [CompositionDestination.s3(new StorageConfiguration(composition, 'Storage', { bucket }))],
    });
    return app.synth().directory;
  }

  test('deploys every stack in dependency order with the cross-stack reference resolved, and reports the custom resource it skipped', async () => {
    const result = await deployment.deploy(studioApp('studio'));

    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(result.stacks.map((stack) => stack.stackName)).toEqual(['Studio', 'Composition']);
    expect(deployment.skipped).toEqual([
      { stackName: 'Composition', logicalId: expect.stringMatching(/^ScratchAutoDeleteObjectsCustomResource/), type: 'Custom::S3AutoDeleteObjects' },
    ]);
    const [stageArn] = [...local.ivs.stages.keys()];
    const composition = deployment.stack('Composition');
    const rules = Object.keys(composition.template!.Resources!).filter((id) => composition.template!.Resources![id].Properties?.EventPattern);
    expect(rules.map((id) => (composition.resolvedProperties(id) as any).EventPattern.resources)).toEqual([[stageArn]]);
  });

  test('a participant publishing starts the composition; once the last one has left, IVS stops it', async () => {
    await deployment.deploy(studioApp('studio'));
    const [stageArn] = [...local.ivs.stages.keys()];

    const { participant, deliveries } = await deployment.publish(stageArn, { userId: 'host' });

    expect(deliveries).toEqual([expect.objectContaining({ stackName: 'Composition', invocation: { attempts: [{ ok: true, payload: null }] } })]);
    expect([...local.ivs.compositions.values()].map((c) => [c.stageArn, c.state])).toEqual([[stageArn, 'ACTIVE']]);

    await deployment.leave(participant);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);
  });

  test('with stopOnSessionEnd, the last publisher unpublishing stops the composition', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Show');
    const stage = new Stage(stack, 'Stage', { stageName: 'show' });
    const channel = new ivs.CfnChannel(stack, 'Channel', { name: 'show' });
    new StageComposition(stack, 'Broadcast', { stages: [stage], destinations: [CompositionDestination.channel(channel)], stopOnSessionEnd: true });
    await deployment.deploy(app.synth().directory);
    const stageArn = deployment.stack('Show').physicalId(deployment.stack('Show').logicalIdOf(stage));
    const { participant } = await deployment.publish(stageArn);
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['ACTIVE']);

    const deliveries = await deployment.unpublish(participant);

    expect(deliveries.map((delivery) => delivery.invocation)).toEqual([{ attempts: [{ ok: true, payload: null }] }]);
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);
  });

  test('updates from a second assembly, then deletes everything', async () => {
    await deployment.deploy(studioApp('studio'));
    const [stageArn] = [...local.ivs.stages.keys()];
    const { participant } = await deployment.publish(stageArn);

    const updated = await deployment.deploy(studioApp('studio-2'));

    expect(updated.status).toBe('SUCCEEDED');
    expect([...local.ivs.stages.values()].map((stage) => [stage.arn, stage.name])).toEqual([[stageArn, 'studio-2']]);
    // the storage configuration cannot be deleted while the composition that writes to it runs.
    await deployment.leave(participant);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const destroyed = await deployment.destroy();

    expect(destroyed.stacks.map((stack) => [stack.stackName, stack.result.status])).toEqual([['Composition', 'SUCCEEDED'], ['Studio', 'SUCCEEDED']]);
    expect(local.ivs.resourceCount()).toBe(0);
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);
    expect(deployment.stackNames).toEqual([]);
  });

  test('an import of a value no stack exports fails the resource, as CloudFormation does', async () => {
    const app = new App({ outdir });
    new Stage(new Stack(app, 'Orphan'), 'Stage', { stageName: Fn.importValue('NotExported') });

    const result = await deployment.deploy(app.synth().directory);

    expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: expect.stringMatching(/^Orphan: Stage[A-Z0-9]+: No export named NotExported found\.$/) });
    expect(deployment.stackNames).toEqual([]);
  });

  test('recordings start and end as IVS events: a function target gets the event, with where the media is; a queue target is listed', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Webinar');
    const stage = new Stage(stack, 'Stage', { stageName: 'webinar' });
    const recording = new StageRecording(stack, 'Recording', { stage });
    const onStart = new lambda.Function(stack, 'OnRecordingStart', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (event) => event.detail;'),
    });
    stage.onStageEvent('Started', StageEvent.PARTICIPANT_RECORDING_START, { target: new targets.LambdaFunction(onStart) });
    stage.onStageEvent('Ended', StageEvent.PARTICIPANT_RECORDING_END, { target: new targets.SqsQueue(new sqs.Queue(stack, 'Ended')) });
    expect((await deployment.deploy(app.synth().directory)).reason).toBeUndefined();
    const webinar = deployment.stack('Webinar');
    const stageArn = webinar.physicalId(webinar.logicalIdOf(stage));
    const { participant } = await deployment.publish(stageArn, { userId: 'speaker' });

    const started = await deployment.startRecording(participant);
    const ended = await deployment.endRecording(participant);

    const bucketName = webinar.physicalId(webinar.logicalIdOf(recording.bucket));
    expect(started).toEqual([expect.objectContaining({
      ruleLogicalId: expect.stringMatching(/^StageStarted/),
      invocation: {
        attempts: [{
          ok: true,
          payload: {
            session_id: participant.sessionId,
            event_name: 'Recording Start',
            participant_id: participant.participantId,
            recording_s3_bucket_name: bucketName,
            recording_s3_key_prefix: expect.stringMatching(new RegExp(`^${stageArn.split('/')[1]}/${participant.sessionId}/${participant.participantId}/\\d{4}-`)),
          },
        }],
      },
    })]);
    expect(ended).toEqual([{
      event: expect.objectContaining({ 'detail-type': 'IVS Participant Recording State Change', 'detail': expect.objectContaining({ event_name: 'Recording End' }) }),
      stackName: 'Webinar',
      ruleLogicalId: expect.stringMatching(/^StageEnded/),
      targetArn: expect.stringMatching(/^arn:aws:sqs:us-east-1:123456789012:Webinar-Ended/),
    }]);
    // what IVS wrote meanwhile: the recording's files under the prefix its events named, final once it ended
    const prefix = (ended[0].event.detail as { recording_s3_key_prefix: string }).recording_s3_key_prefix;
    expect(local.s3.keys(bucketName, prefix).map((key) => key.slice(prefix.length + 1))).toEqual([
      'events/recording-ended.json', 'events/recording-started.json',
      'media/hls/high/0.mp4', 'media/hls/high/playlist.m3u8', 'media/hls/multivariant.m3u8',
    ]);
    expect(local.s3.object(bucketName, `${prefix}/media/hls/high/playlist.m3u8`)!.body.toString()).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect((await deployment.destroy()).reason).toBeUndefined();
  });

  test('S3 sends Object Created events of a bucket whose EventBridge notifications the stack turned on, of no other, as S3 does', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Files');
    const notifying = new s3.Bucket(stack, 'Notifying', { eventBridgeEnabled: true });
    const silent = new s3.Bucket(stack, 'Silent');
    const rule = new events.Rule(stack, 'Created', { eventPattern: { source: ['aws.s3'], detailType: ['Object Created'] } });
    rule.addTarget(new targets.SqsQueue(new sqs.Queue(stack, 'Queue')));
    const deployed = await deployment.deploy(app.synth().directory);
    expect(deployed.reason).toBeUndefined();
    expect(deployment.skipped.map((skipped) => skipped.type)).toContain('Custom::S3BucketNotifications');
    const files = deployment.stack('Files');
    const [notifyingName, silentName] = [notifying, silent].map((bucket) => files.physicalId(files.logicalIdOf(bucket)));

    local.s3.putObject(silentName, 'a/events/recording-ended.json', '{}');
    local.s3.putObject(notifyingName, 'a/events/recording-ended.json', '{}');
    const delivered = await deployment.deliverPendingEvents();

    expect(delivered).toEqual([{
      event: {
        'version': '0',
        'id': expect.any(String),
        'detail-type': 'Object Created',
        'source': 'aws.s3',
        'account': '123456789012',
        'time': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        'region': 'us-east-1',
        'resources': [`arn:aws:s3:::${notifyingName}`],
        'detail': expect.objectContaining({ bucket: { name: notifyingName }, object: expect.objectContaining({ key: 'a/events/recording-ended.json', size: 2 }) }),
      },
      stackName: 'Files',
      ruleLogicalId: expect.stringMatching(/^Created/),
      targetArn: expect.stringMatching(/^arn:aws:sqs:/),
    }]);
    // each event is delivered once; after the stack is gone, S3 sends nothing
    expect(await deployment.deliverPendingEvents()).toEqual([]);
    expect((await deployment.destroy()).reason).toBeUndefined();
    local.s3.putObject(notifyingName, 'b', 'x');
    expect(await deployment.deliverPendingEvents()).toEqual([]);
  });

  test('the last participant leaving ends the stage session: the recording settings can be updated at once', async () => {
    const recordingApp = (seconds: number): string => {
      const app = new App({ outdir: path.join(outdir, `v${seconds}`) });
      const stack = new Stack(app, 'Webinar');
      const stage = new Stage(stack, 'Stage', { stageName: 'webinar' });
      new StageRecording(stack, 'Recording', { stage, recordingReconnectWindow: Duration.seconds(seconds) });
      return app.synth().directory;
    };
    expect((await deployment.deploy(recordingApp(10))).reason).toBeUndefined();
    const [stageArn] = [...local.ivs.stages.keys()];
    const { participant } = await deployment.publish(stageArn);
    await deployment.leave(participant);

    expect(local.ivs.stages.get(stageArn)!.activeSessionId).toBeUndefined();
    expect((await deployment.deploy(recordingApp(20))).reason).toBeUndefined();
    expect(local.ivs.stages.get(stageArn)!.autoParticipantRecordingConfiguration!.recordingReconnectWindowSeconds).toBe(20);
    expect((await deployment.destroy()).reason).toBeUndefined();
  });

  test('deploys the stacks named and those they depend on, in order; not the others', async () => {
    const directory = studioApp('studio');

    const studioOnly = await deployment.deploy(directory, { stacks: ['Studio'] });
    expect(studioOnly.stacks.map((stack) => stack.stackName)).toEqual(['Studio']);
    expect(deployment.stackNames).toEqual(['Studio']);
    expect(local.ivs.stages.size).toBe(1);
    expect(local.ivs.storageConfigurations.size).toBe(0);

    await deployment.destroy();
    const composition = await deployment.deploy(directory, { stacks: ['Composition'] });
    expect(composition.status).toBe('SUCCEEDED');
    expect(composition.stacks.map((stack) => stack.stackName)).toEqual(['Studio', 'Composition']);
    await expect(deployment.deploy(directory, { stacks: ['Nope'] })).rejects.toThrow(/The assembly has no stack Nope \(stacks: Studio, Composition\)/);
    expect((await deployment.destroy()).reason).toBeUndefined();
  });

  test('a fault injected into the local IVS fails the deployment as it would in AWS, and it rolls back', async () => {
    local.ivs.injectFault({ operation: 'CreateStage', errorType: 'ValidationException', message: 'injected' });

    const result = await deployment.deploy(studioApp('studio'));

    expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: expect.stringMatching(/^Studio: Stage[A-Z0-9]+: .*injected/) });
    expect(result.stacks.map((stack) => stack.stackName)).toEqual(['Studio']);
    expect(local.ivs.resourceCount()).toBe(0);
  });
});
