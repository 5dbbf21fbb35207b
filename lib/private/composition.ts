import { Arn, ArnFormat, IResource, Stack, Token } from 'aws-cdk-lib';
import {
  CompositionDestination,
  CompositionDestinationType,
  CompositionLayout,
  CompositionLayoutOptions,
  PipBehavior,
  PipPosition,
  VideoAspectRatio,
  VideoFillMode,
} from '../composition';
import { IEncoderConfiguration } from '../encoder-configuration';
import { ArnResource } from './contract';
import { PropsValidator } from './validation';

/** The StartComposition `layout`, with only what the options set: IVS fills its own defaults when it starts. */
export function renderLayout(layout: CompositionLayout): Record<string, unknown> {
  if (layout.pipOptions) {
    const pip = layout.pipOptions;
    return {
      pip: definedOnly({
        ...commonLayoutSettings(pip),
        pipParticipantAttribute: pip.pipParticipantAttribute,
        pipPosition: pip.pipPosition,
        pipBehavior: pip.pipBehavior,
        pipOffset: pip.pipOffset,
        pipWidth: pip.pipWidth,
        pipHeight: pip.pipHeight,
      }),
    };
  }
  const grid = layout.gridOptions ?? {};
  return { grid: definedOnly({ ...commonLayoutSettings(grid), videoAspectRatio: grid.videoAspectRatio }) };
}

// named one by one rather than spread: an object from another jsii language, or a TypeScript object with extra keys,
// must not put unknown members into the request.
function commonLayoutSettings(options: CompositionLayoutOptions): Record<string, unknown> {
  return {
    featuredParticipantAttribute: options.featuredParticipantAttribute,
    participantOrderAttribute: options.participantOrderAttribute,
    omitStoppedVideo: options.omitStoppedVideo,
    videoFillMode: options.videoFillMode,
    gridGap: options.gridGap,
  };
}

/**
 * One StartComposition `destinations` item. `defaultEncoder` supplies the encoder configuration of a destination that
 * names none (the S3 destination requires one; a channel's is made explicit so that both encode alike).
 */
export function renderDestination(destination: CompositionDestination, defaultEncoder: () => IEncoderConfiguration): Record<string, unknown> {
  if (destination.destinationType === CompositionDestinationType.S3) {
    const options = destination.s3Options ?? {};
    const encoders = options.encoderConfigurations ?? [defaultEncoder()];
    return definedOnly({
      name: options.destinationName,
      s3: definedOnly({
        storageConfigurationArn: destination.storageConfiguration!.storageConfigurationArn,
        encoderConfigurationArns: encoders.map((encoder) => encoder.encoderConfigurationArn),
        recordingConfiguration: options.hlsTargetSegmentDuration
          ? { hlsConfiguration: { targetSegmentDurationSeconds: options.hlsTargetSegmentDuration.toSeconds() } }
          : undefined,
        thumbnailConfigurations: options.thumbnails?._renderForComposition(),
      }),
    });
  }
  const options = destination.channelOptions ?? {};
  return definedOnly({
    name: options.destinationName,
    channel: {
      channelArn: destination.channelArn,
      encoderConfigurationArn: (options.encoderConfiguration ?? defaultEncoder()).encoderConfigurationArn,
    },
  });
}

/** Whether a destination names no encoder configuration, so that the construct must supply its default one. */
export function needsDefaultEncoder(destination: CompositionDestination): boolean {
  return destination.destinationType === CompositionDestinationType.S3
    ? destination.s3Options?.encoderConfigurations === undefined
    : destination.channelOptions?.encoderConfiguration === undefined;
}

