import {
  CreateStorageConfigurationCommand,
  DeleteStorageConfigurationCommand,
  GetStorageConfigurationCommand,
  IVSRealTimeClient,
  StorageConfiguration,
} from '@aws-sdk/client-ivs-realtime';
import { StorageConfigurationRequest } from '../../lib/private/contract';
import { DELETE_CONFLICT_RETRY, retryOnConflict } from '../shared/retry';
import { ResourceHandler } from './resource-handler';

/**
 * Storage configurations have no update call: any change but tags replaces them. A delete conflicts while a
 * composition that records to it is still stopping, which clears by itself, hence the bounded retry.
 */
export function storageConfigurationHandler(ivs: IVSRealTimeClient): ResourceHandler<StorageConfigurationRequest, StorageConfiguration> {
  return {
    noun: 'storage configuration',

    async create(request, tags) {
      return (await ivs.send(new CreateStorageConfigurationCommand({ ...request, tags }))).storageConfiguration!;
    },

    async get(arn) {
      return (await ivs.send(new GetStorageConfigurationCommand({ arn }))).storageConfiguration;
    },

    async delete(arn) {
      await retryOnConflict(() => ivs.send(new DeleteStorageConfigurationCommand({ arn })), DELETE_CONFLICT_RETRY);
    },
  };
}
