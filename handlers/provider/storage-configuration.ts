import { CreateStorageConfigurationCommand, DeleteStorageConfigurationCommand, GetStorageConfigurationCommand } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '../shared/client';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { ResourceHandler } from './resource-handler';

/**
 * Storage configurations have no update call: any change but tags replaces them. A delete conflicts while a
 * composition that records to it is still stopping, which clears by itself, hence the bounded retry.
 */
export const storageConfigurationHandler: ResourceHandler = {
  noun: 'storage configuration',
  scalars: {},
  updatableKeys: [],

  async create(config, tags) {
    const { storageConfiguration } = await ivsClient().send(new CreateStorageConfigurationCommand({ ...config, s3: config.s3, tags }));
    return { arn: storageConfiguration!.arn! };
  },

  async describe(arn) {
    return { arn };
  },

  async read(arn) {
    return (await ivsClient().send(new GetStorageConfigurationCommand({ arn }))).storageConfiguration;
  },

  async delete(arn) {
    await retryOnConflict(() => ivsClient().send(new DeleteStorageConfigurationCommand({ arn })), DELETE_CONFLICT_RETRY);
  },
};
