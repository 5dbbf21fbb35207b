import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCompositionCommand, GetStorageConfigurationCommand } from '@aws-sdk/client-ivs-realtime';
import { S3Client } from '@aws-sdk/client-s3';
import { ArnResource } from '../../lib/private/contract';
import { RecordingFiles, RecordingReadyEnv } from '../../lib/private/recording-ready-contract';
import { ivsClient } from '../shared/client';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { PublishedRecordings } from './published-recordings';
import { recordingReadyEntry } from './ready-event';
import { FinalRecording, readFinalRecording, RecordingNotFinal } from './recording-files';

/** The fields of the IVS events the function reads. */
export interface IvsRecordingEvent {
  readonly 'id'?: string;
  readonly 'detail-type'?: string;
  readonly 'resources'?: string[];
  readonly 'detail'?: {
    readonly event_name?: string;
    readonly session_id?: string;
    readonly participant_id?: string;
    readonly stage_arn?: string;
    readonly recording_s3_bucket_name?: string;
    readonly recording_s3_key_prefix?: string;
  };
}

/**
 * The fields of S3's `Object Created` event (EventBridge notifications of the bucket) the function reads: the rule
 * passes only the recording metadata files (`…/events/recording-ended.json`, `…/events/recording-failed.json`).
 */
export interface S3ObjectCreatedEvent {
  readonly 'id'?: string;
  readonly 'source'?: string;
  readonly 'detail-type'?: string;
  readonly 'detail'?: {
    readonly bucket?: { readonly name?: string };
    readonly object?: { readonly key?: string };
  };
}

/** The Lambda context field the function reads: the same on each of Lambda's retries of one invocation. */
interface InvocationContext {
  readonly awsRequestId: string;
}

/** The recording an event is about, once its files are found final. */
export interface ReadyRecording extends FinalRecording {
  readonly recordingType: 'PARTICIPANT' | 'COMPOSITE';
  readonly stageArn: string;
  readonly sessionId?: string;
  readonly participantId?: string;
  readonly compositionArn?: string;
  readonly destinationId?: string;
}

const PARTICIPANT_RECORDING = 'IVS Participant Recording State Change';
const OBJECT_CREATED = 'Object Created';
const COMPOSITION = 'IVS Composition State Change';
const PARTICIPANT_RECORDING_ENDS = new Set(['Recording End', 'Recording End Failure']);
const SESSION_ENDS = new Set(['Session End', 'Session Failure']);
const COMPOSITION_ENDS = new Set(['Destination End', 'Destination Failure', ...SESSION_ENDS]);
/** Destination states after which IVS writes nothing more (the API's DestinationState). */
const DESTINATION_ENDED = new Set(['STOPPED', 'FAILED']);
/** The last part of a composite recording's prefix (`…/<composition id>/<destination id>/composite`). */
const COMPOSITE_FOLDER = 'composite';
/** A key prefix as IVS writes them: IDs, a timestamp, slashes; nothing that could climb out of it. */
const RECORDING_PREFIX = /^[A-Za-z0-9_.:-]+(\/[A-Za-z0-9_.:-]+)*$/;

let clients: { s3: S3Client; published: PublishedRecordings; events: EventBridgeClient } | undefined;

/**
 * Publishes the library's `IVS Recording Ready` event once per recording of the bucket, when the recording is final:
 * after a participant's `Recording End` (or `Recording End Failure`), or a composition's destination or session end
 * (or failure), once its `recording-ended.json` (or `recording-failed.json`) is written and, for a composite that ended
 * well, every media playlist says `#EXT-X-PLAYLIST-TYPE:VOD`.
 *
 * IVS events can be late, missing, duplicated or out of order: each end event only makes the function look at S3,
 * which tells whether the recording is final; a recording not final yet is an error, so that Lambda retries the
 * event (about one, then two minutes later) before its dead-letter queue keeps it; and a conditional write in
 * DynamoDB lets one invocation publish per recording, whichever events arrive and however often.
 */
