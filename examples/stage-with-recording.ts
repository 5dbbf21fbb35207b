import { Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AutoParticipantRecording, ParticipantRecordingMediaType, RecordingBucket, RecordingThumbnails, Stage, StorageConfiguration, ThumbnailStorage,
} from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

export interface StageWithRecordingStackProps extends StackProps {
  /** @default 'town-hall' */
  readonly stageName?: string;
  /** Recording settings besides the storage configuration. @default AUDIO_VIDEO, latest thumbnail every 30 s, 60 s reconnect window, 4 s segments */
  readonly recording?: Omit<AutoParticipantRecording, 'storageConfiguration'>;
  /** @default { team: 'events' } */
  readonly stageTags?: Record<string, string>;
}

/** A stage that records every participant to a new S3 bucket, and a role that may create participant tokens. */
export class StageWithRecordingStack extends Stack {
  public readonly stage: Stage;

  constructor(scope: Construct, id: string, props: StageWithRecordingStackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);

    const bucket = new RecordingBucket(this, 'Recordings');
    const storage = new StorageConfiguration(this, 'Storage', { bucket, storageConfigurationName: 'recordings' });

    this.stage = new Stage(this, 'Stage', {
      stageName: props.stageName ?? 'town-hall',
      autoParticipantRecording: {
        storageConfiguration: storage,
        ...(props.recording ?? {
          mediaType: ParticipantRecordingMediaType.AUDIO_VIDEO,
          thumbnails: RecordingThumbnails.interval(Duration.seconds(30), { storage: [ThumbnailStorage.LATEST] }),
          recordingReconnectWindow: Duration.seconds(60),
          hlsTargetSegmentDuration: Duration.seconds(4),
        }),
      },
      tags: props.stageTags ?? { team: 'events' },
    });
    Tags.of(this).add('app', 'town-hall');

    const backend = new iam.Role(this, 'TokenBackend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.stage.grantCreateParticipantToken(backend);
  }
}
