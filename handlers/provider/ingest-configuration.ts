import {
  CreateIngestConfigurationCommand,
  DeleteIngestConfigurationCommand,
  GetIngestConfigurationCommand,
  IngestConfiguration,
  IVSRealTimeClient,
  UpdateIngestConfigurationCommand,
} from '@aws-sdk/client-ivs-realtime';
import { Attribute, IngestConfigurationRequest, Property } from '../../lib/private/contract';
import { hasSettings } from '../shared/compare';
import { describeError, isConflict } from '../shared/errors';
import { storeSecretJson } from '../shared/secrets';
import { CustomResourceEvent } from './event';
import { ResourceHandler } from './resource-handler';

/**
 * Ingest configurations change their stage and `redundantIngest` in place (UpdateIngestConfiguration); anything
 * else replaces them. Their stream keys are secrets: IVS holds them, and a copy goes to the Secrets Manager secret the
 * construct names, if it names one; never to the response (whose `Data` CloudFormation shows to anyone who can describe
 * the stack) or the logs.
 */
export function ingestConfigurationHandler(ivs: IVSRealTimeClient): ResourceHandler<IngestConfigurationRequest, IngestConfiguration> {
  return {
    noun: 'ingest configuration',
    updatableKeys: ['stageArn', 'redundantIngest'],

    async create(request, tags) {
      return (await ivs.send(new CreateIngestConfigurationCommand({ ...request, tags }))).ingestConfiguration!;
    },

    async update(arn, request) {
      // both updatable members: the API leaves an omitted one as it was.
      const changes = { stageArn: request.stageArn, redundantIngest: request.redundantIngest };
      try {
        return (await ivs.send(new UpdateIngestConfigurationCommand({ arn, ...changes }))).ingestConfiguration!;
      } catch (error) {
        if (!isConflict(error)) {
          throw error;
        }
        // the rollback of a refused update sends the old settings, which the ingest configuration still has: it must not
        // fail for the reason the update did (an encoder still publishing), or the stack is stuck in UPDATE_ROLLBACK_FAILED.
        const { ingestConfiguration } = await ivs.send(new GetIngestConfigurationCommand({ arn }));
        if (hasSettings(ingestConfiguration, changes)) {
          return ingestConfiguration!;
        }
        throw new Error(`${describeError(error)} (IVS updates an ingest configuration only while no encoder publishes with it: `
          + 'stop the broadcast, then deploy again)');
      }
    },

    async get(arn) {
      return (await ivs.send(new GetIngestConfigurationCommand({ arn }))).ingestConfiguration;
    },

    /** The participant ID only: the response must never carry a stream key. */
    attributes(ingestConfiguration) {
      return { [Attribute.INGEST_CONFIGURATION_PARTICIPANT_ID]: ingestConfiguration.participantId ?? '' };
    },

    /**
     * With a secret, after a create, and after any update that may change which keys the secret must hold, so that it
     * holds those of the ingest configuration the stack has: a replacement, a rollback (which sends the old request to
     * the old ingest configuration), redundant ingest turned on or off (which creates or drops the backup credentials),
     * or another secret (the copy just turned on included). A change of tags or handler settings alone writes nothing.
     */
    async afterDeploy(ingestConfiguration, event) {
      const secretArn: string | undefined = event.ResourceProperties[Property.STREAM_KEY_SECRET_ARN];
      // no secret: IVS alone holds the keys, and there is no copy to keep current.
      if (secretArn && mayMoveStreamKeys(event)) {
        await storeStreamKeys(secretArn, ingestConfiguration);
      }
    },

    async delete(arn, event) {
      // CloudFormation sends the rendered boolean as "false"; absent (the construct renders only false) means force.
      const force = String(event.ResourceProperties[Property.FORCE_DELETE]) !== 'false';
      try {
        await ivs.send(new DeleteIngestConfigurationCommand({ arn, force }));
      } catch (error) {
        if (!isConflict(error)) {
          throw error;
        }
        throw new Error(`${describeError(error)} (an encoder is publishing with this ingest configuration and forceDelete is false: `
          + 'stop the broadcast and retry, or set forceDelete: true to disconnect the encoder on delete)');
      }
    },
  };
}

function mayMoveStreamKeys(event: CustomResourceEvent): boolean {
  const old = event.OldResourceProperties;
  return !old || [Property.REQUEST, Property.STREAM_KEY_SECRET_ARN].some((key) => old[key] !== event.ResourceProperties[key]);
}

/**
 * Writes the ingest configuration's credentials to the construct's secret, as
 * `{"streamKey": "...", "redundantIngestCredentials": [{"participantId": "...", "streamKey": "..."}]}`.
 */
async function storeStreamKeys(secretArn: string, ingest: IngestConfiguration): Promise<void> {
  if (!ingest.streamKey) {
    throw new Error('the service returned an ingest configuration without a stream key');
  }
  try {
    await storeSecretJson(secretArn, {
      streamKey: ingest.streamKey,
      redundantIngestCredentials: (ingest.redundantIngestCredentials ?? [])
        .map(({ participantId, streamKey }) => ({ participantId, streamKey })),
    });
  } catch (error) {
    throw new Error(`could not store the stream key: ${describeError(error)}`);
  }
}
