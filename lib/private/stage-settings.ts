import type { AutoParticipantRecordingConfiguration } from '@aws-sdk/client-ivs-realtime';
import { Duration } from 'aws-cdk-lib';
import { RecordingThumbnails } from '../recording-thumbnails';
// a cycle (stage.ts imports this module) that is safe: the enum is read when a function runs, never at load.
import { AutoParticipantRecording, AutoParticipantRecordingOptions, ParticipantRecordingMediaType, StageSettings } from '../stage';
import { StageRequest } from './contract';
import { PropsValidator } from './validation';

/**
 * The stage settings (`StageSettings`) validated and rendered once, for every place a stage is declared: a `Stage`,
 * whose custom resource sends them at deployment, and a `StagePool`, whose session function sends them at run time.
 */

/** The API's rules for stage settings; `prefix` names the props (empty for a `Stage`'s own). */
export function validateStageSettings(validator: PropsValidator, settings: StageSettings, prefix = ''): void {
  validator.tags(`${prefix}tags`, settings.tags);
  if (settings.autoParticipantRecording) {
    validateRecordingOptions(validator, `${prefix}autoParticipantRecording.`, settings.autoParticipantRecording);
  }
}

/** The API's rules for recording options, wherever they are given (props or `enableAutoParticipantRecording`); `prefix` names the props. */
export function validateRecordingOptions(validator: PropsValidator, prefix: string, recording: AutoParticipantRecordingOptions): void {
  validator.oneOf(`${prefix}mediaType`, recording.mediaType, Object.values(ParticipantRecordingMediaType));
  recording.thumbnails?._validate(validator, `${prefix}thumbnails`);
  validator.wholeSeconds(`${prefix}recordingReconnectWindow`, recording.recordingReconnectWindow, 0, 300);
  validator.wholeSeconds(`${prefix}hlsTargetSegmentDuration`, recording.hlsTargetSegmentDuration, 2, 10);
  validator.check(recording.mediaType !== ParticipantRecordingMediaType.NONE || recording.thumbnails?.enabled === true,
    `\`${prefix}mediaType\` NONE records nothing unless \`${prefix}thumbnails\` is enabled; `
    + 'set thumbnails with RecordingThumbnails.interval() or choose another media type');
}

/** CreateStage's request for the settings, without tags (which travel on their own) and name. */
export function renderStageSettings(settings: StageSettings): Omit<StageRequest, 'name'> {
  return { autoParticipantRecordingConfiguration: renderAutoParticipantRecording(settings.autoParticipantRecording) };
}

/**
 * Renders the API's `autoParticipantRecordingConfiguration` with every setting explicit (the API's defaults
 * where not given), so removing a setting from the props resets it in the service instead of leaving it as it was.
 */
function renderAutoParticipantRecording(recording: AutoParticipantRecording | undefined): AutoParticipantRecordingConfiguration | undefined {
  if (!recording) {
    return undefined;
  }
  return {
    storageConfigurationArn: recording.storageConfiguration.storageConfigurationArn,
    mediaTypes: [recording.mediaType ?? ParticipantRecordingMediaType.AUDIO_VIDEO],
    thumbnailConfiguration: (recording.thumbnails ?? RecordingThumbnails.disabled())._renderForParticipants(),
    recordingReconnectWindowSeconds: (recording.recordingReconnectWindow ?? Duration.seconds(0)).toSeconds(),
    hlsConfiguration: { targetSegmentDurationSeconds: (recording.hlsTargetSegmentDuration ?? Duration.seconds(6)).toSeconds() },
    recordParticipantReplicas: recording.recordParticipantReplicas ?? true,
  };
}
