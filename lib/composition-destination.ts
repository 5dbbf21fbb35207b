import type { DestinationConfiguration } from '@aws-sdk/client-ivs-realtime';
import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import { IEncoderConfiguration } from './encoder-configuration';
import { isIvsArn } from './private/arn';
import { validateSameEnvironment } from './private/composition-environment';
import { ArnResource } from './private/contract';
import { PropsValidator } from './private/validation';
import { RecordingThumbnails } from './recording-thumbnails';
import { IStorageConfiguration } from './storage-configuration';

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
export abstract class CompositionDestination {
  /**
   * Records the composition to the S3 bucket of a storage configuration, as HLS under
   * `<composition id>/<destination id>/composite/` (see the `recordingPrefix` of the composition's destination).
   *
   * IVS writes with the same bucket-policy statement as participant recording, which `StorageConfiguration` keeps in a
   * bucket policy managed by CDK.
   */
  public static s3(storageConfiguration: IStorageConfiguration, options: S3DestinationOptions = {}): CompositionDestination {
    return new S3Destination(storageConfiguration, options);
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
    return new ChannelDestination(channelArn, options);
  }

  /**
   * Records what breaks the API's rules for a composition's destinations, named `prop`: one or two, at most one of
   * each kind, and each destination's own rules.
   *
   * @internal
   */
  public static _validateAll(validator: PropsValidator, prop: string, destinations: CompositionDestination[], stack: Stack): void {
    validator.listSize(prop, destinations, 1, 2);
    for (const type of Object.values(CompositionDestinationType)) {
      const count = destinations.filter((destination) => destination.destinationType === type).length;
      validator.check(count <= 1, `\`${prop}\` must have at most one destination of each kind (one S3 and one channel), got ${count} ${type}`);
    }
    destinations.forEach((destination, index) => destination._validate(validator, `${prop}[${index}]`, stack));
  }

  /** The kind of destination. */
  public abstract readonly destinationType: CompositionDestinationType;

  /**
   * One StartComposition `destinations` item. `defaultEncoder` supplies the encoder configuration of a destination
   * that names none.
   *
   * @internal
   */
  public abstract _render(defaultEncoder: () => IEncoderConfiguration): DestinationConfiguration;

  /**
   * The ARNs of the resources the rendered destination names, against each of which IVS authorizes StartComposition.
   *
   * @internal
   */
  public abstract _resourceArns(defaultEncoder: () => IEncoderConfiguration): string[];

  /**
   * Records what breaks the API's rules, naming it `prop`, including the documented rule that what a composition
   * uses is in its stage's account and region (here: the stack's).
   *
   * @internal
   */
  public abstract _validate(validator: PropsValidator, prop: string, stack: Stack): void;
}

class S3Destination extends CompositionDestination {
  public readonly destinationType = CompositionDestinationType.S3;

  constructor(private readonly storageConfiguration: IStorageConfiguration, private readonly options: S3DestinationOptions) {
    super();
  }

  public _render(defaultEncoder: () => IEncoderConfiguration): DestinationConfiguration {
    const { destinationName, hlsTargetSegmentDuration, thumbnails } = this.options;
    return {
      name: destinationName,
      s3: {
        storageConfigurationArn: this.storageConfiguration.storageConfigurationArn,
        encoderConfigurationArns: this.encoders(defaultEncoder).map((encoder) => encoder.encoderConfigurationArn),
        recordingConfiguration: hlsTargetSegmentDuration
          ? { hlsConfiguration: { targetSegmentDurationSeconds: hlsTargetSegmentDuration.toSeconds() } }
          : undefined,
        thumbnailConfigurations: thumbnails?._renderForComposition(),
      },
    };
  }

  public _resourceArns(defaultEncoder: () => IEncoderConfiguration): string[] {
    return [...this.encoders(defaultEncoder).map((encoder) => encoder.encoderConfigurationArn), this.storageConfiguration.storageConfigurationArn];
  }

  public _validate(validator: PropsValidator, prop: string, stack: Stack): void {
    const { destinationName, encoderConfigurations, hlsTargetSegmentDuration, thumbnails } = this.options;
    validator.resourceName(`${prop}.destinationName`, destinationName);
    validateSameEnvironment(validator, `${prop}.storageConfiguration`, this.storageConfiguration.env, stack);
    validator.listSize(`${prop}.encoderConfigurations`, encoderConfigurations, 1, 1);
    (encoderConfigurations ?? []).forEach((encoder, index) =>
      validateSameEnvironment(validator, `${prop}.encoderConfigurations[${index}]`, encoder.env, stack));
    validator.wholeSeconds(`${prop}.hlsTargetSegmentDuration`, hlsTargetSegmentDuration, 2, 10);
    thumbnails?._validate(validator, `${prop}.thumbnails`);
  }

  /** The API requires an encoder configuration here. */
  private encoders(defaultEncoder: () => IEncoderConfiguration): IEncoderConfiguration[] {
    return this.options.encoderConfigurations ?? [defaultEncoder()];
  }
}

class ChannelDestination extends CompositionDestination {
  public readonly destinationType = CompositionDestinationType.CHANNEL;

  constructor(private readonly channelArn: string, private readonly options: ChannelDestinationOptions) {
    super();
  }

  public _render(defaultEncoder: () => IEncoderConfiguration): DestinationConfiguration {
    return {
      name: this.options.destinationName,
      channel: { channelArn: this.channelArn, encoderConfigurationArn: this.encoder(defaultEncoder).encoderConfigurationArn },
    };
  }

  public _resourceArns(defaultEncoder: () => IEncoderConfiguration): string[] {
    return [this.encoder(defaultEncoder).encoderConfigurationArn, this.channelArn];
  }

  public _validate(validator: PropsValidator, prop: string, stack: Stack): void {
    validator.resourceName(`${prop}.destinationName`, this.options.destinationName);
    this.validateChannelArn(validator, `${prop}.channelArn`, stack);
    if (this.options.encoderConfiguration) {
      validateSameEnvironment(validator, `${prop}.encoderConfiguration`, this.options.encoderConfiguration.env, stack);
    }
  }

  /** Made explicit when not given (the API's own is optional here), so that both destinations encode alike. */
  private encoder(defaultEncoder: () => IEncoderConfiguration): IEncoderConfiguration {
    return this.options.encoderConfiguration ?? defaultEncoder();
  }

  private validateChannelArn(validator: PropsValidator, prop: string, stack: Stack): void {
    const arn = this.channelArn;
    if (Token.isUnresolved(arn)) {
      return;
    }
    const isChannelArn = isIvsArn(arn, ArnResource.CHANNEL);
    validator.check(isChannelArn, `\`${prop}\` must be the ARN of an IVS channel (arn:aws:ivs:<region>:<account>:channel/<id>), `
      + `got ${JSON.stringify(arn)}`);
    if (isChannelArn) {
      validateSameEnvironment(validator, prop, Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME), stack);
    }
  }
}
