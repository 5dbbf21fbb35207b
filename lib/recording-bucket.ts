import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from './private/nag';
import { PropsValidator } from './private/validation';

/** Options of a `RecordingBucket`, also `StageRecording`'s `bucketProps` for the bucket it defines. */
export interface RecordingBucketProps {
  /**
   * How long the bucket keeps recordings before S3 deletes them (a lifecycle expiration rule), in whole days.
   *
   * @default - recordings are kept until you delete them
   */
  readonly recordingRetention?: Duration;

  /**
   * What happens to the bucket when it leaves the stack. `RETAIN` keeps it, and its recordings, after the stack
   * is deleted; `DESTROY` deletes it, which fails while it holds objects unless `autoDeleteObjects` is set.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether the recordings are deleted when the bucket is (requires `removalPolicy` DESTROY). This adds aws-cdk-lib's
   * auto-delete custom resource, with its own Lambda function, to the stack.
   *
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * Whether S3 keeps every version of each object (as HIPAA.Security and NIST.800-53.R5 ask: cdk-nag's
   * `S3BucketVersioningEnabled`), so that a recording overwritten or deleted can be restored. IVS writes to a versioned
   * bucket as to any other. The noncurrent versions are kept as long as `recordingRetention`, if set, and are billed.
   *
   * @default false
   */
  readonly versioned?: boolean;

  /**
   * Where S3 writes the bucket's server access logs.
   *
   * @default - no access logs (acknowledged for cdk-nag's AwsSolutions-S1: where logs go is the app's choice)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
}

/**
 * Defines an S3 bucket the way IVS needs one to record to: SSE-S3 encryption (IVS cannot write to KMS-encrypted
 * buckets), object ownership enforced, public access blocked, SSL enforced.
 *
 * Give it to a `StorageConfiguration`, which keeps the statement IVS adds to the bucket's policy.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { RecordingBucket, StorageConfiguration } from 'cdk-ivs-realtime';
 *
 * const bucket = new RecordingBucket(this, 'Recordings', { recordingRetention: Duration.days(30) });
 * new StorageConfiguration(this, 'Storage', { bucket });
 */
export class RecordingBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: RecordingBucketProps = {}) {
    // checked before s3.Bucket's constructor, which throws its own, vaguer error for auto-deletion without DESTROY.
    const validator = new PropsValidator(scope, 'RecordingBucket', id);
    validateRecordingBucketOptions(validator, props);
    validator.throwIfInvalid();
    super(scope, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: props.versioned,
      lifecycleRules: props.recordingRetention ? [{
        id: 'ExpireRecordings',
        expiration: props.recordingRetention,
        noncurrentVersionExpiration: props.versioned ? props.recordingRetention : undefined,
      }] : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.autoDeleteObjects,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
    });
    if (!props.serverAccessLogsBucket) {
      // for cdk-nag (AwsSolutions-S1), through aws-cdk-lib's Validations: no dependency on cdk-nag.
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-S1',
        reason: SERVER_ACCESS_LOGS_REASON,
      });
      acknowledgeCompliance(this, { S3BucketLoggingEnabled: SERVER_ACCESS_LOGS_REASON });
    }
    acknowledgeCompliance(this, {
      S3DefaultEncryptionKMS: 'IVS cannot write recordings to a bucket encrypted with KMS: "The Default Encryption setting '
        + 'must be Server-side encryption with Amazon S3 managed keys (SSE-S3)" (IVS Real-Time User Guide, Individual '
        + 'Participant Recording)',
      S3BucketReplicationEnabled: 'Replicating the recordings to another region needs a destination bucket and a role that '
        + 'are the app\'s: add a replication configuration to this bucket where the recordings must survive a region',
    });
  }
}

const SERVER_ACCESS_LOGS_REASON = 'Where server access logs go (another bucket, with its own retention) is the app\'s choice: '
  + 'to log access to the recordings, set serverAccessLogsBucket';

function validateRecordingBucketOptions(validator: PropsValidator, props: RecordingBucketProps): void {
  const retention = props.recordingRetention;
  if (retention && !retention.isUnresolved()) {
    const days = retention.toMilliseconds({ integral: false }) / Duration.days(1).toMilliseconds();
    validator.check(Number.isInteger(days) && days >= 1, `\`recordingRetention\` must be a whole number of days, at least 1, got ${days} days`);
  }
  validator.check(!props.autoDeleteObjects || props.removalPolicy === RemovalPolicy.DESTROY,
    '`autoDeleteObjects` requires `removalPolicy` DESTROY (objects are deleted with the bucket); set both or remove `autoDeleteObjects`');
}
