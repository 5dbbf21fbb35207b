import { CreateEncoderConfigurationCommand, DeleteEncoderConfigurationCommand, GetEncoderConfigurationCommand } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '../shared/client';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { ResourceHandler } from './resource-handler';

/**
 * Encoder configurations have no update call: any change but tags replaces them. A delete conflicts while a
 * composition that encodes with it is still stopping, which clears by itself, hence the bounded retry.
 */
export const encoderConfigurationHandler: ResourceHandler = {
  noun: 'encoder configuration',
  scalars: {
    integers: ['video.width', 'video.height', 'video.bitrate'],
    floats: ['video.framerate'],
  },
  updatableKeys: [],

  async create(config, tags) {
    const { encoderConfiguration } = await ivsClient().send(new CreateEncoderConfigurationCommand({ ...config, tags }));
    if (!encoderConfiguration?.arn) {
      throw new Error('the service returned no encoder configuration');
    }
    return { arn: encoderConfiguration.arn };
  },

  async describe(arn) {
    return { arn };
  },

  async read(arn) {
    return (await ivsClient().send(new GetEncoderConfigurationCommand({ arn }))).encoderConfiguration;
  },

  async delete(arn) {
    await retryOnConflict(() => ivsClient().send(new DeleteEncoderConfigurationCommand({ arn })), DELETE_CONFLICT_RETRY);
  },
};
