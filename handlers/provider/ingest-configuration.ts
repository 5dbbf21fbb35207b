import {
  CreateIngestConfigurationCommand,
  DeleteIngestConfigurationCommand,
  GetIngestConfigurationCommand,
  IngestConfiguration,
  IVSRealTimeClient,
  paginateListIngestConfigurations,
  UpdateIngestConfigurationCommand,
} from '@aws-sdk/client-ivs-realtime';
import { Attribute, IngestConfigurationRequest, Property } from '../../lib/private/contract';
import { updateUnlessAlreadySet } from '../shared/compare';
import { describeError, isConflict, isNotFound, mayClearOnRetry } from '../shared/errors';
import { log } from '../shared/log';
import { readSecretJson, storeSecretJson, withinTime } from '../shared/secrets';
import { CustomResourceEvent } from './event';
import { RequestContext } from './request-context';
import { createdBy, ResourceHandler } from './resource-handler';
import { storeStreamKeysUnlessHeld, StreamKeyCorrections, streamKeysOf } from './stream-key-copy';

/**
 * Ingest configurations change their stage and `redundantIngest` in place (UpdateIngestConfiguration); anything
 * else replaces them. Their stream keys are secrets: IVS holds them, and a copy goes to the Secrets Manager secret the
 * construct names, if it names one; never to the response (whose `Data` CloudFormation shows to anyone who can describe
 * the stack) or the logs.
 */
