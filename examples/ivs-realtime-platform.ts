import * as path from 'path';
import { RemovalPolicy, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EncoderConfiguration, EncoderVideo, IngestConfiguration, PublicKey, PublicKeyMaterial, Stage, StorageConfiguration,
} from '../lib';

export interface IvsRealTimePlatformStackProps extends StackProps {
  /** Which of the two recording buckets the storage configuration uses. @default 'primary' */
  readonly recordingBucket?: 'primary' | 'archive';
  /** The composition encoder's video. @default 720p landscape */
  readonly encoderVideo?: EncoderVideo;
  /** Tags for every resource of the stack. @default none */
  readonly platformTags?: Record<string, string>;
}

/**
 * All five resource types wired together: a stage records to a bucket through a storage configuration, an RTMPS
 * encoder publishes to the stage through an ingest configuration, an encoder configuration is ready for compositions,
 * and a public key lets the app sign its own participant tokens.
 */
export class IvsRealTimePlatformStack extends Stack {
  public readonly stage: Stage;
  public readonly storageConfiguration: StorageConfiguration;
  public readonly encoderConfiguration: EncoderConfiguration;
  public readonly ingestConfiguration: IngestConfiguration;
  public readonly publicKey: PublicKey;

  constructor(scope: Construct, id: string, props: IvsRealTimePlatformStackProps = {}) {
    super(scope, id, props);

    const buckets = {
      primary: recordingBucket(this, 'PrimaryRecordings'),
      archive: recordingBucket(this, 'ArchiveRecordings'),
    };
    this.storageConfiguration = new StorageConfiguration(this, 'Storage', { bucket: buckets[props.recordingBucket ?? 'primary'] });
    this.stage = new Stage(this, 'Stage', {
      stageName: 'studio',
      autoParticipantRecording: { storageConfiguration: this.storageConfiguration },
    });
    this.ingestConfiguration = this.stage.addIngestConfiguration('Encoder', { ingestConfigurationName: 'studio-encoder', userId: 'obs' });
    this.encoderConfiguration = new EncoderConfiguration(this, 'CompositionEncoder', {
      video: props.encoderVideo ?? EncoderVideo.landscape720p(),
    });
    this.publicKey = new PublicKey(this, 'TokenSigningKey', {
      publicKeyMaterial: PublicKeyMaterial.fromFile(path.join(__dirname, 'keys', 'participant-token-signing.pub.pem')),
    });
    for (const [key, value] of Object.entries(props.platformTags ?? {})) {
      Tags.of(this).add(key, value);
    }
  }
}

function recordingBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // cdk-nag (AwsSolutions pack), for apps that check their stacks with it.
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'An example about IVS: server access logs need a bucket of their own and a retention that a real app chooses '
      + '(set serverAccessLogsBucket)',
  });
  return bucket;
}
