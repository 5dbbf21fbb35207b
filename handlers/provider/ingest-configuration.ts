import {
  CreateIngestConfigurationCommand,
  DeleteIngestConfigurationCommand,
  GetIngestConfigurationCommand,
  IngestConfiguration,
  UpdateIngestConfigurationCommand,
} from '@aws-sdk/client-ivs-realtime';
import { Attribute, Property } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { hasSettings } from '../shared/compare';
import { describeError, isConflict } from '../shared/errors';
import { storeSecretJson } from '../shared/secrets';
import { CustomResourceEvent } from './event';
import { Config, Outcome, ResourceHandler } from './resource-handler';

/** An ingest configuration the handler has read, with what it stores and reports. */
interface KnownIngestConfiguration extends IngestConfiguration {
  readonly arn: string;
  readonly streamKey: string;
}

/**
 * Ingest configurations change their stage and `redundantIngest` in place (UpdateIngestConfiguration); anything
 * else replaces them. Their stream keys are secrets: they go to the Secrets Manager secret the construct names,
 * never to the response (whose `Data` CloudFormation shows to anyone who can describe the stack) or the logs.
 */
export const ingestConfigurationHandler: ResourceHandler = {
  noun: 'ingest configuration',
  scalars: { booleans: ['insecureIngest', 'redundantIngest'] },
  updatableKeys: ['stageArn', 'redundantIngest'],

  async create(config, tags, event) {
    const { ingestConfiguration } = await ivsClient().send(
      new CreateIngestConfigurationCommand({ ...config, ingestProtocol: config.ingestProtocol, tags }));
    const created = known(ingestConfiguration);
    try {
      await storeStreamKeys(event, created);
    } catch (error) {
      // a key nobody can read from the secret would still let whoever has it publish: do not leave it behind.
      const cleanup = await ivsClient().send(new DeleteIngestConfigurationCommand({ arn: created.arn, force: true }))
        .then(() => undefined, (cleanupError: unknown) => cleanupError);
      throw new Error(`could not store the stream key: ${describeError(error)}`
        + (cleanup ? `; deleting the new ingest configuration ${created.arn} failed too: ${describeError(cleanup)}` : ''));
    }
    return outcome(created);
  },

  async update(arn, config, _changedKeys, event) {
    const updated = known(await updateInPlace(arn, config));
    // turning redundant ingest on or off creates or drops the backup credentials.
    await storeStreamKeys(event, updated);
    return outcome(updated);
  },

  async describe(arn, _config, event) {
    const { ingestConfiguration } = await ivsClient().send(new GetIngestConfigurationCommand({ arn }));
    const current = known(ingestConfiguration);
    // the configuration is unchanged, so the secret holds its keys, unless the construct now names another secret.
    if (secretArnOf(event.ResourceProperties) !== secretArnOf(event.OldResourceProperties ?? {})) {
      await storeStreamKeys(event, current);
    }
    return outcome(current);
  },

  async read(arn) {
    return (await ivsClient().send(new GetIngestConfigurationCommand({ arn }))).ingestConfiguration;
  },

  async delete(arn, event) {
    // CloudFormation sends the rendered boolean as "true" or "false"; forcing is the default, as in the construct.
    const force = String(event.ResourceProperties[Property.FORCE_DELETE]) !== 'false';
    try {
      await ivsClient().send(new DeleteIngestConfigurationCommand({ arn, force }));
    } catch (error) {
      if (!isConflict(error)) {
        throw error;
      }
      throw new Error(`${describeError(error)} (an encoder is publishing with this ingest configuration and forceDelete is false: `
        + 'stop the broadcast and retry, or set forceDelete: true to disconnect the encoder on delete)');
    }
  },
};

/** Sends both updatable members: the API leaves an omitted one as it was. */
async function updateInPlace(arn: string, config: Config): Promise<IngestConfiguration | undefined> {
  const changes = { stageArn: config.stageArn, redundantIngest: config.redundantIngest };
  try {
    const { ingestConfiguration } = await ivsClient().send(new UpdateIngestConfigurationCommand({ arn, ...changes }));
    return ingestConfiguration;
  } catch (error) {
    if (!isConflict(error)) {
      throw error;
    }
    // the rollback of a refused update sends the old settings, which the ingest configuration still has: it must not
    // fail for the reason the update did (an encoder still publishing), or the stack is stuck in UPDATE_ROLLBACK_FAILED.
    const { ingestConfiguration } = await ivsClient().send(new GetIngestConfigurationCommand({ arn }));
    if (hasSettings(ingestConfiguration, changes)) {
      return ingestConfiguration;
    }
    throw new Error(`${describeError(error)} (IVS updates an ingest configuration only while no encoder publishes with it: `
      + 'stop the broadcast, then deploy again)');
  }
}

/**
 * Writes the ingest configuration's credentials to the construct's secret, as
 * `{"streamKey": "...", "redundantIngestCredentials": [{"participantId": "...", "streamKey": "..."}]}`.
 */
async function storeStreamKeys(event: CustomResourceEvent, ingest: KnownIngestConfiguration): Promise<void> {
  const secretArn = secretArnOf(event.ResourceProperties);
  if (!secretArn) {
    throw new Error(`the ${Property.STREAM_KEY_SECRET_ARN} property is missing: there is nowhere safe to store the stream key`);
  }
  await storeSecretJson(secretArn, {
    streamKey: ingest.streamKey,
    redundantIngestCredentials: (ingest.redundantIngestCredentials ?? [])
      .map(({ participantId, streamKey }) => ({ participantId, streamKey })),
  });
}

function secretArnOf(properties: Record<string, any>): string | undefined {
  return properties[Property.STREAM_KEY_SECRET_ARN];
}

function known(ingestConfiguration: IngestConfiguration | undefined): KnownIngestConfiguration {
  if (!ingestConfiguration?.arn || !ingestConfiguration.streamKey) {
    throw new Error('the service returned no ingest configuration, or one without a stream key');
  }
  return ingestConfiguration as KnownIngestConfiguration;
}

/** The ARN and participant ID only: the response must never carry a stream key. */
function outcome(ingestConfiguration: KnownIngestConfiguration): Outcome {
  return {
    arn: ingestConfiguration.arn,
    attributes: { [Attribute.INGEST_CONFIGURATION_PARTICIPANT_ID]: ingestConfiguration.participantId ?? '' },
  };
}
