import { Duration } from 'aws-cdk-lib';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import { IEncoderConfiguration } from './encoder-configuration';
import { RecordingThumbnails } from './recording-thumbnails';
import { IStorageConfiguration } from './storage-configuration';

/** The aspect ratio of the tiles of non-featured participants in a grid layout. */
export enum VideoAspectRatio {
  /** Each tile takes the aspect ratio of its participant's video. */
  AUTO = 'AUTO',
  /** 16:9. */
  VIDEO = 'VIDEO',
  /** 1:1. */
  SQUARE = 'SQUARE',
  /** 3:4. */
  PORTRAIT = 'PORTRAIT',
}

/** How a participant's video fits its tile. */
export enum VideoFillMode {
  /** Stretched to fill the tile. */
  FILL = 'FILL',
  /** Scaled to cover the tile, cropped. */
  COVER = 'COVER',
  /** Scaled to fit in the tile, letterboxed. */
  CONTAIN = 'CONTAIN',
}

/** The corner of the composition where the picture-in-picture window sits. */
export enum PipPosition {
  TOP_LEFT = 'TOP_LEFT',
  TOP_RIGHT = 'TOP_RIGHT',
  BOTTOM_LEFT = 'BOTTOM_LEFT',
  BOTTOM_RIGHT = 'BOTTOM_RIGHT',
}

/** What the picture-in-picture window does when every other participant has left. */
export enum PipBehavior {
  /** It keeps its position and size. */
  STATIC = 'STATIC',
  /** It expands to the whole composition. */
  DYNAMIC = 'DYNAMIC',
}

/**
 * Options of both layouts.
 *
 * Participant attributes are the `attributes` of the participant's token (CreateParticipantToken or a self-signed
 * token); an attribute name is up to 128 letters, digits, hyphens and underscores.
 */
export interface CompositionLayoutOptions {
  /**
   * The participant attribute that puts a participant in the featured slot, when its value is `"true"`.
   *
   * @default - no featured participant
   */
  readonly featuredParticipantAttribute?: string;

  /**
   * The participant attribute by whose value (a number) participants are ordered. Participants without it, or with it
   * empty, are ordered by the time they joined. In a picture-in-picture layout it also chooses the participant of the
   * window when `pipParticipantAttribute` is not set.
   *
   * @default - participants are ordered by the time they joined
   */
  readonly participantOrderAttribute?: string;

  /**
   * Whether participants whose video is stopped are left out of the composition.
   *
   * @default false
   */
  readonly omitStoppedVideo?: boolean;

  /**
   * How each participant's video fits its tile.
   *
   * @default - in a grid, COVER for the grid's participants and CONTAIN for the featured one; in picture-in-picture, COVER
   */
  readonly videoFillMode?: VideoFillMode;

  /**
   * Spacing between participant tiles, in pixels: a whole number, at least 0.
   *
   * @default - 2 in a grid, 0 in picture-in-picture
   */
  readonly gridGap?: number;
}

/** Options of the grid layout. */
export interface GridLayoutOptions extends CompositionLayoutOptions {
  /**
   * The aspect ratio of the tiles of participants who are not featured.
   *
   * @default VideoAspectRatio.VIDEO
   */
  readonly videoAspectRatio?: VideoAspectRatio;
}

/** Options of the picture-in-picture layout. */
export interface PipLayoutOptions extends CompositionLayoutOptions {
  /**
   * The participant attribute that puts a participant in the picture-in-picture window, when its value is `"true"`.
   *
   * @default - no participant is chosen by attribute
   */
  readonly pipParticipantAttribute?: string;

  /**
   * The corner of the window.
   *
   * @default PipPosition.BOTTOM_RIGHT
   */
  readonly pipPosition?: PipPosition;

  /**
   * What the window does when every other participant has left.
   *
   * @default PipBehavior.STATIC
   */
  readonly pipBehavior?: PipBehavior;

  /**
   * Distance of the window from the closest edges, in pixels: a whole number, at least 0.
   *
   * @default 0
   */
  readonly pipOffset?: number;

  /**
   * Width of the window, in pixels: a whole number, at least 1.
   *
   * @default - from the composition's size and the participant's aspect ratio
   */
  readonly pipWidth?: number;

  /**
   * Height of the window, in pixels: a whole number, at least 1.
   *
   * @default - from the composition's size and the participant's aspect ratio
   */
  readonly pipHeight?: number;
}

/**
 * How a composition places the stage's participants: a grid, or picture-in-picture.
 *
 * What is not set takes the API's default, chosen by IVS when the composition starts. IVS may change how layouts look
 * (tile sizes, positions) at any time; do not depend on their details.
 */
export class CompositionLayout {
  /** Participants in a grid of equal tiles, a featured participant (if any) in a larger slot. */
  public static grid(options: GridLayoutOptions = {}): CompositionLayout {
    return new CompositionLayout(options, undefined);
  }

