import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PUBLISHED_TABLE_KEY, PUBLISHED_TABLE_TTL } from '../../lib/private/recording-ready-contract';

/**
 * How long a claim holds before another invocation may take it over: longer than the function's timeout (one minute),
 * so that a claim is only ever taken from an invocation that has stopped (timed out, or failed to release it).
 */
const CLAIM_LEASE_MS = 3 * 60_000;
/**
 * How long a published recording is remembered: far longer than IVS delivers an event late or again (its events are
 * best effort, within minutes), and then DynamoDB deletes the record.
 */
const RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * Which recordings had their ready event published, in the table `RecordingPlayback` defines: one item per recording,
 * `CLAIMED` by the invocation publishing it, then `PUBLISHED`.
 */
export class PublishedRecordings {
  constructor(private readonly db: DynamoDBClient, private readonly table: string) {}

  /**
   * Whether `invocationId` may publish the recording: the recording is new, already claimed by this invocation (a
   * retry by Lambda, which keeps the request ID), or claimed by an invocation whose lease ran out. False once it is
   * published, or while another invocation holds it.
   */
  public async claim(recordingKey: string, invocationId: string): Promise<boolean> {
    const now = Date.now();
    try {
      await this.db.send(new PutItemCommand({
        TableName: this.table,
        Item: {
          [PUBLISHED_TABLE_KEY]: { S: recordingKey },
          state: { S: 'CLAIMED' },
          owner: { S: invocationId },
          claimedAt: { N: String(now) },
          [PUBLISHED_TABLE_TTL]: { N: String(Math.floor(now / 1000) + RETENTION_SECONDS) },
        },
        // AND binds tighter than OR: new, or claimed by this invocation, or claimed and stale.
        ConditionExpression: 'attribute_not_exists(#key) OR #state = :claimed AND #owner = :me OR #state = :claimed AND #claimedAt < :stale',
        ExpressionAttributeNames: { '#key': PUBLISHED_TABLE_KEY, '#state': 'state', '#owner': 'owner', '#claimedAt': 'claimedAt' },
        ExpressionAttributeValues: { ':claimed': { S: 'CLAIMED' }, ':me': { S: invocationId }, ':stale': { N: String(now - CLAIM_LEASE_MS) } },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }

  /** Gives the claim up (the publish failed), if this invocation still holds it. */
  public async release(recordingKey: string, invocationId: string): Promise<void> {
    try {
      await this.db.send(new DeleteItemCommand({
        TableName: this.table,
        Key: { [PUBLISHED_TABLE_KEY]: { S: recordingKey } },
        ConditionExpression: '#state = :claimed AND #owner = :me',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: { ':claimed': { S: 'CLAIMED' }, ':me': { S: invocationId } },
      }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') {
        throw error;
      }
    }
  }

  /** Records that the event went out: no claim succeeds after this. */
  public async markPublished(recordingKey: string): Promise<void> {
    await this.db.send(new UpdateItemCommand({
      TableName: this.table,
      Key: { [PUBLISHED_TABLE_KEY]: { S: recordingKey } },
      UpdateExpression: 'SET #state = :published',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':published': { S: 'PUBLISHED' } },
    }));
  }
}
