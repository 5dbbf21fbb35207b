import { CfnParameter, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import {
  CompositionDestination,
  CompositionLayout,
  EncoderConfiguration,
  IEncoderConfiguration,
  IStorageConfiguration,
  PipBehavior,
  PipPosition,
  RecordingThumbnails,
  Stage,
  StageComposition,
  StageCompositionProps,
  StorageConfiguration,
  ThumbnailStorage,
  VideoAspectRatio,
  VideoFillMode,
} from '../lib';
import { compositionConfigOf } from './support/stage-composition';
import { newStack, newStackInRegion, parseRenderedJson } from './util';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/AbCdef1G2hij';
const STORAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456';
const ENCODER_ARN = 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/AbCdEf123456';
const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

/** Imported resources with known ARNs, so that the rendered configuration is plain JSON; defined once per stack. */
function imports(stack: Stack): { storage: IStorageConfiguration; encoder: IEncoderConfiguration } {
  return {
    storage: stack.node.tryFindChild('Storage') as IStorageConfiguration
      ?? StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN),
    encoder: stack.node.tryFindChild('Encoder') as IEncoderConfiguration
      ?? EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', ENCODER_ARN),
  };
}

/** A StageComposition of one imported stage; `props` replaces the defaults (an S3 destination with its encoder). */
function compose(stack: Stack, props: Partial<StageCompositionProps> = {}): StageComposition {
  const { storage, encoder } = imports(stack);
  return new StageComposition(stack, 'Composition', {
    stages: [Stage.fromStageArn(stack, 'Stage', STAGE_ARN)],
    destinations: [CompositionDestination.s3(storage, { encoderConfigurations: [encoder] })],
    ...props,
  });
}

/** The layout and destinations the function sends to StartComposition. */
function rendered(props: (stack: Stack) => Partial<StageCompositionProps>): { layout: any; destinations: any[] } {
  const stack = newStack();
  compose(stack, props(stack));
  const { layout, destinations } = compositionConfigOf(stack);
  return { layout, destinations };
}

describe('CompositionLayout', () => {
  test('the default is a grid with every setting left to IVS', () => {
    expect(rendered(() => ({})).layout).toEqual({ grid: {} });
    expect(rendered(() => ({ layout: CompositionLayout.grid() })).layout).toEqual({ grid: {} });
  });

  test('a grid renders every option the API has, under its API name', () => {
    const layout = CompositionLayout.grid({
      featuredParticipantAttribute: 'featured',
      participantOrderAttribute: 'seat',
      omitStoppedVideo: true,
      videoAspectRatio: VideoAspectRatio.SQUARE,
      videoFillMode: VideoFillMode.CONTAIN,
      gridGap: 0,
    });

    expect(rendered(() => ({ layout })).layout).toEqual({
      grid: {
        featuredParticipantAttribute: 'featured',
        participantOrderAttribute: 'seat',
        omitStoppedVideo: true,
        videoAspectRatio: 'SQUARE',
        videoFillMode: 'CONTAIN',
        gridGap: 0,
      },
    });
  });

  test('picture-in-picture renders every option the API has, under its API name', () => {
    const layout = CompositionLayout.pip({
      featuredParticipantAttribute: 'host',
      participantOrderAttribute: 'seat',
      omitStoppedVideo: false,
      videoFillMode: VideoFillMode.FILL,
      gridGap: 8,
      pipParticipantAttribute: 'guest',
      pipPosition: PipPosition.TOP_LEFT,
      pipBehavior: PipBehavior.DYNAMIC,
      pipOffset: 16,
      pipWidth: 480,
      pipHeight: 270,
    });

    expect(rendered(() => ({ layout })).layout).toEqual({
      pip: {
        featuredParticipantAttribute: 'host',
        participantOrderAttribute: 'seat',
        omitStoppedVideo: false,
        videoFillMode: 'FILL',
        gridGap: 8,
        pipParticipantAttribute: 'guest',
        pipPosition: 'TOP_LEFT',
        pipBehavior: 'DYNAMIC',
        pipOffset: 16,
        pipWidth: 480,
        pipHeight: 270,
      },
    });
  });

  test('keys the API does not know, passed in an options object, never reach the request', () => {
    const layout = CompositionLayout.grid({ gridGap: 4, pipWidth: 100 } as any);

    expect(rendered(() => ({ layout })).layout).toEqual({ grid: { gridGap: 4 } });
  });
});

