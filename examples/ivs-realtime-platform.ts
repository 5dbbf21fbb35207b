import * as path from 'path';
import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  EncoderConfiguration, EncoderVideo, IngestConfiguration, PublicKey, PublicKeyMaterial, RecordingBucket, Stage, StorageConfiguration,
} from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

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
    acknowledgeExampleDefaults(this);

    const buckets = {
      primary: new RecordingBucket(this, 'PrimaryRecordings'),
      archive: new RecordingBucket(this, 'ArchiveRecordings'),
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
