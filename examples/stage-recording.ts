import { CfnElement, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AutoParticipantRecordingOptions, Stage, StageEvent, StageRecording } from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

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
 * A stage recorded to a new S3 bucket with one construct, a queue told when each recording is complete, another for
 * the recordings that need a person, and a role that may read the recordings.
 */
export class StageRecordingStack extends Stack {
  public readonly stage: Stage;
  public readonly recording: StageRecording;

  constructor(scope: Construct, id: string, props: StageRecordingStackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);

    this.stage = new Stage(this, 'Stage', { stageName: 'webinar' });
    // a bucket configured as IVS requires, its storage configuration, and the stage's automatic participant recording.
    this.recording = new StageRecording(this, 'Recording', {
      stage: this.stage, bucketProps: { recordingRetention: Duration.days(90) }, ...props.recording,
    });

    // recordings that need a person: those the consumer of FinishedRecordings keeps failing on, and those IVS could
    // not start or finish (a bucket deleted, or in another region).
    const unprocessed = new sqs.Queue(this, 'UnprocessedRecordings', { enforceSSL: true });
    // "Recording End" comes once every file of a recording is in S3: the time to process or publish it.
    const finished = new sqs.Queue(this, 'FinishedRecordings', {
      enforceSSL: true,
      // messages its consumer keeps failing on end up in `unprocessed`, instead of being retried until they expire.
      deadLetterQueue: { queue: unprocessed, maxReceiveCount: 5 },
    });
    this.stage.onParticipantRecordingEnd('RecordingEnded', { target: new targets.SqsQueue(finished) });
    const toUnprocessed = { target: new targets.SqsQueue(unprocessed) };
    this.stage.onStageEvent('RecordingStartFailed', StageEvent.PARTICIPANT_RECORDING_START_FAILURE, toUnprocessed);
    this.stage.onStageEvent('RecordingEndFailed', StageEvent.PARTICIPANT_RECORDING_END_FAILURE, toUnprocessed);

    const processor = new iam.Role(this, 'RecordingProcessor', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.recording.grantReadRecordings(processor);
    // cdk-nag (AwsSolutions pack), for apps that check their stacks with it: the one wildcard is the objects under the
    // stage's ID, `<Bucket.Arn>/<stage id>/*` (listing is limited to that prefix by a condition, with no wildcard).
    const bucketArn = `<${this.getLogicalId(this.recording.bucket.node.defaultChild as CfnElement)}.Arn>`;
    const recordings = `${bucketArn}/${JSON.stringify(this.resolve(this.recording.stageId))}/*`;
    Validations.of(processor).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${recordings}]`,
      reason: "grantReadRecordings reads this stage's recordings only: s3:GetObject on the objects under its ID",
    });
  }
}
