import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EncoderVideo } from './encoder-video';
import { validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
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
   * Tags for the encoder configuration (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own).
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
 * import { EncoderConfiguration, EncoderVideo } from 'cdk-ivs-realtime';
 *
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
   * Whether `x` is an `EncoderConfiguration`, also one from another copy of this library loaded in the same app (where
   * `instanceof` is false). Imported encoder configurations are not.
   */
  public static isEncoderConfiguration(x: any): x is EncoderConfiguration {
    return isMarkedEncoderConfiguration(x);
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
      heldByCompositions: true,
      request: (): EncoderConfigurationRequest => ({
        name: props.encoderConfigurationName,
        video: this.video._render(),
      }),
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });
    this.encoderConfigurationArn = resource.ref;
    countTowardsQuota(this, ENCODER_CONFIGURATIONS_QUOTA);
  }
}

const isMarkedEncoderConfiguration = markClass(EncoderConfiguration, 'EncoderConfiguration');

function validateEncoderConfigurationProps(scope: EncoderConfiguration, props: EncoderConfigurationProps, video: EncoderVideo): void {
  const validator = new PropsValidator(scope, 'EncoderConfiguration');
  validator.resourceName('encoderConfigurationName', props.encoderConfigurationName);
  video._validate(validator, 'video');
  validator.tags('tags', props.tags);
  validator.throwIfInvalid();
}
