import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CompositionDestination, RecordingBucket, RecordingPlayback, Stage, StageComposition, StageRecording, StorageConfiguration } from '../lib';
import { DeployedStack, EventDelivery, LocalDeployment, LocalIvs, Participant } from '../testing';

/**
 * The "recording ready" pipeline end to end, through the testing kit: IVS's events delivered to the deployed rules, the
 * ready function run from the cloud assembly against the local IVS, S3, DynamoDB and EventBridge, and the library's
 * event delivered to the app's own rule.
 */
describe('RecordingPlayback through the testing kit', () => {
  let local: LocalIvs;
  let outdir: string;
  let deployment: LocalDeployment;
  beforeAll(async () => {
    // a composition stops 50 ms (not IVS's minute) after its stage's last participant has left.
    local = await LocalIvs.start({ compositionIdleTimeoutMs: 50 });
  });
  afterAll(async () => local.stop());
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'recording-playback-'));
    deployment = new LocalDeployment(local);
  });
  afterEach(async () => {
    await deployment.close();
    local.reset();
    fs.rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  interface Deployed {
    readonly stack: DeployedStack;
    readonly stageArn: string;
    readonly bucketName: string;
    readonly domainName: string;
    readonly deadLetterQueueArn: string;
  }

  /** A recorded stage (optionally composed too) played back, and a queue hearing its ready events. */
  async function deploy(options: { composed?: 'here' | 'elsewhere'; readyEventsFromS3?: boolean } = {}): Promise<Deployed> {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Webinar');
    const stage = new Stage(stack, 'Stage', { stageName: 'webinar' });
    const recording = new StageRecording(stack, 'Recording', { stage });
    const playback = new RecordingPlayback(stack, 'Playback', { bucket: recording.bucket, readyEventsFromS3: options.readyEventsFromS3 });
    playback.onRecordingReady('Ready', { target: new targets.SqsQueue(new sqs.Queue(stack, 'ReadyQueue')) });
    if (options.composed) {
      const storageConfiguration = options.composed === 'here' ? recording.storageConfiguration
        : new StorageConfiguration(stack, 'OtherStorage', { bucket: new RecordingBucket(stack, 'OtherBucket') });
      new StageComposition(stack, 'Composition', { stages: [stage], destinations: [CompositionDestination.s3(storageConfiguration)] });
    }
    expect((await deployment.deploy(app.synth().directory)).reason).toBeUndefined();
    const deployed = deployment.stack('Webinar');
    // the distribution's domain name and the dead-letter queue, as the deployed function has them
    const readyFunction = deployed.resolvedProperties(deployed.logicalIdOf(playback.readyFunction!)) as any;
    return {
      stack: deployed,
      stageArn: deployed.physicalId(deployed.logicalIdOf(stage)),
      bucketName: deployed.physicalId(deployed.logicalIdOf(recording.bucket)),
      domainName: readyFunction.Environment.Variables.PLAYBACK_DOMAIN_NAME,
      deadLetterQueueArn: readyFunction.DeadLetterConfig.TargetArn,
    };
  }

  const readyEvents = (deliveries: EventDelivery[]) => deliveries.filter((d) => d.event['detail-type'] === 'IVS Recording Ready')
    .map((d) => ({ ...d.event.detail as Record<string, unknown>, ruleLogicalId: d.ruleLogicalId, source: d.event.source }));
  /** Each attempt of the delivery's invocation: `ok`, or the error's type. */
  const outcomes = (delivery: EventDelivery) => delivery.invocation!.attempts.map((attempt) => attempt.ok ? 'ok' : attempt.errorType);
  const readyInvocations = (deliveries: EventDelivery[]) => deliveries.filter((d) => /^PlaybackParticipantRecordingEnds|^PlaybackCompositionEnds/.test(d.ruleLogicalId));
  /** The ready function's invocations for S3's events of the metadata files (the backstop). */
  const s3Invocations = (deliveries: EventDelivery[]) => deliveries.filter((d) => /^PlaybackRecordingMetadataWritten/.test(d.ruleLogicalId));
  /** The claims of recordings in the published-recordings table: 200, or the conditional write's refusal. */
  const claims = async () => (await deployment.stack('Webinar').dynamoDb()).calls
    .filter((call) => call.operation === 'PutItem' && call.tableName.includes('PublishedRecordings')).map((call) => call.errorType ?? call.status).sort();
  /** The key prefix of the participant recording IVS started writing in the bucket. */
  const startedPrefix = (bucketName: string) => local.s3.keys(bucketName).find((key) => key.endsWith('/events/recording-started.json'))!
    .replace('/events/recording-started.json', '');
  /** IVS's `Recording End` event of a participant's recording, as `LocalDeployment.endRecording` sends it. */
  const recordingEnd = (participant: Participant, bucketName: string, prefix: string) => ({
    'version': '0',
    'id': 'recording-end',
    'detail-type': 'IVS Participant Recording State Change',
    'source': 'aws.ivs',
    'account': local.accountId,
    'time': new Date().toISOString(),
    'region': local.region,
    'resources': [participant.stageArn],
    'detail': {
      session_id: participant.sessionId,
      event_name: 'Recording End',
      participant_id: participant.participantId,
      recording_s3_bucket_name: bucketName,
      recording_s3_key_prefix: prefix,
    },
  });

  /** The ready event of a participant's recording under `prefix` that ended well, as the queue hears it. */
  const participantReady = ({ stageArn, bucketName, domainName }: Deployed, participant: Participant, prefix: string) => ({
    ruleLogicalId: expect.stringMatching(/^PlaybackReady/),
    source: 'cdk-ivs-realtime',
    recordingType: 'PARTICIPANT',
    bucketName,
    recordingPrefix: prefix,
    stageArn,
    sessionId: participant.sessionId,
    participantId: participant.participantId,
    status: 'RECORDING_ENDED',
    statusMessage: '',
    durationMs: 60000,
    startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    playbackUrl: `https://${domainName}/${prefix}/media/hls/multivariant.m3u8`,
    renditions: [{ path: 'high', playbackUrl: `https://${domainName}/${prefix}/media/hls/high/playlist.m3u8` }],
  });

  /** IVS's `IVS Composition State Change` event `eventName` of a composition, as IVS sends it. */
  const compositionEvent = (compositionArn: string, stageArn: string, eventName: string) => ({
    'version': '0',
    'id': eventName,
    'detail-type': 'IVS Composition State Change',
    'source': 'aws.ivs',
    'account': local.accountId,
    'time': new Date().toISOString(),
    'region': local.region,
    'resources': [compositionArn],
    'detail': { event_name: eventName, stage_arn: stageArn },
  });

  async function recordedParticipant(stageArn: string): Promise<Participant> {
    const { participant } = await deployment.publish(stageArn, { userId: 'speaker' });
    return participant;
  }

  test('a recording starts, files appear, it ends: the ready event fires once, with the playback URLs, and a duplicate adds none', async () => {
    const deployed = await deploy();
    const { stageArn, bucketName, domainName } = deployed;
    const participant = await recordedParticipant(stageArn);

    const started = await deployment.startRecording(participant);
    const prefix = startedPrefix(bucketName);
    expect(prefix).toMatch(new RegExp(`^${stageArn.split('/')[1]}/${participant.sessionId}/${participant.participantId}/\\d{4}-`));
    expect(started).toEqual([]);

    const ended = await deployment.endRecording(participant);

    expect(domainName).toMatch(/^d[a-z0-9]+\.cloudfront\.net$/);
    expect(readyEvents(ended)).toEqual([participantReady(deployed, participant, prefix)]);

    // IVS delivers its end event again, and late: the function runs, and publishes nothing more
    const again = await deployment.sendEvent(ended[0].event);
    expect(readyInvocations(again)).toEqual([expect.objectContaining({ invocation: { attempts: [expect.objectContaining({ ok: true })] } })]);
    expect(readyEvents(again)).toEqual([]);
  });

  test('a recording that ends with a failure is announced once, as RECORDING_ENDED_WITH_FAILURE', async () => {
    const { stageArn } = await deploy();
    const participant = await recordedParticipant(stageArn);
    await deployment.startRecording(participant);

    const ended = await deployment.endRecording(participant, { failure: true, durationMs: 1234 });

    // then S3's event of recording-failed.json, which finds it published
    expect(ended.map((d) => d.event['detail-type'])).toEqual(['IVS Participant Recording State Change', 'IVS Recording Ready', 'Object Created']);
    expect(readyEvents(ended)).toEqual([expect.objectContaining({ status: 'RECORDING_ENDED_WITH_FAILURE', durationMs: 1234 })]);
  });

  test('files written late: the first attempt finds the recording unfinished and fails, Lambda\'s retry publishes once', async () => {
    const { stageArn } = await deploy();
    const participant = await recordedParticipant(stageArn);
    await deployment.startRecording(participant);
    // the first attempt's two reads (recording-ended.json, then recording-failed.json) find nothing yet
    local.s3.injectFault({ operation: 'GetObject', errorType: 'NoSuchKey', times: 2 });

    const ended = await deployment.endRecording(participant);

    const [invocation] = readyInvocations(ended);
    expect(outcomes(invocation)).toEqual(['RecordingNotFinal', 'ok']);
    expect(readyEvents(ended)).toHaveLength(1);
  });

  test('an end event before the recording is final never announces it: the event goes to the dead-letter queue; the real end does', async () => {
    const { stageArn, bucketName, deadLetterQueueArn } = await deploy();
    const participant = await recordedParticipant(stageArn);
    await deployment.startRecording(participant);

    const tooEarly = await deployment.sendEvent(recordingEnd(participant, bucketName, startedPrefix(bucketName)));

    expect(readyInvocations(tooEarly)).toEqual([
      expect.objectContaining({ invocation: expect.objectContaining({ deadLetteredTo: deadLetterQueueArn }) }),
    ]);
    expect(outcomes(readyInvocations(tooEarly)[0])).toEqual(Array(3).fill('RecordingNotFinal'));
    expect(readyEvents(tooEarly)).toEqual([]);
    expect(readyEvents(await deployment.endRecording(participant))).toHaveLength(1);
  });

  test('PutEvents failing through every retry releases the recording: a later delivery of its end publishes it, once', async () => {
    // without S3's events, whose delivery would publish it at once (the next test's case)
    const { stageArn, bucketName, deadLetterQueueArn } = await deploy({ readyEventsFromS3: false });
    const participant = await recordedParticipant(stageArn);
    await deployment.startRecording(participant);
    const prefix = startedPrefix(bucketName);
    // each of the 3 attempts makes the SDK's 3 attempts at PutEvents
    (await deployment.stack('Webinar').eventBridge()).injectFault({ operation: 'PutEvents', errorType: 'InternalException', times: 9 });

    const failed = await deployment.endRecording(participant);
    const redelivered = await deployment.sendEvent(recordingEnd(participant, bucketName, prefix));

    expect(readyInvocations(failed)[0].invocation!.deadLetteredTo).toBe(deadLetterQueueArn);
    expect(outcomes(readyInvocations(failed)[0])).toEqual(Array(3).fill('InternalException'));
    expect(readyEvents(failed)).toEqual([]);
    expect(readyEvents(redelivered)).toEqual([expect.objectContaining({ recordingPrefix: prefix })]);
  });

  test('the same end event delivered twice at once publishes one ready event', async () => {
    const { stageArn, bucketName } = await deploy();
    const participant = await recordedParticipant(stageArn);
    await deployment.startRecording(participant);
    const prefix = startedPrefix(bucketName);

    // endRecording writes the final files at once, then both its event and EventBridge's second delivery race
    const both = await Promise.all([deployment.endRecording(participant), deployment.sendEvent(recordingEnd(participant, bucketName, prefix))]);

    expect(both.map((deliveries) => readyInvocations(deliveries).map(outcomes))).toEqual([[['ok']], [['ok']]]);
    expect(both.flatMap(readyEvents)).toEqual([expect.objectContaining({ recordingPrefix: prefix })]);
    // both, and S3's event of the metadata file, claimed the recording in DynamoDB; the conditional write let one through
    expect(await claims()).toEqual([200, 'ConditionalCheckFailedException', 'ConditionalCheckFailedException']);
  });

  describe('the backstop: S3\'s event of the metadata file', () => {
    test('every IVS end event lost: S3\'s event of recording-ended.json announces the recording once, with the playback URLs', async () => {
      const deployed = await deploy();
      const { stageArn, bucketName } = deployed;
      const participant = await recordedParticipant(stageArn);
      await deployment.startRecording(participant);
      const prefix = startedPrefix(bucketName);

      const ended = await deployment.endRecording(participant, { eventLost: true });

      expect(ended.map((d) => [d.event.source, d.event['detail-type']])).toEqual([['aws.s3', 'Object Created'], ['cdk-ivs-realtime', 'IVS Recording Ready']]);
      expect(s3Invocations(ended).map((d) => [(d.event.detail as any).object.key, outcomes(d)])).toEqual([[`${prefix}/events/recording-ended.json`, ['ok']]]);
      expect(readyEvents(ended)).toEqual([participantReady(deployed, participant, prefix)]);
    });

    test('without readyEventsFromS3, a recording whose IVS end events are all lost is never announced', async () => {
      const { stageArn } = await deploy({ readyEventsFromS3: false });
      const participant = await recordedParticipant(stageArn);
      await deployment.startRecording(participant);

      expect(await deployment.endRecording(participant, { eventLost: true })).toEqual([]);
    });

    test.each([
      ['IVS\'s end event first', 'ivs'],
      ['S3\'s event first', 's3'],
    ])('both IVS\'s end event and S3\'s event arrive, %s: one ready event', async (_order, first) => {
      const { stageArn, bucketName } = await deploy();
      const participant = await recordedParticipant(stageArn);
      await deployment.startRecording(participant);
      const prefix = startedPrefix(bucketName);

      // endRecording sends IVS's event, then S3's follows; or S3's alone, and IVS's late
      const deliveries = first === 'ivs' ? await deployment.endRecording(participant) : [
        ...await deployment.endRecording(participant, { eventLost: true }),
        ...await deployment.sendEvent(recordingEnd(participant, bucketName, prefix)),
      ];

      const order = deliveries.filter((d) => readyInvocations([d]).length + s3Invocations([d]).length > 0).map((d) => d.event.source);
      expect(order).toEqual(first === 'ivs' ? ['aws.ivs', 'aws.s3'] : ['aws.s3', 'aws.ivs']);
      expect([...readyInvocations(deliveries), ...s3Invocations(deliveries)].map(outcomes)).toEqual([['ok'], ['ok']]);
      expect(readyEvents(deliveries)).toEqual([expect.objectContaining({ recordingPrefix: prefix, participantId: participant.participantId })]);
      expect(await claims()).toEqual([200, 'ConditionalCheckFailedException']);
    });

    test('a composite whose metadata is written while its playlist still says EVENT: not final, retried, announced once VOD, and once only', async () => {
      const { stageArn, bucketName, domainName } = await deploy({ composed: 'here' });
      const { participant } = await deployment.publish(stageArn);
      const [composition] = [...local.ivs.compositions.values()];
      const recordingPrefix = composition.destinations[0].detail!.s3.recordingPrefix;
      const playlistKey = `${recordingPrefix}/media/hls/720p30/playlist.m3u8`;
      const writePlaylist = (playlistType: 'EVENT' | 'VOD') => local.s3.putObject(bucketName, playlistKey, `#EXTM3U\n#EXT-X-PLAYLIST-TYPE:${playlistType}\n`);
      await deployment.leave(participant);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(composition.state).toBe('STOPPED');
      // IVS turns the playlist VOD while Lambda waits to retry: here, as soon as the first attempt has read it
      const read = local.s3.object.bind(local.s3);
      jest.spyOn(local.s3, 'object').mockImplementation((bucket, key) => {
        const found = read(bucket, key);
        if (key === playlistKey && found?.body.toString().includes('EVENT')) writePlaylist('VOD');
        return found;
      });

      // every IVS end event of the composition is lost: only S3 tells
      writePlaylist('EVENT');
      local.s3.putObject(bucketName, `${recordingPrefix}/events/recording-ended.json`, JSON.stringify({
        version: 'v1',
        stage_arn: stageArn,
        recording_status: 'RECORDING_ENDED',
        media: { hls: { duration_ms: 5000, path: 'media/hls', playlist: 'multivariant.m3u8', renditions: [{ path: '720p30', playlist: 'playlist.m3u8' }] } },
      }));
      const written = await deployment.deliverPendingEvents();

      expect(s3Invocations(written).map(outcomes)).toEqual([['RecordingNotFinal', 'ok']]);
      expect(readyEvents(written)).toEqual([expect.objectContaining({
        recordingType: 'COMPOSITE',
        stageArn,
        compositionArn: composition.arn,
        destinationId: composition.destinations[0].id,
        recordingPrefix,
        durationMs: 5000,
        playbackUrl: `https://${domainName}/${recordingPrefix}/media/hls/multivariant.m3u8`,
      })]);
      expect(readyEvents(written)[0]).not.toHaveProperty('sessionId');

      // IVS's Session End arrives after all: it finds the recording published
      const late = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Session End'));
      expect(readyInvocations(late).map(outcomes)).toEqual([['ok']]);
      expect(readyEvents(late)).toEqual([]);
    });
  });

  test('a composite recording is announced once its playlists turn VOD, whatever the order of the composition\'s end events', async () => {
    const { stageArn, bucketName, domainName } = await deploy({ composed: 'here' });
    const { participant } = await deployment.publish(stageArn);
    const [composition] = [...local.ivs.compositions.values()];
    const recordingPrefix = composition.destinations[0].detail!.s3.recordingPrefix;
    const writeComposite = (playlistType: 'EVENT' | 'VOD') => {
      local.s3.putObject(bucketName, `${recordingPrefix}/media/hls/720p30/playlist.m3u8`, `#EXTM3U\n#EXT-X-PLAYLIST-TYPE:${playlistType}\n`);
      local.s3.putObject(bucketName, `${recordingPrefix}/events/recording-ended.json`, JSON.stringify({
        version: 'v1',
        stage_arn: stageArn,
        recording_status: 'RECORDING_ENDED',
        media: {
          hls: {
            duration_ms: 5000,
            path: 'media/hls',
            playlist: 'multivariant.m3u8',
            renditions: [{ path: '720p30', playlist: 'playlist.m3u8', resolution_width: 1280, resolution_height: 720 }],
          },
        },
      }));
    };

    // while it records, another destination's end event finds this one active: nothing yet, nothing retried; a
    // session end (out of order, ahead of the composition's stop) is retried, then dead-lettered
    const whileActive = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Destination End'));
    expect(readyInvocations(whileActive).map(outcomes)).toEqual([['ok']]);
    const sessionEndTooEarly = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Session End'));
    expect(readyInvocations(sessionEndTooEarly).map(outcomes)).toEqual([Array(3).fill('RecordingNotFinal')]);
    await deployment.leave(participant);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(composition.state).toBe('STOPPED');

    // stopped, but the playlist still says EVENT: not final, retried, dead-lettered
    writeComposite('EVENT');
    const notFinal = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Destination End'));
    expect(outcomes(readyInvocations(notFinal)[0])).toEqual(Array(3).fill('RecordingNotFinal'));
    expect(readyEvents(notFinal)).toEqual([]);

    // final: Session End announces it; a late Destination End adds nothing
    writeComposite('VOD');
    const sessionEnd = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Session End'));
    const late = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Destination End'));
    expect(readyEvents(sessionEnd)).toEqual([expect.objectContaining({
      recordingType: 'COMPOSITE',
      compositionArn: composition.arn,
      destinationId: composition.destinations[0].id,
      recordingPrefix,
      durationMs: 5000,
      playbackUrl: `https://${domainName}/${recordingPrefix}/media/hls/multivariant.m3u8`,
      renditions: [{ path: '720p30', playbackUrl: `https://${domainName}/${recordingPrefix}/media/hls/720p30/playlist.m3u8`, resolutionWidth: 1280, resolutionHeight: 720 }],
    })]);
    expect(readyEvents(late)).toEqual([]);
  });

  test('the end of a composition that records to another bucket is ignored: no S3 read, no retry, no event', async () => {
    const { stageArn } = await deploy({ composed: 'elsewhere' });
    await deployment.publish(stageArn);
    const [composition] = [...local.ivs.compositions.values()];

    const ended = await deployment.sendEvent(compositionEvent(composition.arn, stageArn, 'Session End'));

    expect(readyInvocations(ended).map(outcomes)).toEqual([['ok']]);
    expect(readyEvents(ended)).toEqual([]);
    expect(local.s3.calls.filter((call) => call.operation === 'GetObject')).toEqual([]);
  });

  test('adding, then removing, playback rewrites the one bucket policy around IVS\'s statement, and never touches the storage configuration', async () => {
    const synth = (withPlayback: boolean) => {
      const app = new App({ outdir: path.join(outdir, withPlayback ? 'with' : 'without') });
      const stack = new Stack(app, 'Webinar');
      const recording = new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage', { stageName: 'webinar' }) });
      if (withPlayback) new RecordingPlayback(stack, 'Playback', { bucket: recording.bucket, recordingReadyEvents: false });
      return { directory: app.synth().directory, recording };
    };
    const statements = (deployed: DeployedStack, policyId: string) =>
      ((deployed.resolvedProperties(policyId) as any).PolicyDocument.Statement as any[]).map((s) => s.Sid ?? s.Principal.Service ?? s.Principal.AWS);

    const first = synth(false);
    expect((await deployment.deploy(first.directory)).reason).toBeUndefined();
    const deployed = deployment.stack('Webinar');
    const storageId = deployed.logicalIdOf(first.recording.storageConfiguration);
    const policyId = deployed.logicalIdOf(first.recording.bucket.policy!);
    const storageArn = deployed.physicalId(storageId);
    const ivsStatement = (deployed.resolvedProperties(policyId) as any).PolicyDocument.Statement.find((s: any) => s.Sid === 'IvsCompositeWrite');
    const storageRequests = () => deployed.sentEvents.filter((event) => event.LogicalResourceId === storageId).length;
    expect(statements(deployed, policyId)).toEqual([expect.anything(), 'IvsCompositeWrite']);
    expect(storageRequests()).toBe(1);

    expect((await deployment.deploy(synth(true).directory)).reason).toBeUndefined();
    expect(statements(deployed, policyId)).toEqual([expect.anything(), 'IvsCompositeWrite', 'cloudfront.amazonaws.com']);
    expect((deployed.resolvedProperties(policyId) as any).PolicyDocument.Statement[1]).toEqual(ivsStatement);

    expect((await deployment.deploy(synth(false).directory)).reason).toBeUndefined();
    expect(statements(deployed, policyId)).toEqual([expect.anything(), 'IvsCompositeWrite']);
    expect((deployed.resolvedProperties(policyId) as any).PolicyDocument.Statement[1]).toEqual(ivsStatement);
    // IVS's storage configuration was neither updated nor replaced: it never re-edited the policy
    expect(storageRequests()).toBe(1);
    expect(deployed.physicalId(storageId)).toBe(storageArn);
    expect(local.ivs.storageConfigurations.get(storageArn)).toBeDefined();
  });
});
