import type { Video } from '@aws-sdk/client-ivs-realtime';
import { Token } from 'aws-cdk-lib';
import { PropsValidator } from './private/validation';

/** The API's defaults (1280x720 at 30 fps and 2,500,000 bps). */
const DEFAULT_WIDTH = 1280;
const DEFAULT_HEIGHT = 720;
const DEFAULT_FRAMERATE = 30;
const DEFAULT_BITRATE = 2_500_000;
/** The API's limit on width × height (1920x1080 or 1080x1920). */
const MAX_PIXELS = 2_073_600;

/** Frame rate and bitrate of a video preset, whose resolution is fixed. */
export interface EncoderVideoPresetOptions {
  /**
   * Frame rate, in frames per second: from 1 to 60, fractions allowed (such as 29.97).
   *
   * @default 30
   */
  readonly framerate?: number;

  /**
   * Bitrate of the output, in bits per second: a whole number from 1 to 8,500,000.
   * The default suits 720p; larger shapes may want more.
   *
   * @default 2500000
   */
  readonly bitrate?: number;
}

/** Video settings of any shape the API accepts. */
export interface EncoderVideoSettings extends EncoderVideoPresetOptions {
  /**
   * Width of the video, in pixels: even, from 2 to 1920, with width × height at most 2,073,600 (1920x1080 or 1080x1920).
   *
   * @default 1280
   */
  readonly width?: number;

  /**
   * Height of the video, in pixels: even, from 2 to 1920, with width × height at most 2,073,600 (1920x1080 or 1080x1920).
   *
   * @default 720
   */
  readonly height?: number;
}

/**
 * The video an encoder configuration produces: a preset shape (such as `EncoderVideo.landscape1080p()`) or any
 * shape the API accepts (`EncoderVideo.custom({ ... })`).
 *
 * Presets fix the resolution; their frame rate and bitrate default to the API's (30 fps, 2,500,000 bps)
 * and can be set in their options. Every value is checked at synth (see `EncoderVideoSettings`).
 */
export class EncoderVideo {
  /** 854x480, 16:9. */
  public static landscape480p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 854, height: 480 });
  }

  /** 480x854, 9:16 (vertical video). */
  public static portrait480p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 480, height: 854 });
  }

  /** 1280x720, 16:9: the API's default shape. */
  public static landscape720p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 1280, height: 720 });
  }

  /** 720x1280, 9:16 (vertical video). */
  public static portrait720p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 720, height: 1280 });
  }

  /** 1920x1080, 16:9: the largest landscape shape the API accepts. */
  public static landscape1080p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 1920, height: 1080 });
  }

  /** 1080x1920, 9:16 (vertical video): the largest portrait shape the API accepts. */
  public static portrait1080p(options: EncoderVideoPresetOptions = {}): EncoderVideo {
    return EncoderVideo.custom({ ...options, width: 1080, height: 1920 });
  }

  /** Any shape, frame rate and bitrate the API accepts; what is not given takes the API's default. */
  public static custom(settings: EncoderVideoSettings = {}): EncoderVideo {
    return new EncoderVideo(settings.width ?? DEFAULT_WIDTH, settings.height ?? DEFAULT_HEIGHT, settings.framerate ?? DEFAULT_FRAMERATE,
      settings.bitrate ?? DEFAULT_BITRATE);
  }

  /** Width, in pixels. */
  public readonly width: number;
  /** Height, in pixels. */
  public readonly height: number;
  /** Frame rate, in frames per second. */
  public readonly framerate: number;
  /** Bitrate, in bits per second. */
  public readonly bitrate: number;

  private constructor(width: number, height: number, framerate: number, bitrate: number) {
    this.width = width;
    this.height = height;
    this.framerate = framerate;
    this.bitrate = bitrate;
  }

  /**
   * The API's `video`, every setting explicit, the API's defaults included: a change of default then shows as a change
   * of the request.
   *
   * @internal
   */
  public _render(): Video {
    return { width: this.width, height: this.height, framerate: this.framerate, bitrate: this.bitrate };
  }

  /**
   * Records what breaks the API's rules, naming it `prop`.
   *
   * @internal
   */
  public _validate(validator: PropsValidator, prop: string): void {
    for (const [dimension, value] of [['width', this.width], ['height', this.height]] as const) {
      validator.integerInRange(`${prop}.${dimension}`, value, 2, 1920, 'pixels');
      validator.check(Token.isUnresolved(value) || !Number.isInteger(value) || value % 2 === 0,
        `\`${prop}.${dimension}\` must be even, got ${value}`);
    }
    const pixels = this.width * this.height;
    validator.check(Token.isUnresolved(this.width) || Token.isUnresolved(this.height) || pixels <= MAX_PIXELS,
      `\`${prop}\` must have at most ${MAX_PIXELS} pixels (width × height, such as 1920x1080 or 1080x1920), `
      + `got ${this.width}x${this.height} = ${pixels} pixels`);
    validator.numberInRange(`${prop}.framerate`, this.framerate, 1, 60, 'fps');
    validator.integerInRange(`${prop}.bitrate`, this.bitrate, 1, 8_500_000, 'bps');
  }
}
