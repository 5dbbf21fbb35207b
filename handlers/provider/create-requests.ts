import {
  ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, paginateScan, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * What the stack's create-request table (a DynamoDB table of the provider) holds of one create request: which delivery
 * may create, until when, and what it made. CloudFormation may deliver a request twice, even at the same moment; IVS takes
 * no client token, so deliveries take turns here, with DynamoDB's conditional writes, and a later one answers with what
 * the first made instead of creating again. Records expire after a week (the table's time to live): CloudFormation's
 * redeliveries and the rollback's delete of a failed create come within the stack operation.
 */
export interface CreateRecord {
  /** What the request created, once it has. */
  readonly arn?: string;
  /** Until when (ms since the epoch) the delivery that claimed the request may still be creating: its claim. */
  readonly leaseUntil: number;
  /**
   * Until when a create attempt the claimant stopped may still take effect in IVS: the rollback's delete of a failed
   * create looks for it until then (the claimant's answer time, plus as long again).
   */
  readonly watchUntil: number;
  /** Whether an attempt of the create may have taken effect unanswered: only then is IVS searched for what it made. */
  readonly unanswered: boolean;
}

/** A delivery's claim of a request: until when it may be creating, and until when what it stopped may take effect. */
export type Claim = Pick<CreateRecord, 'leaseUntil' | 'watchUntil'>;

const RECORD_LIFETIME_SECONDS = 7 * 24 * 3600;

export class CreateRequests {
  constructor(private readonly db: DynamoDBClient, private readonly table: string) {}

  /** Claims the request for this delivery (`claim`: its times); or, if another delivery has, what it recorded. */
  public async claim(token: string, claim: Claim): Promise<CreateRecord | undefined> {
    try {
      await this.db.send(new PutItemCommand({
        TableName: this.table,
        Item: {
          token: { S: token },
          leaseUntil: { N: String(claim.leaseUntil) },
          watchUntil: { N: String(claim.watchUntil) },
          expiresAt: { N: String(Math.ceil(Date.now() / 1000) + RECORD_LIFETIME_SECONDS) },
        },
        ConditionExpression: 'attribute_not_exists(#token)',
        ExpressionAttributeNames: { '#token': 'token' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        return recordOf((error as ConditionalCheckFailedException).Item) ?? await this.get(token);
      }
      throw error;
    }
  }

  /**
   * Takes over a request whose claim ran out (`seen`, as read) with nothing recorded as made: the delivery holding it was
   * stopped, or gave up, and an attempt of its create may still take effect. So the record says so (`unanswered`), and
   * keeps the later of the two times until which an attempt may: a rollback's delete then waits for both. False when
   * another delivery took it over first.
   */
  public async takeOver(token: string, seen: CreateRecord, claim: Claim): Promise<boolean> {
    try {
      await this.db.send(new UpdateItemCommand({
        TableName: this.table,
        Key: { token: { S: token } },
        UpdateExpression: 'SET #lease = :lease, #watch = :watch, #unanswered = :true',
        ConditionExpression: '#lease = :seen AND attribute_not_exists(#arn)',
        ExpressionAttributeNames: { '#lease': 'leaseUntil', '#watch': 'watchUntil', '#arn': 'arn', '#unanswered': 'unanswered' },
        ExpressionAttributeValues: {
          ':lease': { N: String(claim.leaseUntil) },
          ':watch': { N: String(Math.max(claim.watchUntil, seen.watchUntil)) },
          ':seen': { N: String(seen.leaseUntil) },
          ':true': { BOOL: true },
        },
      }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }

  public async get(token: string): Promise<CreateRecord | undefined> {
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: { token: { S: token } }, ConsistentRead: true }));
    return recordOf(Item);
  }

  /** Records what the request made: later deliveries answer with it. */
  public async created(token: string, arn: string): Promise<void> {
    await this.update(token, 'SET #arn = :arn', { '#arn': 'arn' }, { ':arn': { S: arn } });
  }

  /** Records that an attempt may have made something unanswered: whoever finishes the request searches IVS for it. */
  public async unanswered(token: string): Promise<void> {
    await this.update(token, 'SET #unanswered = :true', { '#unanswered': 'unanswered' }, { ':true': { BOOL: true } });
  }

  /** Records that the replacement `key` names (abandonedReplacementKey) was given up on while its request `token` created. */
  public async pointToAbandonedReplacement(key: string, token: string): Promise<void> {
    await this.db.send(new PutItemCommand({
      TableName: this.table,
      Item: { token: { S: key }, createToken: { S: token }, expiresAt: { N: String(Math.ceil(Date.now() / 1000) + RECORD_LIFETIME_SECONDS) } },
    }));
  }

  /** The create request of the replacement given up on that `key` names, if one was. */
  public async abandonedReplacement(key: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetItemCommand({ TableName: this.table, Key: { token: { S: key } }, ConsistentRead: true }));
    return Item?.createToken?.S;
  }

  /**
   * Records work left for the sweep under `key` (a prefix of its kind, then what it is about), with its `fields`: it
   * replaces what `key` held.
   */
  public async putPending(key: string, fields: Record<string, string>): Promise<void> {
    await this.db.send(new PutItemCommand({
      TableName: this.table,
      Item: {
        token: { S: key },
        ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { S: value }])),
        expiresAt: { N: String(Math.ceil(Date.now() / 1000) + RECORD_LIFETIME_SECONDS) },
      },
    }));
  }

  /**
   * The work left for the sweep whose keys start with `prefix`, with its fields. The table is read whole: it holds a week
   * of one stack's create requests, a few pages at most, and only the sweep reads it, which runs only while work is left.
   */
  public async pending(prefix: string): Promise<Array<{ readonly key: string; readonly fields: Record<string, string> }>> {
    const found: Array<{ key: string; fields: Record<string, string> }> = [];
    for await (const page of paginateScan({ client: this.db }, { TableName: this.table, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        const key = item.token?.S;
        if (key?.startsWith(prefix)) {
          const fields = Object.entries(item).filter(([name, value]) => name !== 'token' && value.S !== undefined);
          found.push({ key, fields: Object.fromEntries(fields.map(([name, value]) => [name, value.S!])) });
        }
      }
    }
    return found;
  }

  /** Forgets the request: it made nothing, and a later delivery may try again. */
  public async forget(key: string): Promise<void> {
    await this.db.send(new DeleteItemCommand({ TableName: this.table, Key: { token: { S: key } } }));
  }

  /** Forgets the request if what it made is `arn`: a later request of the key may have made something else since. */
  public async forgetCreated(token: string, arn: string): Promise<void> {
    try {
      await this.db.send(new DeleteItemCommand({
        TableName: this.table,
        Key: { token: { S: token } },
        ConditionExpression: '#arn = :arn',
        ExpressionAttributeNames: { '#arn': 'arn' },
        ExpressionAttributeValues: { ':arn': { S: arn } },
      }));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') {
        throw error;
      }
    }
  }

  private async update(token: string, expression: string, names: Record<string, string>, values: Record<string, any>): Promise<void> {
    await this.db.send(new UpdateItemCommand({
      TableName: this.table,
      Key: { token: { S: token } },
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }
}

function recordOf(item: Record<string, any> | undefined): CreateRecord | undefined {
  if (!item?.token) {
    return undefined;
  }
  return {
    arn: item.arn?.S,
    leaseUntil: Number(item.leaseUntil?.N ?? 0),
    watchUntil: Number(item.watchUntil?.N ?? 0),
    unanswered: item.unanswered?.BOOL === true,
  };
}
