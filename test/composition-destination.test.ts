import { Stack } from 'aws-cdk-lib';
import { CompositionDestination, EncoderConfiguration, IEncoderConfiguration, StorageConfiguration } from '../lib';
import { PropsValidator } from '../lib/private/validation';
import { newStack, newStackInRegion } from './util';

const STORAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456';
const ENCODER_ARN = 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/AbCdEf123456';
const DEFAULT_ENCODER_ARN = 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/Default12345';
const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

/** The messages `_validateAll` records for destinations in `stack`, under the prop name `destinations`. */
function problemsOf(stack: Stack, destinations: CompositionDestination[]): string[] {
  const validator = new PropsValidator(stack, 'Test');
  CompositionDestination._validateAll(validator, 'destinations', destinations, stack);
  return validator.messages;
}

/** A default encoder configuration that counts how often it is asked for. */
function defaultEncoderIn(stack: Stack): { encoder: () => IEncoderConfiguration; calls: () => number } {
  let calls = 0;
  const encoder = EncoderConfiguration.fromEncoderConfigurationArn(stack, 'DefaultEncoder', DEFAULT_ENCODER_ARN);
  return {
    encoder: () => {
      calls++;
      return encoder;
    },
    calls: () => calls,
  };
}

describe('CompositionDestination.s3()', () => {
  test('renders and names its own encoder configuration without asking for the default one', () => {
    const stack = newStack();
    const storage = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
    const encoder = EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', ENCODER_ARN);
    const destination = CompositionDestination.s3(storage, { encoderConfigurations: [encoder] });
    const fallback = defaultEncoderIn(stack);

    expect(destination._render(fallback.encoder)).toEqual({ s3: { storageConfigurationArn: STORAGE_ARN, encoderConfigurationArns: [ENCODER_ARN] } });
    expect(destination._resourceArns(fallback.encoder)).toEqual([ENCODER_ARN, STORAGE_ARN]);
    expect(fallback.calls()).toBe(0);
  });

  test('without an encoder configuration, renders and names the default one', () => {
    const stack = newStack();
    const destination = CompositionDestination.s3(StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN));
    const fallback = defaultEncoderIn(stack);

    expect(destination._render(fallback.encoder).s3?.encoderConfigurationArns).toEqual([DEFAULT_ENCODER_ARN]);
    expect(destination._resourceArns(fallback.encoder)).toEqual([DEFAULT_ENCODER_ARN, STORAGE_ARN]);
  });
});

describe('CompositionDestination.channelFromArn()', () => {
  test('renders and names the channel and its encoder configuration, the default one when none is given', () => {
    const stack = newStack();
    const encoder = EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', ENCODER_ARN);
    const fallback = defaultEncoderIn(stack);

    expect(CompositionDestination.channelFromArn(CHANNEL_ARN, { encoderConfiguration: encoder })._render(fallback.encoder))
      .toEqual({ channel: { channelArn: CHANNEL_ARN, encoderConfigurationArn: ENCODER_ARN } });
    expect(fallback.calls()).toBe(0);
    expect(CompositionDestination.channelFromArn(CHANNEL_ARN)._resourceArns(fallback.encoder)).toEqual([DEFAULT_ENCODER_ARN, CHANNEL_ARN]);
  });

  test('takes a channel ARN of any partition, in the stack\'s account and region', () => {
    const stack = newStackInRegion('cn-north-1');
    const chinaChannel = CHANNEL_ARN.replace('arn:aws:', 'arn:aws-cn:').replace('us-east-1', 'cn-north-1');

    expect(problemsOf(stack, [CompositionDestination.channelFromArn(chinaChannel)])).toEqual([]);
    expect(problemsOf(stack, [CompositionDestination.channelFromArn(chinaChannel.replace('123456789012', '210987654321'))])).toEqual([
      '`destinations[0].channelArn` must be in the stack\'s account 123456789012 (a composition uses only resources of its stage\'s '
      + 'account and region), got 210987654321',
    ]);
  });

  test('fails if the ARN is not a channel\'s, without checking its account and region', () => {
    const stageArn = CHANNEL_ARN.replace('channel', 'stage').replace('us-east-1', 'eu-west-1');

    expect(problemsOf(newStackInRegion('us-east-1'), [CompositionDestination.channelFromArn(stageArn)])).toEqual([
      `\`destinations[0].channelArn\` must be the ARN of an IVS channel (arn:aws:ivs:<region>:<account>:channel/<id>), got "${stageArn}"`,
    ]);
  });
});

describe('CompositionDestination._validateAll()', () => {
  test('checks the list, then each destination under its index', () => {
    const channel = CompositionDestination.channelFromArn(CHANNEL_ARN, { destinationName: 'live now' });

    expect(problemsOf(newStack(), [channel, channel, channel])).toEqual([
      '`destinations` must have 1-2 item(s), got 3',
      '`destinations` must have at most one destination of each kind (one S3 and one channel), got 3 CHANNEL',
      '`destinations[0].destinationName` must contain only letters, digits, hyphens and underscores, got "live now"',
      '`destinations[1].destinationName` must contain only letters, digits, hyphens and underscores, got "live now"',
      '`destinations[2].destinationName` must contain only letters, digits, hyphens and underscores, got "live now"',
    ]);
  });
});
