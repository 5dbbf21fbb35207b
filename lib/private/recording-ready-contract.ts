/**
 * The contract between `RecordingPlayback` (lib/) and the function that publishes "recording ready" events
 * (handlers/recording-ready), and the S3 layout of IVS Real-Time recordings both rely on (docs/recordings.md gives
 * each fact's source).
 *
 * It must stay dependency-free: esbuild bundles it into the function.
 */

/** The `source` of the library's own events. */
export const LIBRARY_EVENT_SOURCE = 'cdk-ivs-realtime';

/** The `detail-type` of the event published once per recording when it is final. */
export const RECORDING_READY_DETAIL_TYPE = 'IVS Recording Ready';

/** Environment variables of the function. */
export const RecordingReadyEnv = {
  /** The recording bucket's name: events about any other bucket are ignored. */
  BUCKET_NAME: 'RECORDING_BUCKET_NAME',
  /** The CloudFront distribution's domain name, for the playback URLs. */
  PLAYBACK_DOMAIN: 'PLAYBACK_DOMAIN_NAME',
  /** The DynamoDB table that records which recordings were published. */
  PUBLISHED_TABLE: 'PUBLISHED_RECORDINGS_TABLE',
} as const;

/** The partition key of the published-recordings table: `<bucket>/<recording prefix>`. */
export const PUBLISHED_TABLE_KEY = 'recordingKey';
/** The table's time-to-live attribute (epoch seconds). */
export const PUBLISHED_TABLE_TTL = 'expiresAt';

/**
 * The recording's files under its prefix (IVS Real-Time User Guide, "IVS Individual Participant Recording" and "IVS
 * Composite Recording", Recording Contents): exactly one of `ENDED_FILE` and `FAILED_FILE` is written when it is final.
 */
export const RecordingFiles = {
  STARTED: 'events/recording-started.json',
  ENDED: 'events/recording-ended.json',
  FAILED: 'events/recording-failed.json',
  /** The multivariant playlist, below the prefix: `media/hls/multivariant.m3u8` in every documented sample. */
  DEFAULT_HLS_PATH: 'media/hls',
  DEFAULT_PLAYLIST: 'multivariant.m3u8',
} as const;

/** The key of a recording's multivariant playlist: `<prefix>/media/hls/multivariant.m3u8`. */
export function multivariantPlaylistKey(recordingPrefix: string): string {
  return `${trimSlashes(recordingPrefix)}/${RecordingFiles.DEFAULT_HLS_PATH}/${RecordingFiles.DEFAULT_PLAYLIST}`;
}

/**
 * `https://<domain>/<key>`. Not URL-encoded: IVS's keys are IDs, timestamps and fixed names (letters, digits, `-`, `_`,
 * `.`), and at synth either part may be a token.
 */
export function playbackUrl(domainName: string, key: string): string {
  return `https://${domainName}/${trimSlashes(key)}`;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
