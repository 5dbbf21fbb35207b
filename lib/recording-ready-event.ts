/**
 * One rendition (HLS variant) of a recording, in a `RecordingReadyDetail`.
 */
export interface RecordingReadyRendition {
  /** The rendition's folder below the recording's `media/hls/` (`high` for a participant, `720p30-<id>` for a composite). */
  readonly path: string;
  /** The URL of the rendition's media playlist through the playback distribution. */
  readonly playbackUrl: string;
  /**
   * The rendition's video width in pixels, when IVS writes it (composite recordings with video).
   *
   * @default - not written by IVS for this recording
   */
  readonly resolutionWidth?: number;
  /**
   * The rendition's video height in pixels, when IVS writes it (composite recordings with video).
   *
   * @default - not written by IVS for this recording
   */
  readonly resolutionHeight?: number;
}

/**
 * The `detail` of the library's `IVS Recording Ready` event (source `cdk-ivs-realtime`), published once per recording
 * by a `RecordingPlayback` when the recording is final; subscribe with `RecordingPlayback.onRecordingReady`.
 *
 * The fields come from the recording's own `recording-ended.json` (or `recording-failed.json`) and from the IVS event
 * that announced its end; see docs/recordings.md.
 */
export interface RecordingReadyDetail {
  /** `PARTICIPANT` (individual participant recording) or `COMPOSITE` (a composition's S3 destination). */
  readonly recordingType: string;
  /** The bucket the recording is in. */
  readonly bucketName: string;
  /** The recording's key prefix in the bucket, below which are `events/` and `media/`. */
  readonly recordingPrefix: string;
  /** The recorded stage's ARN. */
  readonly stageArn: string;
  /**
   * The stage session recorded (participant recordings).
   *
   * @default - not known for composite recordings
   */
  readonly sessionId?: string;
  /**
   * The participant recorded (participant recordings).
   *
   * @default - none for composite recordings
   */
  readonly participantId?: string;
  /**
   * The composition's ARN (composite recordings).
   *
   * @default - none for participant recordings
   */
  readonly compositionArn?: string;
  /**
   * The composition destination's ID (composite recordings).
   *
   * @default - none for participant recordings
   */
  readonly destinationId?: string;
  /** IVS's `recording_status`: `RECORDING_ENDED` or `RECORDING_ENDED_WITH_FAILURE`. */
  readonly status: string;
  /**
   * IVS's `recording_status_message`.
   *
   * @default - IVS wrote none
   */
  readonly statusMessage?: string;
  /** The duration of the recorded HLS content in milliseconds (0 when a failure came before anything was recorded). */
  readonly durationMs: number;
  /**
   * When the recording started (RFC 3339, as IVS writes it; not exactly the media's first timestamp).
   *
   * @default - IVS wrote none
   */
  readonly startedAt?: string;
  /**
   * When the recording ended (RFC 3339, as IVS writes it).
   *
   * @default - IVS wrote none
   */
  readonly endedAt?: string;
  /** The URL of the recording's multivariant playlist through the playback distribution: give it to a player. */
  readonly playbackUrl: string;
  /** The recording's renditions, each with its media playlist's URL. */
  readonly renditions: RecordingReadyRendition[];
}
