import { CfnParameter, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EncoderConfiguration, EncoderVideo } from '../lib';
import { requestOf, newStack } from './util';

const TYPE = 'Custom::IvsRealTimeEncoderConfiguration';
const ENCODER_ARN = 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/abcdABCDefgh';

describe('EncoderConfiguration', () => {
  test('with no props renders the API default video explicitly and exposes its ARN', () => {
    const stack = newStack();
    const encoder = new EncoderConfiguration(stack, 'Encoder');

    expect(requestOf(stack, TYPE)).toEqual({ video: { width: 1280, height: 720, framerate: 30, bitrate: 2500000 } });
    expect(stack.resolve(encoder.encoderConfigurationArn)).toEqual({ Ref: 'EncoderE3A800B5' });
    expect(encoder.video).toMatchObject({ width: 1280, height: 720, framerate: 30, bitrate: 2500000 });
  });

  test('renders the name and custom video in the API request shape', () => {
    const stack = newStack();
    new EncoderConfiguration(stack, 'Encoder', {
      encoderConfigurationName: 'vertical_hd-1',
      video: EncoderVideo.custom({ width: 1080, height: 1350, framerate: 29.97, bitrate: 4_000_000 }),
    });

    expect(requestOf(stack, TYPE)).toEqual({
      name: 'vertical_hd-1',
      video: { width: 1080, height: 1350, framerate: 29.97, bitrate: 4000000 },
    });
  });

  test('custom() fills what is not given with the API defaults', () => {
    expect(EncoderVideo.custom({ framerate: 60 })).toMatchObject({ width: 1280, height: 720, framerate: 60, bitrate: 2500000 });
    expect(EncoderVideo.custom()).toMatchObject({ width: 1280, height: 720, framerate: 30, bitrate: 2500000 });
  });

  test.each([
    ['landscape480p', EncoderVideo.landscape480p(), 854, 480],
    ['portrait480p', EncoderVideo.portrait480p(), 480, 854],
    ['landscape720p', EncoderVideo.landscape720p(), 1280, 720],
    ['portrait720p', EncoderVideo.portrait720p(), 720, 1280],
    ['landscape1080p', EncoderVideo.landscape1080p(), 1920, 1080],
    ['portrait1080p', EncoderVideo.portrait1080p(), 1080, 1920],
  ])('preset %s is %dx%d at the API default rate and passes validation', (_name, video, width, height) => {
    const stack = newStack();
    new EncoderConfiguration(stack, 'Encoder', { video });
    expect(requestOf(stack, TYPE).video).toEqual({ width, height, framerate: 30, bitrate: 2500000 });
  });

  test('presets take a frame rate and bitrate but keep their resolution', () => {
    expect(EncoderVideo.portrait1080p({ framerate: 60, bitrate: 8_500_000 }))
      .toMatchObject({ width: 1080, height: 1920, framerate: 60, bitrate: 8500000 });
  });

  test('tags from props and Tags.of() are rendered together', () => {
    const stack = newStack();
    new EncoderConfiguration(stack, 'Encoder', { tags: { team: 'video' } });
    Tags.of(stack).add('env', 'prod');

    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: { team: 'video', env: 'prod' } });
  });

  test('removal policy defaults to DESTROY and can be RETAIN', () => {
    const stack = newStack();
    new EncoderConfiguration(stack, 'Destroyed');
    new EncoderConfiguration(stack, 'Retained', { removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);

    template.hasResource(TYPE, { Properties: Match.anyValue(), DeletionPolicy: Match.absent() });
    template.hasResource(TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('tokens skip validation', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const size = new CfnParameter(stack, 'Size', { type: 'Number' }).valueAsNumber;

    expect(() => new EncoderConfiguration(stack, 'Encoder', {
      encoderConfigurationName: name,
      video: EncoderVideo.custom({ width: size, height: size, framerate: size, bitrate: size }),
    })).not.toThrow();
  });

  describe('validation', () => {
    function encoderWith(props: any) {
      return () => new EncoderConfiguration(newStack(), 'Encoder', props);
    }

    test('fails if the name has characters the API rejects, naming the construct, property, rule and value', () => {
      expect(encoderWith({ encoderConfigurationName: 'hd 1080!' })).toThrow(
        "EncoderConfiguration 'TestStack/Encoder' has invalid props:\n"
        + '- `encoderConfigurationName` must contain only letters, digits, hyphens and underscores, got "hd 1080!"');
    });

    test('fails if the name is longer than 128 characters', () => {
      expect(encoderWith({ encoderConfigurationName: 'a'.repeat(129) }))
        .toThrow(/`encoderConfigurationName` must be 0-128 characters long, got 129 characters/);
    });

    test('fails if the width or height is out of 2-1920 pixels or not whole', () => {
      expect(encoderWith({ video: EncoderVideo.custom({ width: 1922, height: 2 }) }))
        .toThrow(/`video.width` must be a whole number from 2 to 1920 pixels, got 1922/);
      expect(encoderWith({ video: EncoderVideo.custom({ width: 2, height: 0 }) }))
        .toThrow(/`video.height` must be a whole number from 2 to 1920 pixels, got 0/);
      expect(encoderWith({ video: EncoderVideo.custom({ height: 720.5 }) }))
        .toThrow(/`video.height` must be a whole number from 2 to 1920 pixels, got 720.5/);
    });

    test('fails if the width or height is odd', () => {
      expect(encoderWith({ video: EncoderVideo.custom({ width: 1279, height: 719 }) })).toThrow(
        "EncoderConfiguration 'TestStack/Encoder' has invalid props:\n"
        + '- `video.width` must be even, got 1279\n'
        + '- `video.height` must be even, got 719');
    });

    test('fails if width × height exceeds 2,073,600 pixels, even when each is in range', () => {
      expect(encoderWith({ video: EncoderVideo.custom({ width: 1920, height: 1920 }) })).toThrow(
        '- `video` must have at most 2073600 pixels (width × height, such as 1920x1080 or 1080x1920), got 1920x1920 = 3686400 pixels');
      expect(encoderWith({ video: EncoderVideo.custom({ width: 1920, height: 1082 }) })).toThrow(/got 1920x1082 = 2077440 pixels/);
    });

    test('fails if the frame rate is out of 1-60 fps, and accepts fractions within it', () => {
      expect(encoderWith({ video: EncoderVideo.custom({ framerate: 0.5 }) })).toThrow(/`video.framerate` must be from 1 to 60 fps, got 0.5/);
      expect(encoderWith({ video: EncoderVideo.landscape720p({ framerate: 61 }) })).toThrow(/`video.framerate` must be from 1 to 60 fps, got 61/);
      expect(encoderWith({ video: EncoderVideo.custom({ framerate: NaN }) })).toThrow(/`video.framerate` must be from 1 to 60 fps, got NaN/);
      expect(encoderWith({ video: EncoderVideo.custom({ framerate: 59.94 }) })).not.toThrow();
    });

    test('fails if the bitrate is out of 1-8,500,000 bps or not whole', () => {
      expect(encoderWith({ video: EncoderVideo.landscape1080p({ bitrate: 8_500_001 }) }))
        .toThrow(/`video.bitrate` must be a whole number from 1 to 8500000 bps, got 8500001/);
      expect(encoderWith({ video: EncoderVideo.custom({ bitrate: 0 }) }))
        .toThrow(/`video.bitrate` must be a whole number from 1 to 8500000 bps, got 0/);
      expect(encoderWith({ video: EncoderVideo.custom({ bitrate: 2.5e6 + 0.5 }) })).toThrow(/`video.bitrate` must be a whole number/);
    });

    test('fails if tags break the API rules', () => {
      const tags: Record<string, string> = {};
      for (let i = 0; i < 49; i++) tags[`k${i}`] = 'v';
      expect(encoderWith({ tags })).toThrow(/`tags` must have at most 48 tags \(IVS allows 50; the library adds two of its own\), got 49/);
      expect(encoderWith({ tags: { 'aws:owner': 'x' } })).toThrow(/`tags` keys must not start with "aws:"/);
    });

    test('collects every error of a construct into one message', () => {
      expect(encoderWith({
        encoderConfigurationName: 'bad name',
        video: EncoderVideo.custom({ width: 3, framerate: 100, bitrate: 9_000_000 }),
      })).toThrow(/invalid props:\n- `encoderConfigurationName`[^\n]*\n- `video.width` must be even[^\n]*\n- `video.framerate`[^\n]*\n- `video.bit/);
    });
  });

  describe('imports', () => {
    test('fromEncoderConfigurationArn keeps the ARN and takes the account and region from it', () => {
      const stack = newStack();
      const encoder = EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Imported', ENCODER_ARN);
      expect(encoder.encoderConfigurationArn).toBe(ENCODER_ARN);
      expect(encoder.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    });

    test('fromEncoderConfigurationAttributes accepts ARNs of every partition and tokens', () => {
      const stack = newStack();
      expect(() => EncoderConfiguration.fromEncoderConfigurationAttributes(stack, 'China', {
        encoderConfigurationArn: 'arn:aws-cn:ivs:cn-north-1:123456789012:encoder-configuration/abc',
      })).not.toThrow();
      expect(() => EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Token', new CfnParameter(stack, 'Arn').valueAsString))
        .not.toThrow();
    });

    test('fails if the ARN is not an encoder configuration ARN', () => {
      const stack = newStack();
      expect(() => EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Imported', 'arn:aws:ivs:us-east-1:123456789012:stage/abc'))
        .toThrow("EncoderConfiguration.fromEncoderConfigurationAttributes at 'TestStack/Imported': the ARN must look like "
          + 'arn:aws:ivs:<region>:<account>:encoder-configuration/<id>, got "arn:aws:ivs:us-east-1:123456789012:stage/abc"');
    });
  });
});
