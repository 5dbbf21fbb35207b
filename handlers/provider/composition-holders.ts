import {
  Composition,
  GetCompositionCommand,
  GetStageCommand,
  IVSRealTimeClient,
  ListParticipantsCommand,
  paginateListCompositions,
} from '@aws-sdk/client-ivs-realtime';
import { isNotFound } from '../shared/errors';

/** A composition that uses a configuration, and whether IVS will stop it by itself soon. */
export interface Holder {
  readonly compositionArn: string;
  readonly stageArn: string;
  /** Why IVS stops it within about a minute without anyone acting; absent while someone is connected to its stage. */
  readonly ending?: string;
}

/** Compositions in these states hold nothing. */
const FINISHED = new Set(['STOPPED', 'FAILED']);

/**
 * The compositions of the account and region that use the encoder or storage configuration `arn`. ListCompositions
 * filters by encoder configuration only, so each running composition is read (a handful at most: IVS allows 5 at once by
 * default).
 */
export async function compositionsUsing(ivs: IVSRealTimeClient, arn: string): Promise<Holder[]> {
  const holders: Holder[] = [];
  for await (const page of paginateListCompositions({ client: ivs }, {})) {
    for (const summary of page.compositions ?? []) {
      if (FINISHED.has(summary.state!)) {
        continue;
      }
      const composition = await getComposition(ivs, summary.arn!);
      if (composition && !FINISHED.has(composition.state!) && configurationsOf(composition).includes(arn)) {
        holders.push({ compositionArn: composition.arn!, stageArn: composition.stageArn!, ending: await whyEnding(ivs, composition) });
      }
    }
  }
  return holders;
}

/** For messages: `composition <arn> of stage <arn> (<why it ends soon, or that it runs>)`. */
export function describeHolder(holder: Holder): string {
  return `composition ${holder.compositionArn} of stage ${holder.stageArn} (${holder.ending ?? 'participants are connected to the stage'})`;
}

async function getComposition(ivs: IVSRealTimeClient, arn: string): Promise<Composition | undefined> {
  try {
    return (await ivs.send(new GetCompositionCommand({ arn }))).composition;
  } catch (error) {
    // ended between the list and the read.
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}

function configurationsOf(composition: Composition): string[] {
  return (composition.destinations ?? []).flatMap(({ configuration }) => [
    configuration?.channel?.encoderConfigurationArn,
    configuration?.s3?.storageConfigurationArn,
    ...configuration?.s3?.encoderConfigurationArns ?? [],
  ]).filter((arn): arn is string => arn !== undefined);
}

/**
 * IVS stops a composition a minute after the last participant leaves its stage (StartComposition's documentation), and
 * when its stage is deleted; otherwise it runs for as long as the session does, up to 24 hours.
 */
async function whyEnding(ivs: IVSRealTimeClient, composition: Composition): Promise<string | undefined> {
  if (composition.state === 'STOPPING') {
    return 'stopping';
  }
  let sessionId: string | undefined;
  try {
    sessionId = (await ivs.send(new GetStageCommand({ arn: composition.stageArn }))).stage?.activeSessionId;
  } catch (error) {
    if (isNotFound(error)) {
      return 'its stage is deleted: IVS is stopping it';
    }
    throw error;
  }
  const nobody = 'nobody is connected to the stage: IVS stops it a minute after the last participant left';
  if (!sessionId) {
    return nobody;
  }
  const { participants } = await ivs.send(new ListParticipantsCommand({
    stageArn: composition.stageArn, sessionId, filterByState: 'CONNECTED', maxResults: 1,
  }));
  return participants && participants.length > 0 ? undefined : nobody;
}
