import { Aspects } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ivsResourceId } from './private/arn';
import { RECORDINGS_LIST_ACTIONS, RECORDINGS_READ_OBJECT_ACTIONS } from './private/iam';
import { keepWhileKept } from './private/removal';
import { describeValue, PropsValidator } from './private/validation';
import { RecordingBucket, RecordingBucketProps } from './recording-bucket';
import { AutoParticipantRecordingOptions, Stage } from './stage';
import { StorageConfiguration } from './storage-configuration';

/** Properties of a `StageRecording`. */
export interface StageRecordingProps extends AutoParticipantRecordingOptions {
  /**
   * The stage whose publishing participants are recorded, a `Stage` of this app (new or already deployed): recording
   * is part of the stage's own configuration, which an imported stage's is not. `Stage.isStage` tells a `Stage` from
   * another `IStage`.
   */
  readonly stage: Stage;

  /**
   * The bucket recordings are written to, instead of a new one. It must be in the stack's region, encrypted with SSE-S3
   * (not KMS) and must not use the `ObjectWriter` object ownership; an imported bucket gets a warning with the policy
   * statement IVS needs kept. Give `bucket` or `bucketProps`, not both.
   *
   * @default - a new `RecordingBucket` with `bucketProps`: SSE-S3, object ownership enforced, public access blocked,
   * SSL enforced
   */
  readonly bucket?: s3.IBucket;

  /**
   * The options of the `RecordingBucket` this construct defines when no `bucket` is given.
   *
   * @default - a `RecordingBucket` with its defaults: recordings kept until you delete them, the bucket retained
   */
  readonly bucketProps?: RecordingBucketProps;

  /**
   * The storage configuration's name. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly storageConfigurationName?: string;
}

/**
 * Records every participant who publishes to a stage to S3, in one step.
 *
 * Defines (or checks) the bucket, defines a storage configuration for it, and turns on the stage's automatic
 * participant recording. It works for a new stage and for a deployed one: the stage is then updated in place.
 * Removing it from the app turns recording off (and deletes the storage configuration; the bucket follows its
 * removal policy). The storage configuration is kept when the stage is (a stage with `RemovalPolicy.RETAIN`): IVS
 * refuses to delete a storage configuration that a stage records to.
 *
 * Each recording lands at `s3://<bucket>/<stage id>/<session id>/<participant id>/<timestamp>/`: HLS under
 * `media/hls/` (`multivariant.m3u8`), thumbnails under `media/thumbnails/` and `media/latest_thumbnail/`, metadata
 * under `events/`. The `Recording End` event (`stage.onParticipantRecordingEnd`) gives the exact prefix.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { Stage, StageRecording } from 'cdk-ivs-realtime';
 *
 * const stage = new Stage(this, 'Stage');
 * new StageRecording(this, 'Recording', { stage, bucketProps: { recordingRetention: Duration.days(30) } });
 */
export class StageRecording extends Construct {
  /** The recorded stage. */
  public readonly stage: Stage;
  /** The bucket recordings are written to. */
  public readonly bucket: s3.IBucket;
  /** The storage configuration the stage records to. */
  public readonly storageConfiguration: StorageConfiguration;
  /**
   * The stage's ID, the last part of its ARN, which IVS uses as the first part of every recording's key.
   * A token until deployment.
   */
  public readonly stageId: string;
  /**
   * `<stage id>/`: the key prefix of every recording of the stage in `bucket`. Below it come
   * `<session id>/<participant id>/<timestamp>/`.
   */
  public readonly recordingPrefix: string;

  constructor(scope: Construct, id: string, props: StageRecordingProps) {
    super(scope, id);
    validateStageRecordingProps(this, props);
    const { stage, bucket, bucketProps, storageConfigurationName, ...options } = props;
    this.stage = stage;
    this.bucket = bucket ?? new RecordingBucket(this, 'Bucket', bucketProps);
    this.storageConfiguration = new StorageConfiguration(this, 'Storage', { bucket: this.bucket, storageConfigurationName });
    // a stage that is kept records to its storage configuration still, which IVS then refuses to delete. An aspect, so that
    // a removal policy the stage gets later (applyRemovalPolicy, RemovalPolicies) counts too.
    const storageConfiguration = this.storageConfiguration;
    Aspects.of(storageConfiguration).add({
      visit: (node) => {
        if (node === storageConfiguration) {
          keepWhileKept(storageConfiguration, stage);
        }
      },
    });
    this.stage.enableAutoParticipantRecording({ ...options, storageConfiguration: this.storageConfiguration });
    this.stageId = ivsResourceId(this.stage.stageArn);
    this.recordingPrefix = `${this.stageId}/`;
  }

  /**
   * Grants reading the stage's recordings, in two statements: `s3:GetObject` on `<bucket>/<stage id>/*`, and
   * `s3:ListBucket` on the bucket with the condition `s3:prefix` like `<stage id>/*`, so that the grantee lists only the
   * stage's recordings (ListObjectsV2 with `Prefix` set to `recordingPrefix` or below it). The first names a wildcard
   * (`Resource::<Bucket.Arn>/<stage id>/*` in cdk-nag's AwsSolutions-IAM5), the second none.
   */
  public grantReadRecordings(grantee: iam.IGrantable): iam.Grant {
    const underPrefix = `${this.recordingPrefix}*`;
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: RECORDINGS_READ_OBJECT_ACTIONS,
      resourceArns: [this.bucket.arnForObjects(underPrefix)],
      resource: this.bucket,
    }).combine(iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: RECORDINGS_LIST_ACTIONS,
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [underPrefix] } },
      resource: this.bucket,
    }));
  }
}

// the bucket's and the storage configuration's own rules are checked once, by RecordingBucket and StorageConfiguration.
function validateStageRecordingProps(scope: StageRecording, props: StageRecordingProps): void {
  const validator = new PropsValidator(scope, 'StageRecording');
  // the compiler checks this in TypeScript only: from JavaScript (or a jsii language given an IStage), an imported stage
  // would fail later without naming the prop.
  validator.check(Stage.isStage(props.stage), '`stage` must be a Stage of this app (`Stage.isStage`): automatic participant '
    + `recording is part of the stage's own configuration, which an imported stage's is not, got ${describeValue(props.stage)}`);
  validator.check(props.bucket === undefined || props.bucketProps === undefined, '`bucket` and `bucketProps` cannot both be set: '
    + '`bucketProps` configures the bucket StageRecording defines when no `bucket` is given; remove one of them');
  validator.throwIfInvalid();
}
