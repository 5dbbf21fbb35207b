import type { GridConfiguration, LayoutConfiguration } from '@aws-sdk/client-ivs-realtime';
import { PropsValidator } from './private/validation';

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
export abstract class CompositionLayout {
  /** Participants in a grid of equal tiles, a featured participant (if any) in a larger slot. */
  public static grid(options: GridLayoutOptions = {}): CompositionLayout {
    return new GridLayout(options);
  }

  /** One participant in a window over the others, who fill the composition as in a grid. */
  public static pip(options: PipLayoutOptions = {}): CompositionLayout {
    return new PipLayout(options);
  }

  /**
   * The StartComposition `layout`, with only what the options set: IVS fills its own defaults when it starts.
   *
   * @internal
   */
  public abstract _render(): LayoutConfiguration;

  /**
   * Records what breaks the API's rules (attribute names, pixel counts, enum values), naming it `prop`.
   *
   * @internal
   */
  public abstract _validate(validator: PropsValidator, prop: string): void;
}

class GridLayout extends CompositionLayout {
  constructor(private readonly options: GridLayoutOptions) {
    super();
  }

  public _render(): LayoutConfiguration {
    return { grid: { ...commonSettings(this.options), videoAspectRatio: this.options.videoAspectRatio } };
  }

  public _validate(validator: PropsValidator, prop: string): void {
    validateCommonSettings(validator, prop, this.options);
    validator.oneOf(`${prop}.videoAspectRatio`, this.options.videoAspectRatio, Object.values(VideoAspectRatio));
  }
}

class PipLayout extends CompositionLayout {
  constructor(private readonly options: PipLayoutOptions) {
    super();
  }

  public _render(): LayoutConfiguration {
    const pip = this.options;
    return {
      pip: {
        ...commonSettings(pip),
        pipParticipantAttribute: pip.pipParticipantAttribute,
        pipPosition: pip.pipPosition,
        pipBehavior: pip.pipBehavior,
        pipOffset: pip.pipOffset,
        pipWidth: pip.pipWidth,
        pipHeight: pip.pipHeight,
      },
    };
  }

  public _validate(validator: PropsValidator, prop: string): void {
    const pip = this.options;
    validateCommonSettings(validator, prop, pip);
    validator.resourceName(`${prop}.pipParticipantAttribute`, pip.pipParticipantAttribute);
    validator.oneOf(`${prop}.pipPosition`, pip.pipPosition, Object.values(PipPosition));
    validator.oneOf(`${prop}.pipBehavior`, pip.pipBehavior, Object.values(PipBehavior));
    validator.integerAtLeast(`${prop}.pipOffset`, pip.pipOffset, 0, 'pixels');
    validator.integerAtLeast(`${prop}.pipWidth`, pip.pipWidth, 1, 'pixels');
    validator.integerAtLeast(`${prop}.pipHeight`, pip.pipHeight, 1, 'pixels');
  }
}

/**
 * The settings both layouts have. Named one by one rather than spread: an object from another jsii language, or a
 * TypeScript object with extra keys, must not put unknown members into the request.
 */
function commonSettings(options: CompositionLayoutOptions): Omit<GridConfiguration, 'videoAspectRatio'> {
  return {
    featuredParticipantAttribute: options.featuredParticipantAttribute,
    participantOrderAttribute: options.participantOrderAttribute,
    omitStoppedVideo: options.omitStoppedVideo,
    videoFillMode: options.videoFillMode,
    gridGap: options.gridGap,
  };
}

function validateCommonSettings(validator: PropsValidator, prop: string, options: CompositionLayoutOptions): void {
  validator.resourceName(`${prop}.featuredParticipantAttribute`, options.featuredParticipantAttribute);
  validator.resourceName(`${prop}.participantOrderAttribute`, options.participantOrderAttribute);
  validator.oneOf(`${prop}.videoFillMode`, options.videoFillMode, Object.values(VideoFillMode));
  validator.integerAtLeast(`${prop}.gridGap`, options.gridGap, 0, 'pixels');
}
