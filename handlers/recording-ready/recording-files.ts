import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RecordingFiles } from '../../lib/private/recording-ready-contract';

/**
 * The fields of `recording-ended.json` / `recording-failed.json` the function reads (IVS Real-Time User Guide, "JSON
 * Metadata Files" of individual participant and composite recording; every field is optional here, so that a file
 * missing one still gives an event).
 */
export interface RecordingMetadata {
  readonly stage_arn?: string;
  readonly session_id?: string;
  readonly participant_id?: string;
  readonly recording_started_at?: string;
  readonly recording_ended_at?: string;
  readonly recording_status?: string;
  readonly recording_status_message?: string;
  readonly media?: {
    readonly hls?: {
      readonly duration_ms?: number;
      readonly path?: string;
      readonly playlist?: string;
      readonly renditions?: ReadonlyArray<{
        readonly path?: string;
        readonly playlist?: string;
        readonly resolution_width?: number;
        readonly resolution_height?: number;
      }>;
    };
  };
}

/** A recording whose files say it is final. */
export interface FinalRecording {
  readonly recordingPrefix: string;
  readonly metadata: RecordingMetadata;
}

/** The recording is not final yet: thrown so that Lambda retries the event later. */
export class RecordingNotFinal extends Error {
  public readonly name = 'RecordingNotFinal';
}

/** What IVS writes in `recording_status` when a recording ended well. */
export const RECORDING_ENDED = 'RECORDING_ENDED';
const VOD_PLAYLIST = '#EXT-X-PLAYLIST-TYPE:VOD';

/**
 * Reads the recording's final metadata file, and with `requireVodPlaylists` (composite recordings, whose media
 * playlists stay `EVENT` until the composition finalizes) checks that each media playlist of a recording that ended
 * well has turned `VOD`. Throws `RecordingNotFinal` when the files do not say the recording is final yet.
 */
export async function readFinalRecording(s3: S3Client, bucket: string, recordingPrefix: string,
  options: { readonly requireVodPlaylists: boolean }): Promise<FinalRecording> {
  const read = (path: string) => readText(s3, bucket, `${recordingPrefix}/${path}`);
  const text = await read(RecordingFiles.ENDED) ?? await read(RecordingFiles.FAILED);
  if (text === undefined) {
    throw new RecordingNotFinal(`${bucket}/${recordingPrefix}: neither ${RecordingFiles.ENDED} nor ${RecordingFiles.FAILED} is written yet`);
  }
  const metadata = JSON.parse(text) as RecordingMetadata;
  const hls = metadata.media?.hls;
  if (options.requireVodPlaylists && metadata.recording_status === RECORDING_ENDED) {
    for (const rendition of hls?.renditions ?? []) {
      const key = [hls?.path ?? RecordingFiles.DEFAULT_HLS_PATH, rendition.path, rendition.playlist].filter(Boolean).join('/');
      const playlist = await read(key);
      if (!playlist?.split(/\r?\n/).some((line) => line.trim() === VOD_PLAYLIST)) {
        throw new RecordingNotFinal(`${bucket}/${recordingPrefix}/${key}: the playlist is not ${VOD_PLAYLIST} yet`);
      }
    }
  }
  return { recordingPrefix, metadata };
}

/** The object's text, or undefined when there is no such key. */
async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') {
      return undefined;
    }
    throw error;
  }
}
