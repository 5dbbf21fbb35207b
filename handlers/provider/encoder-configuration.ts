import {
  CreateEncoderConfigurationCommand,
  DeleteEncoderConfigurationCommand,
  EncoderConfiguration,
  GetEncoderConfigurationCommand,
  IVSRealTimeClient,
} from '@aws-sdk/client-ivs-realtime';
import { EncoderConfigurationRequest } from '../../lib/private/contract';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { ResourceHandler } from './resource-handler';

/**
 * Encoder configurations have no update call: any change but tags replaces them. A delete conflicts while a
 * composition that encodes with it is still stopping, which clears by itself, hence the bounded retry.
 */
export function encoderConfigurationHandler(ivs: IVSRealTimeClient): ResourceHandler<EncoderConfigurationRequest, EncoderConfiguration> {
  return {
    noun: 'encoder configuration',

    async create(request, tags) {
      return (await ivs.send(new CreateEncoderConfigurationCommand({ ...request, tags }))).encoderConfiguration!;
    },

    async get(arn) {
      return (await ivs.send(new GetEncoderConfigurationCommand({ arn }))).encoderConfiguration;
    },

    async delete(arn) {
      await retryOnConflict(() => ivs.send(new DeleteEncoderConfigurationCommand({ arn })), DELETE_CONFLICT_RETRY);
    },
  };
}
