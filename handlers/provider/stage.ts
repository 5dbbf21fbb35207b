import { CreateStageCommand, DeleteStageCommand, GetStageCommand, Stage, UpdateStageCommand } from '@aws-sdk/client-ivs-realtime';
import { Attribute } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { hasSettings } from '../shared/compare';
import { describeError, isConflict } from '../shared/errors';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { Config, Outcome, ResourceHandler } from './resource-handler';

/** What UpdateStage needs to clear a setting that was removed from the props (UpdateStage leaves omitted members as they are). */
const CLEARED: Config = {
  name: '',
  autoParticipantRecordingConfiguration: { storageConfigurationArn: '' },
};

/**
 * Stages update in place (UpdateStage). Participant tokens are never requested at create:
 * they are secrets and would end up in the handler's response.
 */
export const stageHandler: ResourceHandler = {
  noun: 'stage',
  scalars: {
    integers: [
      'participantTokenConfigurations[].duration',
      'autoParticipantRecordingConfiguration.thumbnailConfiguration.targetIntervalSeconds',
      'autoParticipantRecordingConfiguration.recordingReconnectWindowSeconds',
      'autoParticipantRecordingConfiguration.hlsConfiguration.targetSegmentDurationSeconds',
    ],
    booleans: ['autoParticipantRecordingConfiguration.recordParticipantReplicas'],
  },
  updatableKeys: ['name', 'autoParticipantRecordingConfiguration'],

  async create(config, tags) {
    const { participantTokenConfigurations: _ignored, ...input } = config;
    const { stage } = await ivsClient().send(new CreateStageCommand({ ...input, tags }));
    return stageOutcome(stage);
  },

  async update(arn, config, changedKeys) {
    const changes = Object.fromEntries(changedKeys.map((key) => [key, config[key] ?? CLEARED[key]]));
    try {
      const { stage } = await ivsClient().send(new UpdateStageCommand({ arn, ...changes }));
      return stageOutcome(stage);
    } catch (error) {
      if (!isConflict(error)) {
        throw error;
      }
      // CloudFormation rolls a refused update back by sending the old settings, which the stage still has: the rollback
      // must not fail for the reason the update did (a session still recording), or the stack is stuck in UPDATE_ROLLBACK_FAILED.
      const { stage } = await ivsClient().send(new GetStageCommand({ arn }));
      if (hasSettings(stage, changes)) {
        return stageOutcome(stage);
      }
      throw new Error(`${describeError(error)} (IVS does not change a stage's recording settings while a session is recorded: `
        + 'deploy again once the session has ended)');
    }
  },

  async describe(arn) {
    const { stage } = await ivsClient().send(new GetStageCommand({ arn }));
    return stageOutcome(stage);
  },

  async delete(arn) {
    await retryOnConflict(() => ivsClient().send(new DeleteStageCommand({ arn })), DELETE_CONFLICT_RETRY);
  },
};

function stageOutcome(stage: Stage | undefined): Outcome {
  if (!stage?.arn) {
    throw new Error('the service returned no stage');
  }
  return {
    arn: stage.arn,
    attributes: {
      [Attribute.STAGE_WHIP_ENDPOINT]: stage.endpoints?.whip ?? '',
      [Attribute.STAGE_RTMP_ENDPOINT]: stage.endpoints?.rtmp ?? '',
      [Attribute.STAGE_RTMPS_ENDPOINT]: stage.endpoints?.rtmps ?? '',
      [Attribute.STAGE_EVENTS_ENDPOINT]: stage.endpoints?.events ?? '',
    },
  };
}
