import { Duration } from 'aws-cdk-lib';

/** Where thumbnails are written: every thumbnail, or only the latest one (overwritten). */
export enum ThumbnailStorage {
  /** Every thumbnail is kept, in sequence. */
  SEQUENTIAL = 'SEQUENTIAL',
  /** Only the latest thumbnail is kept, overwritten at each interval. */
  LATEST = 'LATEST',
}

/** Options for thumbnails taken at an interval. */
export interface IntervalThumbnailOptions {
  /**
   * How thumbnails are stored. Up to two entries, no duplicates.
   *
   * @default [ThumbnailStorage.SEQUENTIAL]
   */
  readonly storage?: ThumbnailStorage[];
}

/**
 * Thumbnail recording for participant or composite recordings.
 *
 * Interval: whole seconds from 1 to 86,400 (the API's `targetIntervalSeconds`).
 */
export class RecordingThumbnails {
  /** No thumbnails. */
  public static disabled(): RecordingThumbnails {
    return new RecordingThumbnails(false, undefined, undefined);
  }

  /**
   * A thumbnail every `interval` (whole seconds, 1 to 86,400; the API's default is 60 seconds).
   *
   * Thumbnails stay in sync with the recording: an interval longer than the HLS segment duration
   * takes effect as a multiple of it.
   */
  public static interval(interval: Duration, options: IntervalThumbnailOptions = {}): RecordingThumbnails {
    return new RecordingThumbnails(true, interval, options.storage);
  }

  /** Whether thumbnails are recorded. */
  public readonly enabled: boolean;
  /** Time between thumbnails, when enabled. */
  public readonly targetInterval?: Duration;
  /** Storage modes, when enabled. */
  public readonly storage?: ThumbnailStorage[];

  private constructor(enabled: boolean, interval?: Duration, storage?: ThumbnailStorage[]) {
    this.enabled = enabled;
    this.targetInterval = interval;
    this.storage = storage;
  }
}
