import {
  CreateStorageConfigurationCommand,
  DeleteStorageConfigurationCommand,
  GetStorageConfigurationCommand,
  IVSRealTimeClient,
  paginateListStorageConfigurations,
  StorageConfiguration,
} from '@aws-sdk/client-ivs-realtime';
import { StorageConfigurationRequest } from '../../lib/private/contract';
import { createdBy, HeldByCompositions, listAll } from './resource-handler';

/**
 * Storage configurations have no update call: any change but tags replaces them. IVS refuses to delete one while a
 * composition records to it (or a stage does), so its deletes wait for the composition or are deferred until it ends.
 */
export function storageConfigurationHandler(ivs: IVSRealTimeClient): HeldByCompositions<StorageConfigurationRequest, StorageConfiguration> {
  return {
    noun: 'storage configuration',

    async create(request, tags, context) {
      return (await context.send(ivs, new CreateStorageConfigurationCommand({ ...request, tags }))).storageConfiguration!;
    },

    async get(arn) {
      return (await ivs.send(new GetStorageConfigurationCommand({ arn }))).storageConfiguration;
    },

    async delete(arn) {
      await ivs.send(new DeleteStorageConfigurationCommand({ arn }));
    },

    listResources() {
      return listAll(paginateListStorageConfigurations({ client: ivs }, { maxResults: 100 }), (page) => page.storageConfigurations);
    },

    async findCreated(token) {
      return createdBy(await this.listResources(), token);
    },
  };
}
