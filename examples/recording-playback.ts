import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PlaybackCors, RecordingPlayback, Stage, StageRecording } from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

/**
 * A recorded stage whose recordings play through CloudFront, from the pages of one web app, and a queue told once, when
 * each recording is ready to play, with its playback URL.
 */
export class RecordingPlaybackStack extends Stack {
  public readonly recording: StageRecording;
  public readonly playback: RecordingPlayback;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);

    const stage = new Stage(this, 'Stage', { stageName: 'class' });
    this.recording = new StageRecording(this, 'Recording', { stage, bucketProps: { recordingRetention: Duration.days(90) } });
    // CloudFront reads the bucket with Origin Access Control: its statement joins IVS's in the bucket policy CDK manages.
    this.playback = new RecordingPlayback(this, 'Playback', {
      bucket: this.recording.bucket,
      cors: PlaybackCors.allowOrigins('https://app.example.com'),
    });
    // one message per recording, once it is final: `detail.playbackUrl` is what the web app's player loads.
    // messages its consumer keeps failing on end up in `unpublished`, instead of being retried until they expire.
    const unpublished = new sqs.Queue(this, 'UnpublishedRecordings', { enforceSSL: true });
    const ready = new sqs.Queue(this, 'ReadyRecordings', { enforceSSL: true, deadLetterQueue: { queue: unpublished, maxReceiveCount: 5 } });
    this.playback.onRecordingReady('Ready', { target: new targets.SqsQueue(ready) });
  }
}
