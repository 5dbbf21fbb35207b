import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AutoParticipantRecordingOptions, Stage, StageRecording } from '../lib';

/** Properties of `StageRecordingStack`. */
export interface StageRecordingStackProps extends StackProps {
  /**
   * How participants are recorded (lets tests deploy the same app with other settings).
   *
   * @default - audio and video, no thumbnails
   */
  readonly recording?: AutoParticipantRecordingOptions;
}

/**
 * A stage recorded to a new S3 bucket with one construct, a queue told when each recording is complete, and a
 * role that may read the recordings.
 */
export class StageRecordingStack extends Stack {
  public readonly stage: Stage;
  public readonly recording: StageRecording;

  constructor(scope: Construct, id: string, props: StageRecordingStackProps = {}) {
    super(scope, id, props);

    this.stage = new Stage(this, 'Stage', { stageName: 'webinar' });
    // a bucket configured as IVS requires, its storage configuration, and the stage's automatic participant recording.
    this.recording = new StageRecording(this, 'Recording', { stage: this.stage, recordingRetention: Duration.days(90), ...props.recording });

    // "Recording End" comes once every file of a recording is in S3: the time to process or publish it.
    const finished = new sqs.Queue(this, 'FinishedRecordings', { enforceSSL: true });
    this.stage.onParticipantRecordingEnd('RecordingEnded', { target: new targets.SqsQueue(finished) });

    const processor = new iam.Role(this, 'RecordingProcessor', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.recording.grantReadRecordings(processor);
  }
}
