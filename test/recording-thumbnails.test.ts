import { CfnParameter, Duration } from 'aws-cdk-lib';
import { RecordingThumbnails, ThumbnailStorage } from '../lib';
import { PropsValidator } from '../lib/private/validation';
import { newStack } from './util';

/** The messages `_validate` records, under the prop name `thumbnails`. */
function problemsOf(thumbnails: RecordingThumbnails): string[] {
  const validator = new PropsValidator(newStack(), 'Test');
  thumbnails._validate(validator, 'thumbnails');
  return validator.messages;
}

describe('RecordingThumbnails.disabled()', () => {
  const disabled = RecordingThumbnails.disabled();

  test('turns participant thumbnails off, and sends a composition none', () => {
    expect(disabled.enabled).toBe(false);
    expect(disabled._renderForParticipants()).toEqual({ recordingMode: 'DISABLED' });
    expect(disabled._renderForComposition()).toBeUndefined();
    expect(problemsOf(disabled)).toEqual([]);
  });
});

describe('RecordingThumbnails.interval()', () => {
  test('renders the interval in seconds, and the API\'s default storage when none is given', () => {
    const thumbnails = RecordingThumbnails.interval(Duration.minutes(1));

    expect(thumbnails.enabled).toBe(true);
    expect(thumbnails._renderForParticipants()).toEqual({ recordingMode: 'INTERVAL', targetIntervalSeconds: 60, storage: ['SEQUENTIAL'] });
    expect(thumbnails._renderForComposition()).toEqual([{ targetIntervalSeconds: 60, storage: ['SEQUENTIAL'] }]);
    expect(problemsOf(thumbnails)).toEqual([]);
  });

  test('renders the storage modes given', () => {
    const thumbnails = RecordingThumbnails.interval(Duration.seconds(5), { storage: [ThumbnailStorage.LATEST, ThumbnailStorage.SEQUENTIAL] });

    expect(thumbnails._renderForComposition()).toEqual([{ targetIntervalSeconds: 5, storage: ['LATEST', 'SEQUENTIAL'] }]);
  });

  test('fails if the interval is not 1-86400 whole seconds', () => {
    expect(problemsOf(RecordingThumbnails.interval(Duration.seconds(0))))
      .toEqual(['`thumbnails.interval` must be a whole number of seconds from 1 to 86400, got 0 seconds']);
    expect(problemsOf(RecordingThumbnails.interval(Duration.millis(1500))))
      .toEqual(['`thumbnails.interval` must be a whole number of seconds from 1 to 86400, got 1.5 seconds']);
    expect(problemsOf(RecordingThumbnails.interval(Duration.days(2))))
      .toEqual(['`thumbnails.interval` must be a whole number of seconds from 1 to 86400, got 172800 seconds']);
  });

  test('fails if the storage has more than two modes, repeats one, or names one the API does not know', () => {
    const { LATEST, SEQUENTIAL } = ThumbnailStorage;
    expect(problemsOf(RecordingThumbnails.interval(Duration.seconds(5), { storage: [LATEST, SEQUENTIAL, LATEST] }))).toEqual([
      '`thumbnails.storage` must have 0-2 item(s), got 3',
      '`thumbnails.storage` must not repeat a storage mode, got ["LATEST","SEQUENTIAL","LATEST"]',
    ]);
    expect(problemsOf(RecordingThumbnails.interval(Duration.seconds(5), { storage: ['ALL' as ThumbnailStorage] })))
      .toEqual(['`thumbnails.storage` must be one of SEQUENTIAL, LATEST, got "ALL"']);
  });

  test('an interval known only at deployment is not checked', () => {
    const seconds = new CfnParameter(newStack(), 'Seconds', { type: 'Number' }).valueAsNumber;

    expect(problemsOf(RecordingThumbnails.interval(Duration.seconds(seconds)))).toEqual([]);
  });
});