  /** One participant in a window over the others, who fill the composition as in a grid. */
  public static pip(options: PipLayoutOptions = {}): CompositionLayout {
    return new CompositionLayout(undefined, options);
  }

  /** The grid's options, for a grid layout. */
  public readonly gridOptions?: GridLayoutOptions;
  /** The picture-in-picture options, for a picture-in-picture layout. */
  public readonly pipOptions?: PipLayoutOptions;

  private constructor(gridOptions?: GridLayoutOptions, pipOptions?: PipLayoutOptions) {
    this.gridOptions = gridOptions;
    this.pipOptions = pipOptions;
  }
}

/** The kinds of composition destination. */
export enum CompositionDestinationType {
  /** A recording in S3. */
  S3 = 'S3',
  /** A broadcast to an IVS (low-latency) channel. */
  CHANNEL = 'CHANNEL',
}

/** Options of every destination. */
export interface CompositionDestinationOptions {
  /**
   * A name for the destination, shown by GetComposition. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly destinationName?: string;
}

/** Options of a recording to S3. */
export interface S3DestinationOptions extends CompositionDestinationOptions {
  /**
   * The encoder configuration of the recording. The API takes a list of exactly one.
   *
   * @default - the `StageComposition`'s default encoder configuration: 1280x720 at 30 fps and 2,500,000 bps
   */
  readonly encoderConfigurations?: IEncoderConfiguration[];

  /**
   * Target duration of each HLS segment of the recording. Whole seconds from 2 to 10.
   *
   * @default Duration.seconds(2)
   */
  readonly hlsTargetSegmentDuration?: Duration;

  /**
   * Thumbnails of the composition, written beside the recording.
   *
   * @default - no thumbnails (`RecordingThumbnails.disabled()`)
   */
  readonly thumbnails?: RecordingThumbnails;
}

/** Options of a broadcast to an IVS channel. */
export interface ChannelDestinationOptions extends CompositionDestinationOptions {
  /**
   * The encoder configuration of the broadcast.
   *
   * @default - the `StageComposition`'s default encoder configuration: 1280x720 at 30 fps and 2,500,000 bps
   */
  readonly encoderConfiguration?: IEncoderConfiguration;
}

/**
 * Where a composition goes: a recording to S3 (`CompositionDestination.s3()`) or a broadcast to an IVS channel
 * (`CompositionDestination.channel()`). A composition has one or two destinations, at most one of each kind.
 */
export class CompositionDestination {
  /**
   * Records the composition to the S3 bucket of a storage configuration, as HLS under
   * `<composition id>/<destination id>/composite/` (see the `recordingPrefix` of the composition's destination).
   *
   * IVS writes with the same bucket-policy statement as participant recording, which `StorageConfiguration` keeps in a
   * bucket policy managed by CDK.
   */
  public static s3(storageConfiguration: IStorageConfiguration, options: S3DestinationOptions = {}): CompositionDestination {
    return new CompositionDestination(CompositionDestinationType.S3, { storageConfiguration, s3Options: options });
  }

  /**
   * Broadcasts the composition to an IVS channel of the stage's account and region, such as a `CfnChannel`.
   * The channel must not be broadcasting anything else when a composition starts.
   */
  public static channel(channel: ivs.IChannelRef, options: ChannelDestinationOptions = {}): CompositionDestination {
    return CompositionDestination.channelFromArn(channel.channelRef.channelArn, options);
  }

  /** Broadcasts the composition to the IVS channel of this ARN, in the stage's account and region. */
  public static channelFromArn(channelArn: string, options: ChannelDestinationOptions = {}): CompositionDestination {
    return new CompositionDestination(CompositionDestinationType.CHANNEL, { channelArn, channelOptions: options });
  }

  /** The kind of destination. */
  public readonly destinationType: CompositionDestinationType;
  /** The storage configuration recorded to, for an S3 destination. */
  public readonly storageConfiguration?: IStorageConfiguration;
  /** The options of an S3 destination. */
  public readonly s3Options?: S3DestinationOptions;
  /** The ARN of the channel broadcast to, for a channel destination. */
  public readonly channelArn?: string;
  /** The options of a channel destination. */
  public readonly channelOptions?: ChannelDestinationOptions;

  private constructor(destinationType: CompositionDestinationType, settings: {
    storageConfiguration?: IStorageConfiguration;
    s3Options?: S3DestinationOptions;
    channelArn?: string;
    channelOptions?: ChannelDestinationOptions;
  }) {
    this.destinationType = destinationType;
    this.storageConfiguration = settings.storageConfiguration;
    this.s3Options = settings.s3Options;
    this.channelArn = settings.channelArn;
    this.channelOptions = settings.channelOptions;
  }
}
