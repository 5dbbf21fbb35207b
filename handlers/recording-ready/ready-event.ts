import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LIBRARY_EVENT_SOURCE, multivariantPlaylistKey, playbackUrl, RECORDING_READY_DETAIL_TYPE, RecordingFiles } from '../../lib/private/recording-ready-contract';
import type { RecordingReadyDetail } from '../../lib/recording-ready-event';
import type { ReadyRecording } from './index';

/** The PutEvents request of a recording's ready event, on the default event bus, named by the stage. */
export function recordingReadyEntry(recording: ReadyRecording, bucketName: string, domainName: string): PutEventsCommand {
  const { metadata, recordingPrefix } = recording;
  const hls = metadata.media?.hls;
  const hlsPath = `${recordingPrefix}/${hls?.path ?? RecordingFiles.DEFAULT_HLS_PATH}`;
  const detail: RecordingReadyDetail = {
    recordingType: recording.recordingType,
    bucketName,
    recordingPrefix,
    stageArn: recording.stageArn,
    sessionId: recording.sessionId,
    participantId: recording.participantId,
    compositionArn: recording.compositionArn,
    destinationId: recording.destinationId,
    status: metadata.recording_status ?? 'UNKNOWN',
    statusMessage: metadata.recording_status_message,
    durationMs: hls?.duration_ms ?? 0,
    startedAt: metadata.recording_started_at,
    endedAt: metadata.recording_ended_at,
    playbackUrl: playbackUrl(domainName, hls?.playlist ? `${hlsPath}/${hls.playlist}` : multivariantPlaylistKey(recordingPrefix)),
    renditions: (hls?.renditions ?? []).map((rendition) => ({
      path: rendition.path ?? '',
      playbackUrl: playbackUrl(domainName, `${hlsPath}/${rendition.path}/${rendition.playlist}`),
      resolutionWidth: rendition.resolution_width,
      resolutionHeight: rendition.resolution_height,
    })),
  };
  return new PutEventsCommand({
    Entries: [{
      Source: LIBRARY_EVENT_SOURCE,
      DetailType: RECORDING_READY_DETAIL_TYPE,
      Resources: [recording.compositionArn, recording.stageArn].filter((arn): arn is string => !!arn),
      Detail: JSON.stringify(detail),
    }],
  });
}