describe('CompositionDestination', () => {
  test('s3 renders the storage and encoder configurations, and nothing left to IVS', () => {
    expect(rendered(() => ({})).destinations).toEqual([
      { s3: { storageConfigurationArn: STORAGE_ARN, encoderConfigurationArns: [ENCODER_ARN] } },
    ]);
  });

  test('s3 renders its name, HLS segment duration and thumbnails (default storage made explicit)', () => {
    const { destinations } = rendered((stack) => {
      const { storage, encoder } = imports(stack);
      return {
        destinations: [CompositionDestination.s3(storage, {
          destinationName: 'archive',
          encoderConfigurations: [encoder],
          hlsTargetSegmentDuration: Duration.seconds(6),
          thumbnails: RecordingThumbnails.interval(Duration.seconds(30)),
        })],
      };
    });

    expect(destinations).toEqual([{
      name: 'archive',
      s3: {
        storageConfigurationArn: STORAGE_ARN,
        encoderConfigurationArns: [ENCODER_ARN],
        recordingConfiguration: { hlsConfiguration: { targetSegmentDurationSeconds: 6 } },
        thumbnailConfigurations: [{ targetIntervalSeconds: 30, storage: ['SEQUENTIAL'] }],
      },
    }]);
  });

  test('s3 with thumbnails disabled sends no thumbnail configuration', () => {
    const { destinations } = rendered((stack) => {
      const { storage, encoder } = imports(stack);
      return { destinations: [CompositionDestination.s3(storage, { encoderConfigurations: [encoder], thumbnails: RecordingThumbnails.disabled() })] };
    });

    expect(destinations[0].s3.thumbnailConfigurations).toBeUndefined();
  });

  test('channel takes a CfnChannel (any IChannelRef; its Ref is its ARN) or an ARN, with its encoder configuration and name', () => {
    const stack = newStack();
    const channel = new ivs.CfnChannel(stack, 'Channel', { latencyMode: 'LOW' });
    const { encoder } = imports(stack);
    compose(stack, { destinations: [CompositionDestination.channel(channel, { encoderConfiguration: encoder, destinationName: 'live' })] });
    const other = newStack();
    compose(other, { destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN, { encoderConfiguration: imports(other).encoder })] });

    expect(compositionConfigOf(stack).destinations).toEqual([
      { name: 'live', channel: { channelArn: `<Ref:${stack.getLogicalId(channel)}>`, encoderConfigurationArn: ENCODER_ARN } },
    ]);
    expect(compositionConfigOf(other).destinations).toEqual([{ channel: { channelArn: CHANNEL_ARN, encoderConfigurationArn: ENCODER_ARN } }]);
  });

  test('destinations without an encoder configuration share one the StageComposition defines, with the API\'s defaults', () => {
    const stack = newStack();
    const composition = compose(stack, {
      destinations: [CompositionDestination.s3(imports(stack).storage), CompositionDestination.channelFromArn(CHANNEL_ARN)],
    });
    const encoders = Template.fromStack(stack).findResources('Custom::IvsRealTimeEncoderConfiguration');
    const [encoderId] = Object.keys(encoders);

    expect(Object.keys(encoders)).toHaveLength(1);
    expect(parseRenderedJson(encoders[encoderId].Properties.Request))
      .toEqual({ video: { width: 1280, height: 720, framerate: 30, bitrate: 2500000 } });
    expect(composition.defaultEncoderConfiguration).toBeDefined();
    expect(compositionConfigOf(stack).destinations).toEqual([
      { s3: { storageConfigurationArn: STORAGE_ARN, encoderConfigurationArns: [`<Ref:${encoderId}>`] } },
      { channel: { channelArn: CHANNEL_ARN, encoderConfigurationArn: `<Ref:${encoderId}>` } },
    ]);
  });

  test('no default encoder configuration is defined when every destination names its own', () => {
    const stack = newStack();
    const composition = compose(stack);

    Template.fromStack(stack).resourceCountIs('Custom::IvsRealTimeEncoderConfiguration', 0);
    expect(composition.defaultEncoderConfiguration).toBeUndefined();
  });
});

