import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CompositionDestination, CompositionLayout, EncoderConfiguration, EncoderVideo, PipPosition, RecordingBucket, RecordingThumbnails, Stage,
  StageComposition, StorageConfiguration,
} from '../lib';

/**
 * Two stages composed server-side, each with one construct: a studio recorded to S3 as a grid, and a show broadcast to
 * an IVS channel as picture-in-picture. Each composition starts when its stage's session starts publishing.
 */
export class StageCompositionStack extends Stack {
  public readonly studio: Stage;
  public readonly show: Stage;
  public readonly studioRecording: StageComposition;
  public readonly showBroadcast: StageComposition;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // a bucket as IVS requires it; StorageConfiguration keeps IVS's write statement in its policy.
    const bucket = new RecordingBucket(this, 'Recordings');
    const storage = new StorageConfiguration(this, 'Storage', { bucket });
    const fullHd = new EncoderConfiguration(this, 'FullHd', { video: EncoderVideo.landscape1080p({ bitrate: 6_000_000 }) });

    this.studio = new Stage(this, 'Studio', { stageName: 'studio' });
    this.studioRecording = new StageComposition(this, 'StudioRecording', {
      stages: [this.studio],
      layout: CompositionLayout.grid({ featuredParticipantAttribute: 'featured', gridGap: 4 }),
      destinations: [CompositionDestination.s3(storage, {
        encoderConfigurations: [fullHd],
        thumbnails: RecordingThumbnails.interval(Duration.seconds(10)),
      })],
    });

    const channel = new ivs.CfnChannel(this, 'Channel', { name: 'show', latencyMode: 'LOW', type: 'STANDARD' });
    this.show = new Stage(this, 'Show', { stageName: 'show' });
    this.showBroadcast = new StageComposition(this, 'ShowBroadcast', {
      stages: [this.show],
      layout: CompositionLayout.pip({ pipParticipantAttribute: 'guest', pipPosition: PipPosition.TOP_RIGHT, pipOffset: 24 }),
      destinations: [CompositionDestination.channel(channel, { encoderConfiguration: fullHd })],
      stopOnSessionEnd: true,
    });

    // "Session End" comes once the composition is over and, for a recording, every file is in S3.
    const finished = new sqs.Queue(this, 'FinishedRecordings', {
      enforceSSL: true,
      // messages its consumer keeps failing on end up here, instead of being retried until they expire.
      deadLetterQueue: { queue: new sqs.Queue(this, 'UnprocessedRecordings', { enforceSSL: true }), maxReceiveCount: 5 },
    });
    this.studio.onCompositionSessionEnd('RecordingFinished', { target: new targets.SqsQueue(finished) });
  }
}