/** The API's rules for a layout (attribute names, pixel counts, enum values). */
export function validateLayout(validator: PropsValidator, prop: string, layout: CompositionLayout): void {
  const options: CompositionLayoutOptions = layout.pipOptions ?? layout.gridOptions ?? {};
  validator.resourceName(`${prop}.featuredParticipantAttribute`, options.featuredParticipantAttribute);
  validator.resourceName(`${prop}.participantOrderAttribute`, options.participantOrderAttribute);
  validator.oneOf(`${prop}.videoFillMode`, options.videoFillMode, Object.values(VideoFillMode));
  validator.integerAtLeast(`${prop}.gridGap`, options.gridGap, 0, 'pixels');
  validator.oneOf(`${prop}.videoAspectRatio`, layout.gridOptions?.videoAspectRatio, Object.values(VideoAspectRatio));
  const pip = layout.pipOptions;
  if (pip) {
    validator.resourceName(`${prop}.pipParticipantAttribute`, pip.pipParticipantAttribute);
    validator.oneOf(`${prop}.pipPosition`, pip.pipPosition, Object.values(PipPosition));
    validator.oneOf(`${prop}.pipBehavior`, pip.pipBehavior, Object.values(PipBehavior));
    validator.integerAtLeast(`${prop}.pipOffset`, pip.pipOffset, 0, 'pixels');
    validator.integerAtLeast(`${prop}.pipWidth`, pip.pipWidth, 1, 'pixels');
    validator.integerAtLeast(`${prop}.pipHeight`, pip.pipHeight, 1, 'pixels');
  }
}

const CHANNEL_ARN = new RegExp(`^arn:aws[-a-z]*:ivs:[a-z0-9-]+:[0-9]+:${ArnResource.CHANNEL}/[a-zA-Z0-9-]+$`);

/**
 * The API's rules for a destination list (one or two, at most one of each kind) and for each destination, and the
 * documented rule that what a composition uses is in the stage's account and region (here: the stack's).
 */
export function validateDestinations(validator: PropsValidator, prop: string, destinations: CompositionDestination[], stack: Stack): void {
  validator.listSize(prop, destinations, 1, 2);
  for (const type of Object.values(CompositionDestinationType)) {
    const count = destinations.filter((destination) => destination.destinationType === type).length;
    validator.check(count <= 1, `\`${prop}\` must have at most one destination of each kind (one S3 and one channel), got ${count} ${type}`);
  }
  destinations.forEach((destination, index) => {
    const at = `${prop}[${index}]`;
    if (destination.destinationType === CompositionDestinationType.S3) {
      const options = destination.s3Options ?? {};
      validator.resourceName(`${at}.destinationName`, options.destinationName);
      validateSameEnvironment(validator, `${at}.storageConfiguration`, destination.storageConfiguration!, stack);
      validator.listSize(`${at}.encoderConfigurations`, options.encoderConfigurations, 1, 1);
      (options.encoderConfigurations ?? []).forEach((encoder, i) =>
        validateSameEnvironment(validator, `${at}.encoderConfigurations[${i}]`, encoder, stack));
      validator.wholeSeconds(`${at}.hlsTargetSegmentDuration`, options.hlsTargetSegmentDuration, 2, 10);
      options.thumbnails?._validate(validator, `${at}.thumbnails`);
    } else {
      const options = destination.channelOptions ?? {};
      validator.resourceName(`${at}.destinationName`, options.destinationName);
      validateChannelArn(validator, `${at}.channelArn`, destination.channelArn!, stack);
      if (options.encoderConfiguration) {
        validateSameEnvironment(validator, `${at}.encoderConfiguration`, options.encoderConfiguration, stack);
      }
    }
  });
}

function validateChannelArn(validator: PropsValidator, prop: string, arn: string, stack: Stack): void {
  validator.pattern(prop, arn, CHANNEL_ARN, 'be the ARN of an IVS channel (arn:aws:ivs:<region>:<account>:channel/<id>)');
  if (!Token.isUnresolved(arn) && CHANNEL_ARN.test(arn)) {
    const { region, account } = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    checkEnvironment(validator, prop, { region: region!, account: account! }, stack);
  }
}

/** Checks a resource's account and region against the stack's, where both are known at synth. */
export function validateSameEnvironment(validator: PropsValidator, prop: string, resource: IResource, stack: Stack): void {
  checkEnvironment(validator, prop, resource.env, stack);
}

function checkEnvironment(validator: PropsValidator, prop: string, env: { region: string; account: string }, stack: Stack): void {
  for (const part of ['region', 'account'] as const) {
    const [theirs, ours] = [env[part], stack[part]];
    if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours)) {
      validator.check(theirs === ours, `\`${prop}\` must be in the stack's ${part} ${ours} (a composition uses only resources of its `
        + `stage's account and region), got ${theirs}`);
    }
  }
}

function definedOnly(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