describe('validation', () => {
  function composing(props: (stack: Stack) => Partial<StageCompositionProps>, stack: Stack = newStack()): () => StageComposition {
    return () => compose(stack, props(stack));
  }
  const withLayout = (layout: CompositionLayout) => composing(() => ({ layout }));
  const withDestinations = (destinations: (stack: Stack) => CompositionDestination[], stack?: Stack) =>
    composing((s) => ({ destinations: destinations(s) }), stack);
  const s3 = (stack: Stack, options = {}) =>
    CompositionDestination.s3(imports(stack).storage, { encoderConfigurations: [imports(stack).encoder], ...options });

  test('fails if a participant attribute name has characters the API rejects, naming the construct, property, rule and value', () => {
    expect(withLayout(CompositionLayout.grid({ featuredParticipantAttribute: 'is featured' }))).toThrow(
      "StageComposition 'TestStack/Composition' has invalid props:\n"
      + '- `layout.featuredParticipantAttribute` must contain only letters, digits, hyphens and underscores, got "is featured"');
    expect(withLayout(CompositionLayout.pip({ pipParticipantAttribute: 'guest!' })))
      .toThrow(/`layout.pipParticipantAttribute` must contain only letters, digits, hyphens and underscores, got "guest!"/);
    expect(withLayout(CompositionLayout.grid({ participantOrderAttribute: 'seat.number' })))
      .toThrow(/`layout.participantOrderAttribute` must contain only letters, digits, hyphens and underscores, got "seat.number"/);
  });

  test('fails if a participant attribute name is longer than 128 characters', () => {
    expect(withLayout(CompositionLayout.pip({ featuredParticipantAttribute: 'a'.repeat(129) })))
      .toThrow(/`layout.featuredParticipantAttribute` must be 0-128 characters long, got 129 characters/);
  });

  test('fails if the grid gap is negative or not whole pixels', () => {
    expect(withLayout(CompositionLayout.grid({ gridGap: -1 }))).toThrow(/`layout.gridGap` must be a whole number of at least 0 pixels, got -1/);
    expect(withLayout(CompositionLayout.pip({ gridGap: 2.5 }))).toThrow(/`layout.gridGap` must be a whole number of at least 0 pixels, got 2.5/);
  });

  test('fails if the picture-in-picture offset is negative or its size is below 1 pixel', () => {
    expect(withLayout(CompositionLayout.pip({ pipOffset: -4, pipWidth: 0, pipHeight: 0.5 }))).toThrow(
      "StageComposition 'TestStack/Composition' has invalid props:\n"
      + '- `layout.pipOffset` must be a whole number of at least 0 pixels, got -4\n'
      + '- `layout.pipWidth` must be a whole number of at least 1 pixels, got 0\n'
      + '- `layout.pipHeight` must be a whole number of at least 1 pixels, got 0.5');
  });

  test('fails if an enum value is not one the API knows (from a language without TypeScript\'s checks)', () => {
    expect(withLayout(CompositionLayout.grid({ videoFillMode: 'STRETCH' as VideoFillMode, videoAspectRatio: 'WIDE' as VideoAspectRatio })))
      .toThrow('- `layout.videoFillMode` must be one of FILL, COVER, CONTAIN, got "STRETCH"\n'
        + '- `layout.videoAspectRatio` must be one of AUTO, VIDEO, SQUARE, PORTRAIT, got "WIDE"');
    expect(withLayout(CompositionLayout.pip({ pipPosition: 'CENTER' as PipPosition, pipBehavior: 'FLOAT' as PipBehavior })))
      .toThrow('- `layout.pipPosition` must be one of TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT, got "CENTER"\n'
        + '- `layout.pipBehavior` must be one of STATIC, DYNAMIC, got "FLOAT"');
  });

  test('fails if there is no destination, or more than two', () => {
    expect(withDestinations(() => [])).toThrow(/`destinations` must have 1-2 item\(s\), got 0/);
    const channel = () => CompositionDestination.channelFromArn(CHANNEL_ARN);
    expect(withDestinations((stack) => [s3(stack), channel(), channel()]))
      .toThrow(/`destinations` must have 1-2 item\(s\), got 3/);
  });

  test('fails if two destinations are of the same kind', () => {
    expect(withDestinations((stack) => [s3(stack), s3(stack)]))
      .toThrow(/`destinations` must have at most one destination of each kind \(one S3 and one channel\), got 2 S3/);
    expect(withDestinations(() => [CompositionDestination.channelFromArn(CHANNEL_ARN), CompositionDestination.channelFromArn(CHANNEL_ARN)]))
      .toThrow(/`destinations` must have at most one destination of each kind \(one S3 and one channel\), got 2 CHANNEL/);
  });

  test('fails if an S3 destination has other than one encoder configuration', () => {
    expect(withDestinations((stack) => [s3(stack, { encoderConfigurations: [] })]))
      .toThrow(/`destinations\[0\].encoderConfigurations` must have 1 item\(s\), got 0/);
    expect(withDestinations((stack) => [s3(stack, { encoderConfigurations: [imports(stack).encoder, imports(newStack()).encoder] })]))
      .toThrow(/`destinations\[0\].encoderConfigurations` must have 1 item\(s\), got 2/);
  });

  test('fails if the HLS segment duration is out of 2-10 whole seconds', () => {
    expect(withDestinations((stack) => [s3(stack, { hlsTargetSegmentDuration: Duration.seconds(1) })]))
      .toThrow(/`destinations\[0\].hlsTargetSegmentDuration` must be a whole number of seconds from 2 to 10, got 1 seconds/);
    expect(withDestinations((stack) => [s3(stack, { hlsTargetSegmentDuration: Duration.millis(2500) })]))
      .toThrow(/`destinations\[0\].hlsTargetSegmentDuration` must be a whole number of seconds from 2 to 10, got 2.5 seconds/);
  });

  test('fails if the thumbnails break the API\'s rules (interval 1-86400 s, no repeated storage mode)', () => {
    expect(withDestinations((stack) => [s3(stack, { thumbnails: RecordingThumbnails.interval(Duration.seconds(0)) })]))
      .toThrow(/`destinations\[0\].thumbnails.interval` must be a whole number of seconds from 1 to 86400, got 0 seconds/);
    const repeated = RecordingThumbnails.interval(Duration.seconds(5), { storage: [ThumbnailStorage.LATEST, ThumbnailStorage.LATEST] });
    expect(withDestinations((stack) => [s3(stack, { thumbnails: repeated })]))
      .toThrow(/`destinations\[0\].thumbnails.storage` must not repeat a storage mode, got \["LATEST","LATEST"\]/);
  });

  test('fails if a destination name has characters the API rejects', () => {
    expect(withDestinations((stack) => [s3(stack, { destinationName: 'my archive' })]))
      .toThrow(/`destinations\[0\].destinationName` must contain only letters, digits, hyphens and underscores, got "my archive"/);
    expect(withDestinations(() => [CompositionDestination.channelFromArn(CHANNEL_ARN, { destinationName: 'x'.repeat(129) })]))
      .toThrow(/`destinations\[0\].destinationName` must be 0-128 characters long, got 129 characters/);
  });

  test('fails if a channel ARN is not an IVS channel\'s', () => {
    expect(withDestinations(() => [CompositionDestination.channelFromArn(STAGE_ARN)])).toThrow(
      '- `destinations[0].channelArn` must be the ARN of an IVS channel (arn:aws:ivs:<region>:<account>:channel/<id>), '
      + `got "${STAGE_ARN}"`);
  });

  test('fails if a channel, storage or encoder configuration is in another region or account than the stack', () => {
    const inOtherRegion = (arn: string) => arn.replace('us-east-1', 'eu-west-1');
    const stack = newStackInRegion('us-east-1');
    const storage = StorageConfiguration.fromStorageConfigurationArn(stack, 'FarStorage', inOtherRegion(STORAGE_ARN));
    const encoder = EncoderConfiguration.fromEncoderConfigurationArn(stack, 'FarEncoder', STORAGE_ARN
      .replace('storage-configuration', 'encoder-configuration').replace('123456789012', '210987654321'));

    expect(withDestinations(() => [
      CompositionDestination.s3(storage, { encoderConfigurations: [encoder] }),
      CompositionDestination.channelFromArn(inOtherRegion(CHANNEL_ARN)),
    ], stack)).toThrow(
      "StageComposition 'TestStack/Composition' has invalid props:\n"
      + '- `destinations[0].storageConfiguration` must be in the stack\'s region us-east-1 (a composition uses only resources of its '
      + 'stage\'s account and region), got eu-west-1\n'
      + '- `destinations[0].encoderConfigurations[0]` must be in the stack\'s account 123456789012 (a composition uses only resources of '
      + 'its stage\'s account and region), got 210987654321\n'
      + '- `destinations[1].channelArn` must be in the stack\'s region us-east-1 (a composition uses only resources of its stage\'s '
      + 'account and region), got eu-west-1');
  });

  test('fails if there is no stage, a stage is repeated, or a stage is in another region', () => {
    const stack = newStackInRegion('us-east-1');
    const stage = Stage.fromStageArn(stack, 'Twice', STAGE_ARN);
    const far = Stage.fromStageArn(stack, 'Far', STAGE_ARN.replace('us-east-1', 'ap-south-1'));

    expect(composing(() => ({ stages: [] }))).toThrow(/give either `stages` \(at least one stage\) or `stagePool`, got 0 stages and no stage pool/);
    expect(composing(() => ({ stages: [stage, far, stage] }), stack)).toThrow(
      "StageComposition 'TestStack/Composition' has invalid props:\n"
      + '- `stages[1]` must be in the stack\'s region us-east-1 (a composition uses only resources of its stage\'s account and region), '
      + 'got ap-south-1\n'
      + '- `stages` must not repeat a stage, got TestStack/Twice more than once');
  });

  test('fails if the tags break the API\'s rules or take the function\'s own tag', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, 'value']));

    expect(composing(() => ({ tags: many })))
      .toThrow(/`tags` must have at most 49 tags \(StartComposition takes 50, one is the function's own\), got 50/);
    expect(composing(() => ({ tags: { 'cdk-ivs-realtime:stage-composition': 'mine' } })))
      .toThrow(/`tags` keys must not start with "cdk-ivs-realtime:" \(reserved for the tags the library sets itself.*\), got "cdk-ivs-realtime:stage-composition"/);
    expect(composing(() => ({ tags: { 'aws:team': 'video' } }))).toThrow(/`tags` keys must not start with "aws:"/);
  });

  test('fails at synth if Tags.of() brings the compositions\' tags over 49', () => {
    const stack = newStack();
    compose(stack, { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`key${i}`, 'value'])) });
    Tags.of(stack).add('team', 'video');

    expect(() => Template.fromStack(stack))
      .toThrow(/`tags` must have at most 49 tags \(StartComposition takes 50, one is the function's own\), got 50/);
  });

  test('fails at synth if the configuration would not fit the function\'s 4 KB environment', () => {
    const stack = newStack();
    const stages = Array.from({ length: 30 }, (_, i) => new Stage(stack, `Stage${i}`));
    new StageComposition(stack, 'Composition', { stages, destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN)] });

    expect(() => Template.fromStack(stack)).toThrow(new RegExp(
      "`stages`, `destinations` and `tags` must fit the function's environment \\(Lambda takes 4096 bytes\\), got up to \\d+ bytes "
      + 'with 30 stage ARNs'));
  });

  test('values known only at deployment are not checked', () => {
    const stack = newStack();
    const number = new CfnParameter(stack, 'Number', { type: 'Number' }).valueAsNumber;
    const text = new CfnParameter(stack, 'Text').valueAsString;

    expect(() => compose(stack, {
      layout: CompositionLayout.pip({ gridGap: number, pipWidth: number, pipOffset: number, pipParticipantAttribute: text }),
      destinations: [
        s3(stack, { destinationName: text, hlsTargetSegmentDuration: Duration.seconds(number) }),
        CompositionDestination.channelFromArn(text),
      ],
    })).not.toThrow();
  });
});
