import {
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  IVSRealTimeClient,
  paginateListStages,
  Stage,
  UpdateStageCommand,
  UpdateStageRequest,
} from '@aws-sdk/client-ivs-realtime';
import { Attribute, StageRequest } from '../../lib/private/contract';
import { updateUnlessAlreadySet } from '../shared/compare';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { createdBy, listAll, ResourceHandler } from './resource-handler';

/** What UpdateStage needs to clear a setting that was removed from the props (UpdateStage leaves omitted members as they are). */
const CLEARED: Required<Omit<UpdateStageRequest, 'arn'>> = {
  name: '',
  autoParticipantRecordingConfiguration: { storageConfigurationArn: '' },
};

/**
 * Stages update in place (UpdateStage). Participant tokens are never requested at create: they are secrets and
 * would end up in the handler's response (the wire contract's request type has no member for them).
 */
export function stageHandler(ivs: IVSRealTimeClient): ResourceHandler<StageRequest, Stage> {
  const get = async (arn: string) => (await ivs.send(new GetStageCommand({ arn }))).stage;
  return {
    noun: 'stage',
    updatableKeys: ['name', 'autoParticipantRecordingConfiguration'],

    async create(request, tags, context) {
      return (await context.send(ivs, new CreateStageCommand({ ...request, tags }))).stage!;
    },

    async update(arn, request, changedKeys) {
      const changes = Object.fromEntries(changedKeys.map((key) => [key, request[key] ?? CLEARED[key]]));
      return updateUnlessAlreadySet(changes,
        async () => (await ivs.send(new UpdateStageCommand({ arn, ...changes }))).stage!,
        () => get(arn),
        'IVS does not change a stage\'s recording settings while a session is recorded: deploy again once the session has ended');
    },

    get,

    attributes(stage) {
      return {
        [Attribute.STAGE_WHIP_ENDPOINT]: stage.endpoints?.whip ?? '',
        [Attribute.STAGE_RTMP_ENDPOINT]: stage.endpoints?.rtmp ?? '',
        [Attribute.STAGE_RTMPS_ENDPOINT]: stage.endpoints?.rtmps ?? '',
        [Attribute.STAGE_EVENTS_ENDPOINT]: stage.endpoints?.events ?? '',
      };
    },

    async delete(arn) {
      await retryOnConflict(() => ivs.send(new DeleteStageCommand({ arn })), DELETE_CONFLICT_RETRY);
    },

    async findCreated(token) {
      return createdBy(await listAll(paginateListStages({ client: ivs }, { maxResults: 100 }), (page) => page.stages), token);
    },
  };
}
