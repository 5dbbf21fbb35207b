import type { CompositionThumbnailConfiguration, ParticipantThumbnailConfiguration, S3DestinationConfiguration } from '@aws-sdk/client-ivs-realtime';
import { Duration } from 'aws-cdk-lib';
import { PropsValidator } from './private/validation';

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
export abstract class RecordingThumbnails {
  /** No thumbnails. */
  public static disabled(): RecordingThumbnails {
    return new DisabledThumbnails();
  }

  /**
   * A thumbnail every `interval` (whole seconds, 1 to 86,400; the API's default is 60 seconds).
   *
   * Thumbnails stay in sync with the recording: an interval longer than the HLS segment duration
   * takes effect as a multiple of it.
   */
  public static interval(interval: Duration, options: IntervalThumbnailOptions = {}): RecordingThumbnails {
    return new IntervalThumbnails(interval, options.storage ?? [ThumbnailStorage.SEQUENTIAL]);
  }

  /** Whether thumbnails are recorded. */
  public abstract readonly enabled: boolean;

  /**
   * The `thumbnailConfiguration` of automatic participant recording, every setting explicit.
   *
   * @internal
   */
  public abstract _renderForParticipants(): ParticipantThumbnailConfiguration;

  /**
   * The `thumbnailConfigurations` of a composition's S3 destination: none when disabled (the API has no recording mode
   * there).
   *
   * @internal
   */
  public abstract _renderForComposition(): S3DestinationConfiguration['thumbnailConfigurations'];

  /**
   * Records what breaks the API's rules, naming it `prop`.
   *
   * @internal
   */
  public abstract _validate(validator: PropsValidator, prop: string): void;
}

class DisabledThumbnails extends RecordingThumbnails {
  public readonly enabled = false;

  public _renderForParticipants(): ParticipantThumbnailConfiguration {
    return { recordingMode: 'DISABLED' };
  }

  public _renderForComposition(): undefined {
    return undefined;
  }

  public _validate(): void {
    // nothing the API could refuse.
  }
}

class IntervalThumbnails extends RecordingThumbnails {
  public readonly enabled = true;

  constructor(private readonly interval: Duration, private readonly storage: ThumbnailStorage[]) {
    super();
  }

  public _renderForParticipants(): ParticipantThumbnailConfiguration {
    return { recordingMode: 'INTERVAL', ...this.settings() };
  }

  public _renderForComposition(): S3DestinationConfiguration['thumbnailConfigurations'] {
    return [this.settings()];
  }

  /** The API's rules: interval 1-86,400 s; storage up to 2 modes, no duplicates. */
  public _validate(validator: PropsValidator, prop: string): void {
    validator.wholeSeconds(`${prop}.interval`, this.interval, 1, 86_400);
    validator.listSize(`${prop}.storage`, this.storage, 0, 2);
    validator.check(new Set(this.storage).size === this.storage.length,
      `\`${prop}.storage\` must not repeat a storage mode, got ${JSON.stringify(this.storage)}`);
    for (const mode of this.storage) {
      validator.oneOf(`${prop}.storage`, mode, Object.values(ThumbnailStorage));
    }
  }

  /** What participant and composite recordings both take. */
  private settings(): CompositionThumbnailConfiguration {
    return { targetIntervalSeconds: this.interval.toSeconds(), storage: this.storage };
  }
}
