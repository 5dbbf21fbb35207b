import {
  CreateEncoderConfigurationCommand,
  DeleteEncoderConfigurationCommand,
  EncoderConfiguration,
  GetEncoderConfigurationCommand,
  IVSRealTimeClient,
  paginateListEncoderConfigurations,
} from '@aws-sdk/client-ivs-realtime';
import { EncoderConfigurationRequest } from '../../lib/private/contract';
import { createdBy, HeldByCompositions, listAll } from './resource-handler';

/**
 * Encoder configurations have no update call: any change but tags replaces them. IVS refuses to delete one while a
 * composition encodes with it, so its deletes wait for the composition or are deferred until it ends.
 */
export function encoderConfigurationHandler(ivs: IVSRealTimeClient): HeldByCompositions<EncoderConfigurationRequest, EncoderConfiguration> {
  return {
    noun: 'encoder configuration',

    async create(request, tags, context) {
      return (await context.send(ivs, new CreateEncoderConfigurationCommand({ ...request, tags }))).encoderConfiguration!;
    },

    async get(arn) {
      return (await ivs.send(new GetEncoderConfigurationCommand({ arn }))).encoderConfiguration;
    },

    async delete(arn) {
      await ivs.send(new DeleteEncoderConfigurationCommand({ arn }));
    },

    listResources() {
      return listAll(paginateListEncoderConfigurations({ client: ivs }, { maxResults: 100 }), (page) => page.encoderConfigurations);
    },

    async findCreated(token) {
      return createdBy(await this.listResources(), token);
    },
  };
}