export async function handler(event: IvsRecordingEvent | S3ObjectCreatedEvent, context: InvocationContext): Promise<void> {
  const bucketName = requiredEnv(RecordingReadyEnv.BUCKET_NAME);
  clients ??= {
    s3: new S3Client({}),
    published: new PublishedRecordings(new DynamoDBClient({}), requiredEnv(RecordingReadyEnv.PUBLISHED_TABLE)),
    events: new EventBridgeClient({}),
  };
  const ivsEvent = event as IvsRecordingEvent;
  const eventName = ivsEvent.detail?.event_name ?? '';
  const recordings = event['detail-type'] === PARTICIPANT_RECORDING && PARTICIPANT_RECORDING_ENDS.has(eventName)
    ? await participantRecording(clients.s3, bucketName, ivsEvent)
    : event['detail-type'] === COMPOSITION && COMPOSITION_ENDS.has(eventName)
      ? await compositeRecordings(clients.s3, bucketName, ivsEvent)
      : event['detail-type'] === OBJECT_CREATED
        ? await writtenRecording(clients.s3, bucketName, event as S3ObjectCreatedEvent)
        : undefined;
  if (recordings === undefined) {
    log('ignored: not a recording end of this bucket', { id: event.id, detailType: event['detail-type'], eventName });
    return;
  }
  for (const recording of recordings) {
    await publishOnce(recording, bucketName, context.awsRequestId);
  }
}

async function participantRecording(s3: S3Client, bucketName: string, event: IvsRecordingEvent): Promise<ReadyRecording[] | undefined> {
  const detail = event.detail ?? {};
  const prefix = detail.recording_s3_key_prefix ?? '';
  if (detail.recording_s3_bucket_name !== bucketName || !RECORDING_PREFIX.test(prefix)) {
    return undefined;
  }
  const final = await readFinalRecording(s3, bucketName, prefix, { requireVodPlaylists: false });
  return [{
    ...final,
    recordingType: 'PARTICIPANT',
    stageArn: final.metadata.stage_arn ?? event.resources?.[0] ?? '',
    sessionId: final.metadata.session_id ?? detail.session_id,
    participantId: final.metadata.participant_id ?? detail.participant_id,
  }];
}

/**
 * The composition's S3 destinations that record to this bucket and have ended. The recording prefix is only in
 * GetComposition's answer, which IVS keeps a few minutes after the composition stops: a composition already gone is
 * logged and its event dropped.
 */
async function compositeRecordings(s3: S3Client, bucketName: string, event: IvsRecordingEvent): Promise<ReadyRecording[] | undefined> {
  const compositionArn = event.resources?.[0] ?? '';
  let composition;
  try {
    composition = (await ivsClient().send(new GetCompositionCommand({ arn: compositionArn }))).composition;
  } catch (error) {
    if (isNotFound(error)) {
      log('ignored: the composition is gone, and with it where it recorded', { id: event.id, compositionArn });
      return undefined;
    }
    throw error;
  }
  const recordings: ReadyRecording[] = [];
  let recordsHere = false;
  for (const destination of composition?.destinations ?? []) {
    const prefix = destination.detail?.s3?.recordingPrefix;
    const storageArn = destination.configuration?.s3?.storageConfigurationArn;
    if (!prefix || !storageArn || !(await recordsTo(storageArn, bucketName))) {
      continue;
    }
    recordsHere = true;
    if (!DESTINATION_ENDED.has(destination.state ?? '')) {
      // the session ended, or this destination is stopping: it is about to be final. Otherwise the event is another
      // destination's, and this one's own end event (or the session's) comes later.
      if (SESSION_ENDS.has(event.detail?.event_name ?? '') || destination.state === 'STOPPING') {
        throw new RecordingNotFinal(`${compositionArn} destination ${destination.id} is ${destination.state}, not stopped yet`);
      }
      log('waiting: the destination still records', { id: event.id, compositionArn, destinationId: destination.id, state: destination.state });
      continue;
    }
    const final = await readFinalRecording(s3, bucketName, prefix, { requireVodPlaylists: true });
    recordings.push({
      ...final,
      recordingType: 'COMPOSITE',
      stageArn: final.metadata.stage_arn ?? composition?.stageArn ?? '',
      compositionArn,
      destinationId: destination.id,
    });
  }
  return recordsHere ? recordings : undefined;
}

