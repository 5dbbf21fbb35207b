import { EncoderVideo } from '../lib';
import { PropsValidator } from '../lib/private/validation';
import { newStack } from './util';

/** The messages `_validate` records, under the prop name `video`. */
function problemsOf(video: EncoderVideo): string[] {
  const validator = new PropsValidator(newStack(), 'Test');
  video._validate(validator, 'video');
  return validator.messages;
}

describe('EncoderVideo', () => {
  test('renders every setting, the API\'s defaults included', () => {
    expect(EncoderVideo.portrait720p({ framerate: 25 })._render()).toEqual({ width: 720, height: 1280, framerate: 25, bitrate: 2500000 });
    expect(EncoderVideo.custom()._render()).toEqual({ width: 1280, height: 720, framerate: 30, bitrate: 2500000 });
  });

  test('every preset passes the API\'s rules', () => {
    const presets = [EncoderVideo.landscape480p(), EncoderVideo.portrait480p(), EncoderVideo.landscape720p(), EncoderVideo.portrait720p(),
      EncoderVideo.landscape1080p(), EncoderVideo.portrait1080p()];

    expect(presets.flatMap(problemsOf)).toEqual([]);
  });

  test('records every rule a custom shape breaks, in the order of the API\'s members', () => {
    expect(problemsOf(EncoderVideo.custom({ width: 1922, height: 1200, framerate: 0, bitrate: 0.5 }))).toEqual([
      '`video.width` must be a whole number from 2 to 1920 pixels, got 1922',
      '`video` must have at most 2073600 pixels (width × height, such as 1920x1080 or 1080x1920), got 1922x1200 = 2306400 pixels',
      '`video.framerate` must be from 1 to 60 fps, got 0',
      '`video.bitrate` must be a whole number from 1 to 8500000 bps, got 0.5',
    ]);
  });
});
