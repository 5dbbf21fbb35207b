import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/** The item of the pool's table that counts its stages. */
const COUNT_KEY = 'stage-count';
/** Attempts of a conditional write that other calls keep changing under it. */
const WRITE_ATTEMPTS = 30;

/** Thrown when the pool holds `maxStages` stages, or the account its quota: the backend's error names it. */
export class StagePoolFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StagePoolFullError';
  }
}

/**
 * How many stages the pool holds, kept in its table so that `maxStages` holds against calls made at the same moment:
 * each create reserves one with a conditional write (read, then write only if nobody wrote since), a failed create and
 * a cleanup release it, and each reconcile sets the count it listed (which corrects any drift, such as a stage deleted
 * outside the pool).
 */
export class StageCount {
  constructor(private readonly db: DynamoDBClient, private readonly table: string) {}

  /** Counts one more stage, or throws `StagePoolFullError` when `max` are held. Returns the new count. */
  public async reserve(max: number | undefined): Promise<number> {
    return this.change((count) => {
      if (max !== undefined && count >= max) {
        throw new StagePoolFullError(`the pool holds ${count} stages, its maxStages is ${max}: try again once a session has ended`);
      }
      return count + 1;
    });
  }

  /** Counts one stage less. */
  public async release(): Promise<number> {
    return this.change((count) => Math.max(0, count - 1));
  }

  /** Sets the count, as a reconcile listed it. */
  public async set(count: number): Promise<void> {
    await this.db.send(new PutItemCommand({ TableName: this.table, Item: { token: { S: COUNT_KEY }, stages: { N: String(count) } } }));
  }

  private async change(next: (count: number) => number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: { token: { S: COUNT_KEY } }, ConsistentRead: true }));
      const seen = Item?.stages?.N;
      const count = next(Number(seen ?? 0));
      try {
        await this.db.send(new UpdateItemCommand({
          TableName: this.table,
          Key: { token: { S: COUNT_KEY } },
          UpdateExpression: 'SET #stages = :count',
          ConditionExpression: seen === undefined ? 'attribute_not_exists(#stages)' : '#stages = :seen',
          ExpressionAttributeNames: { '#stages': 'stages' },
          ExpressionAttributeValues: { ':count': { N: String(count) }, ...(seen === undefined ? {} : { ':seen': { N: seen } }) },
        }));
        return count;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException' || attempt >= WRITE_ATTEMPTS) {
          throw error;
        }
        // another call changed the count: read it again, after a short random pause so that they do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }
}