/**
 * The recording whose final metadata file S3 says was written: the backstop for IVS's end events, which EventBridge
 * delivers best effort. The prefix is the key less `/events/recording-ended.json` (or `-failed.json`); a prefix ending
 * in `/composite` is a composition destination's (`…/<composition id>/<destination id>/composite`), whose media
 * playlists must have turned `VOD` too. What only IVS's events or GetComposition tell is derived: the stage, session
 * and participant from the metadata file, the composition's ARN from its ID in the prefix and the stage ARN's
 * partition, region and account (docs/recordings.md says what is unconfirmed).
 */
async function writtenRecording(s3: S3Client, bucketName: string, event: S3ObjectCreatedEvent): Promise<ReadyRecording[] | undefined> {
  const key = event.detail?.object?.key ?? '';
  const file = [RecordingFiles.ENDED, RecordingFiles.FAILED].find((name) => key.endsWith(`/${name}`));
  const prefix = file === undefined ? '' : key.slice(0, -file.length - 1);
  if (event.detail?.bucket?.name !== bucketName || !RECORDING_PREFIX.test(prefix)) {
    return undefined;
  }
  const parts = prefix.split('/');
  const composite = parts.length >= 3 && parts[parts.length - 1] === COMPOSITE_FOLDER;
  const final = await readFinalRecording(s3, bucketName, prefix, { requireVodPlaylists: composite });
  const stageArn = final.metadata.stage_arn ?? '';
  if (!composite) {
    return [{
      ...final,
      recordingType: 'PARTICIPANT',
      stageArn,
      sessionId: final.metadata.session_id,
      participantId: final.metadata.participant_id,
    }];
  }
  const [compositionId, destinationId] = parts.slice(-3, -1);
  // arn:<partition>:ivs:<region>:<account>:stage/<id> → arn:<partition>:ivs:<region>:<account>:composition/<id>
  const arnPrefix = /^(arn:[^:]+:ivs:[^:]*:[^:]*):stage\//.exec(stageArn)?.[1];
  return [{
    ...final,
    recordingType: 'COMPOSITE',
    stageArn,
    compositionArn: arnPrefix && `${arnPrefix}:${ArnResource.COMPOSITION}/${compositionId}`,
    destinationId,
  }];
}

/** Whether the storage configuration records to the bucket; one deleted since the composition started records nowhere now. */
async function recordsTo(storageConfigurationArn: string, bucketName: string): Promise<boolean> {
  try {
    const { storageConfiguration } = await ivsClient().send(new GetStorageConfigurationCommand({ arn: storageConfigurationArn }));
    return storageConfiguration?.s3?.bucketName === bucketName;
  } catch (error) {
    if (isNotFound(error)) {
      return false;
    }
    throw error;
  }
}

/**
 * Claims the recording, publishes its event, then marks it published. A failed publish releases the claim and fails
 * the invocation (Lambda retries it); a failed mark is only logged, since publishing again would send a second event.
 */
async function publishOnce(recording: ReadyRecording, bucketName: string, invocationId: string): Promise<void> {
  const { published, events } = clients!;
  const key = `${bucketName}/${recording.recordingPrefix}`;
  const context = { recordingKey: key, status: recording.metadata.recording_status };
  if (!(await published.claim(key, invocationId))) {
    log('skipped: the recording is published, or being published by another invocation', context);
    return;
  }
  try {
    const answer = await events.send(recordingReadyEntry(recording, bucketName, requiredEnv(RecordingReadyEnv.PLAYBACK_DOMAIN)));
    if ((answer.FailedEntryCount ?? 0) > 0) {
      throw new Error(`PutEvents refused the event: ${answer.Entries?.[0]?.ErrorCode} ${answer.Entries?.[0]?.ErrorMessage}`);
    }
  } catch (error) {
    await published.release(key, invocationId).catch((releaseError) =>
      log('could not release the claim: a later event takes it over once it is stale', { ...context, error: describeError(releaseError) }));
    throw error;
  }
  log('published', context);
  await published.markPublished(key).catch((error) =>
    log('published, but not marked so: a duplicate within the claim\'s lease is still skipped', { ...context, error: describeError(error) }));
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: the function runs only as RecordingPlayback defines it`);
  }
  return value;
}
