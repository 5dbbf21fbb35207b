import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { ArnResource, EncoderConfigurationRequest, ResourceType } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import { ENCODER_CONFIGURATION_READ_ACTIONS, PROVIDER_ACTIONS } from './private/iam';
import { countTowardsQuota, ENCODER_CONFIGURATIONS_QUOTA } from './private/quotas';
import { PropsValidator } from './private/validation';

/**
 * An Amazon IVS Real-Time encoder configuration: the video settings of a server-side composition's output.
 */
export interface IEncoderConfiguration extends IResource {
  /**
   * The encoder configuration's ARN.
   *
   * @attribute
   * @example 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/abcdABCDefgh'
   */
  readonly encoderConfigurationArn: string;

  /** Grants `actions` on this encoder configuration to `grantee`. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this encoder configuration: `ivs:GetEncoderConfiguration` on it only. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of an encoder configuration defined outside this app. */
export interface EncoderConfigurationAttributes {
  /**
   * The encoder configuration's ARN.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/abcdABCDefgh'
   */
  readonly encoderConfigurationArn: string;
}

abstract class EncoderConfigurationBase extends Resource implements IEncoderConfiguration {
  public abstract readonly encoderConfigurationArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.encoderConfigurationArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...ENCODER_CONFIGURATION_READ_ACTIONS);
  }
}

/** The API's defaults (1280x720 at 30 fps and 2,500,000 bps). */
const DEFAULT_WIDTH = 1280;
const DEFAULT_HEIGHT = 720;
const DEFAULT_FRAMERATE = 30;
const DEFAULT_BITRATE = 2_500_000;

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
}

/** Properties of an `EncoderConfiguration`. */
export interface EncoderConfigurationProps {
  /**
   * The encoder configuration's name. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly encoderConfigurationName?: string;

  /**
   * The video the composition encodes.
   *
   * @default - 1280x720 at 30 fps and 2,500,000 bps, the API's default (`EncoderVideo.landscape720p()`)
   */
  readonly video?: EncoderVideo;

  /**
   * Tags for the encoder configuration (at most 50, with those from `Tags.of()`).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the encoder configuration when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Defines an Amazon IVS Real-Time encoder configuration: the resolution, frame rate and bitrate a server-side
 * composition encodes to.
 *
 * There is no update call for encoder configurations: changing the name or the video defines a new one (new ARN)
 * and deletes the old one. Tags update in place.
 *
 * IVS allows 20 encoder configurations per account and region by default (an adjustable quota): synth warns when the
 * app defines more for one account and region.
 *
 * @resource Custom::IvsRealTimeEncoderConfiguration
 * @example
 * new EncoderConfiguration(this, 'Encoder', { video: EncoderVideo.landscape1080p({ bitrate: 6_000_000 }) });
 */
export class EncoderConfiguration extends EncoderConfigurationBase implements ITaggable {
  /** Imports an encoder configuration by its ARN. */
  public static fromEncoderConfigurationArn(scope: Construct, id: string, encoderConfigurationArn: string): IEncoderConfiguration {
    return EncoderConfiguration.fromEncoderConfigurationAttributes(scope, id, { encoderConfigurationArn });
  }

  /** Imports an encoder configuration from its attributes. */
  public static fromEncoderConfigurationAttributes(scope: Construct, id: string, attrs: EncoderConfigurationAttributes): IEncoderConfiguration {
    validateIvsArn(scope, id, 'EncoderConfiguration.fromEncoderConfigurationAttributes', attrs.encoderConfigurationArn,
      ArnResource.ENCODER_CONFIGURATION);
    class Import extends EncoderConfigurationBase {
      public readonly encoderConfigurationArn = attrs.encoderConfigurationArn;
    }
    return new Import(scope, id, { environmentFromArn: attrs.encoderConfigurationArn });
  }

  /**
   * The encoder configuration's ARN.
   *
   * @attribute
   */
  public readonly encoderConfigurationArn: string;
  /** The video the composition encodes. */
  public readonly video: EncoderVideo;
  /** The encoder configuration's tags, including those added with `Tags.of()`. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: EncoderConfigurationProps = {}) {
    super(scope, id);
    this.video = props.video ?? EncoderVideo.landscape720p();
    validateEncoderConfigurationProps(this, props, this.video);
    this.tags = new TagManager(TagType.MAP, ResourceType.ENCODER_CONFIGURATION, props.tags);

    const resource = defineIvsCustomResource(this, {
      resourceType: ResourceType.ENCODER_CONFIGURATION,
      arnResource: ArnResource.ENCODER_CONFIGURATION,
      actions: PROVIDER_ACTIONS.encoderConfiguration,
      request: (): EncoderConfigurationRequest => ({
        name: props.encoderConfigurationName,
        // every setting explicit, the API's defaults included: a change of default then shows as a change here.
        video: { width: this.video.width, height: this.video.height, framerate: this.video.framerate, bitrate: this.video.bitrate },
      }),
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });
    this.encoderConfigurationArn = resource.ref;
    countTowardsQuota(this, ENCODER_CONFIGURATIONS_QUOTA);
  }
}

/** The API's limit on width × height (1920x1080 or 1080x1920). */
const MAX_PIXELS = 2_073_600;

function validateEncoderConfigurationProps(scope: EncoderConfiguration, props: EncoderConfigurationProps, video: EncoderVideo): void {
  const validator = new PropsValidator(scope, 'EncoderConfiguration');
  validator.resourceName('encoderConfigurationName', props.encoderConfigurationName);
  for (const [prop, value] of [['video.width', video.width], ['video.height', video.height]] as const) {
    validator.integerInRange(prop, value, 2, 1920, 'pixels');
    validator.check(Token.isUnresolved(value) || !Number.isInteger(value) || value % 2 === 0, `\`${prop}\` must be even, got ${value}`);
  }
  const pixels = video.width * video.height;
  validator.check(Token.isUnresolved(video.width) || Token.isUnresolved(video.height) || pixels <= MAX_PIXELS,
    `\`video\` must have at most ${MAX_PIXELS} pixels (width × height, such as 1920x1080 or 1080x1920), `
    + `got ${video.width}x${video.height} = ${pixels} pixels`);
  validator.numberInRange('video.framerate', video.framerate, 1, 60, 'fps');
  validator.integerInRange('video.bitrate', video.bitrate, 1, 8_500_000, 'bps');
  validator.tags('tags', props.tags);
  validator.throwIfInvalid();
}