export function ingestConfigurationHandler(ivs: IVSRealTimeClient, corrections?: StreamKeyCorrections)
  : ResourceHandler<IngestConfigurationRequest, IngestConfiguration> {
  const get = async (arn: string) => (await ivs.send(new GetIngestConfigurationCommand({ arn }))).ingestConfiguration;
  return {
    noun: 'ingest configuration',
    updatableKeys: ['stageArn', 'redundantIngest'],

    async create(request, tags, context) {
      return (await context.send(ivs, new CreateIngestConfigurationCommand({ ...request, tags }))).ingestConfiguration!;
    },

    async update(arn, request) {
      // both updatable members: the API leaves an omitted one as it was.
      const changes = { stageArn: request.stageArn, redundantIngest: request.redundantIngest };
      return updateUnlessAlreadySet(changes,
        async () => (await ivs.send(new UpdateIngestConfigurationCommand({ arn, ...changes }))).ingestConfiguration!,
        () => get(arn),
        'IVS updates an ingest configuration only while no encoder publishes with it: stop the broadcast, then deploy again');
    },

    get,

    /** The participant ID only: the response must never carry a stream key. */
    attributes(ingestConfiguration) {
      return { [Attribute.INGEST_CONFIGURATION_PARTICIPANT_ID]: ingestConfiguration.participantId ?? '' };
    },

    /**
     * With a secret, after a create, and after any update that may change which keys the secret must hold, so that it
     * holds those of the ingest configuration the stack has: a replacement, the rollback of a failed update (which sends
     * the old request to the old ingest configuration), redundant ingest turned on or off (which creates or drops the
     * backup credentials), or another secret (the copy just turned on included). A change of tags or handler settings
     * alone writes nothing. (The rollback of a successful replacement sends no update: see `delete`.)
     */
    async afterDeploy(ingestConfiguration, context) {
      const secretArn: string | undefined = context.event.ResourceProperties[Property.STREAM_KEY_SECRET_ARN];
      // no secret: IVS alone holds the keys, and there is no copy to keep current.
      if (!secretArn || !mayMoveStreamKeys(context.event)) {
        return;
      }
      try {
        await storeStreamKeys(secretArn, ingestConfiguration, context);
      } catch (error) {
        // a create or a replacement fails (its new ingest configuration is deleted: no one could read its key); so does an update that
        // Secrets Manager refuses (access, a deleted secret). But an update IVS has made, while Secrets Manager is slow
        // or failing, succeeds: failing it would fail its rollback for the same reason (UPDATE_ROLLBACK_FAILED, a stack
        // stuck until Secrets Manager recovers and someone continues the rollback). The sweep corrects the secret.
        if (context.creating || !mayClearOnRetry(error)) {
          throw new Error(`could not store the stream key: ${describeError(error)}`);
        }
        const correction = await scheduleCorrection(corrections, secretArn, ingestConfiguration.arn!, context);
        log('stream key secret left as it was', { secretArn, arn: ingestConfiguration.arn, reason: describeError(error), correction });
        context.note(`The stream key secret ${secretArn} could not be rewritten (${describeError(error)}): ${correction}. Until then `
          + 'it may hold keys the ingest configuration no longer has; GetIngestConfiguration has the current ones.');
      }
    },

    async delete(arn, { event }) {
      const secretArn: string | undefined = event.ResourceProperties[Property.STREAM_KEY_SECRET_ARN];
      // only for CloudFormation's deletes: when the handler deletes the ingest configuration it has just created (its key
      // could not be stored), the rollback's update of the old one rewrites the secret if the failed write reached it.
      if (secretArn && event.RequestType === 'Delete') {
        await handBackStreamKeys(ivs, secretArn, arn);
      }
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

    /** Its summaries carry no tags: those of the request's stage (a few) are read one by one. */
    async findCreated(token, request) {
      const arns: string[] = [];
      for await (const page of paginateListIngestConfigurations({ client: ivs }, { filterByStageArn: request.stageArn, maxResults: 100 })) {
        arns.push(...(page.ingestConfigurations ?? []).map((summary) => summary.arn!));
      }
      const found = await Promise.all(arns.map((arn) => ivs.send(new GetIngestConfigurationCommand({ arn })).then(
        ({ ingestConfiguration }) => ingestConfiguration,
        (error: unknown) => {
          if (isNotFound(error)) {
            return undefined;
          }
          throw error;
        })));
      return createdBy(found.filter((ingest) => ingest !== undefined), token);
    },
  };
}

/** Has the secret corrected (see `StreamKeyCorrections`), and says how; without the stack's table, the next update does it. */
async function scheduleCorrection(corrections: StreamKeyCorrections | undefined, secretArn: string, arn: string,
  context: RequestContext): Promise<string> {
  const byUpdate = 'the next update of the ingest configuration rewrites it';
  if (!corrections) {
    return byUpdate;
  }
  return corrections.schedule(secretArn, arn, context.event.StackId).catch((error: unknown) => {
    log('could not record the stream key secret\'s correction', { secretArn, error: describeError(error) });
    return byUpdate;
  });
}

function mayMoveStreamKeys(event: CustomResourceEvent): boolean {
  const old = event.OldResourceProperties;
  return !old || [Property.REQUEST, Property.STREAM_KEY_SECRET_ARN].some((key) => old[key] !== event.ResourceProperties[key]);
}

/**
 * Writes the ingest configuration's credentials to the construct's secret, unless it holds them already, within half the
 * time the handler has left: if the write fails, the other half is for deleting the ingest configuration just created,
 * whose key no one could otherwise read from the secret.
 */
async function storeStreamKeys(secretArn: string, ingest: IngestConfiguration, context: RequestContext): Promise<void> {
  const value = streamKeysOf(ingest);
  const left = context.timeLeft();
  await withinTime(left === undefined ? undefined : left / 2, (abortSignal) => storeStreamKeysUnlessHeld(secretArn, value, abortSignal));
}

/**
 * Before CloudFormation deletes the ingest configuration `arn`: if the secret holds its keys, which are about to stop
 * working, it gets back those of the ingest configuration its previous version names, if that one still exists. This
 * is the rollback of a replacement, which deletes the new ingest configuration and keeps the old one without sending it
 * any request. In the cleanup after a successful replacement the secret holds the new keys already; when the stack is
 * deleted, the previous version names an ingest configuration deleted before (or this one), and the secret goes too.
 */
async function handBackStreamKeys(ivs: IVSRealTimeClient, secretArn: string, arn: string): Promise<void> {
  try {
    if ((await readSecretJson(secretArn, 'AWSCURRENT'))?.ingestConfigurationArn !== arn) {
      return;
    }
    const kept = (await readSecretJson(secretArn, 'AWSPREVIOUS'))?.ingestConfigurationArn;
    if (typeof kept !== 'string' || kept === arn) {
      return;
    }
    const ingest = await ivs.send(new GetIngestConfigurationCommand({ arn: kept })).then(
      (response) => response.ingestConfiguration,
      (error: unknown) => {
        if (isNotFound(error)) {
          return undefined;
        }
        throw error;
      });
    if (ingest) {
      await storeSecretJson(secretArn, streamKeysOf(ingest));
      log('stream key secret handed back', { secretArn, from: arn, to: kept });
    }
  } catch (error) {
    throw new Error(`could not give the secret back the stream key of the ingest configuration the stack keeps, so ${arn} is `
      + `not deleted yet: ${describeError(error)}`);
  }
}
