import { CompositionLayout, PipPosition, VideoAspectRatio, VideoFillMode } from '../lib';
import { PropsValidator } from '../lib/private/validation';
import { newStack } from './util';

/** The messages `_validate` records, under the prop name `layout`. */
function problemsOf(layout: CompositionLayout): string[] {
  const validator = new PropsValidator(newStack(), 'Test');
  layout._validate(validator, 'layout');
  return validator.messages;
}

describe('CompositionLayout.grid()', () => {
  test('renders a grid with only what its options set', () => {
    expect(CompositionLayout.grid()._render()).toEqual({ grid: {} });
    expect(CompositionLayout.grid({ videoAspectRatio: VideoAspectRatio.AUTO, gridGap: 4 })._render())
      .toEqual({ grid: { videoAspectRatio: 'AUTO', gridGap: 4 } });
  });

  test('checks the options both layouts have, and its aspect ratio', () => {
    expect(problemsOf(CompositionLayout.grid({ gridGap: -2, videoAspectRatio: 'WIDE' as VideoAspectRatio }))).toEqual([
      '`layout.gridGap` must be a whole number of at least 0 pixels, got -2',
      '`layout.videoAspectRatio` must be one of AUTO, VIDEO, SQUARE, PORTRAIT, got "WIDE"',
    ]);
  });

  test('neither renders nor checks picture-in-picture options passed to it', () => {
    const layout = CompositionLayout.grid({ pipWidth: 0, pipPosition: 'CENTER' } as any);

    expect(layout._render()).toEqual({ grid: {} });
    expect(problemsOf(layout)).toEqual([]);
  });
});

describe('CompositionLayout.pip()', () => {
  test('renders picture-in-picture with only what its options set', () => {
    expect(CompositionLayout.pip()._render()).toEqual({ pip: {} });
    expect(CompositionLayout.pip({ pipPosition: PipPosition.TOP_RIGHT, videoFillMode: VideoFillMode.COVER })._render())
      .toEqual({ pip: { pipPosition: 'TOP_RIGHT', videoFillMode: 'COVER' } });
  });

  test('checks the options both layouts have, then its own, and not a grid\'s aspect ratio', () => {
    expect(problemsOf(CompositionLayout.pip({ featuredParticipantAttribute: 'a b', pipHeight: 0, videoAspectRatio: 'WIDE' } as any))).toEqual([
      '`layout.featuredParticipantAttribute` must contain only letters, digits, hyphens and underscores, got "a b"',
      '`layout.pipHeight` must be a whole number of at least 1 pixels, got 0',
    ]);
  });
});
