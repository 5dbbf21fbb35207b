import {
  ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, paginateScan, PutItemCommand, QueryCommand,
  ResourceNotFoundException, ScanCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { FakeDynamoDb } from '../../testing/fake-dynamodb';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

let fake: FakeDynamoDb;
let client: DynamoDBClient;

const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
  maxAttempts: 1,
};

beforeAll(async () => {
  fake = await FakeDynamoDb.start();
  client = new DynamoDBClient({ ...clientConfig, endpoint: fake.endpoint });
});
beforeEach(() => fake.createTable('locks', 'pk'));
afterEach(() => fake.reset());
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const putOnce = (pk: string, owner: string) => client.send(new PutItemCommand({
  TableName: 'locks',
  Item: { pk: { S: pk }, owner: { S: owner }, expires: { N: '100' } },
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': 'pk' },
  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
}));
const get = (pk: string) => client.send(new GetItemCommand({ TableName: 'locks', Key: { pk: { S: pk } }, ConsistentRead: true }));

describe('the real DynamoDB client against the fake', () => {
  test('a conditional put succeeds once; the second fails with ConditionalCheckFailedException carrying the item', async () => {
    await putOnce('stage-1', 'first');

    const failure = await putOnce('stage-1', 'second').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
    expect(failure).toMatchObject({
      $metadata: { httpStatusCode: 400 },
      message: 'The conditional request failed',
      Item: { pk: { S: 'stage-1' }, owner: { S: 'first' }, expires: { N: '100' } },
    });
    expect(fake.items('locks')).toEqual([{ pk: 'stage-1', owner: 'first', expires: 100 }]);
    expect(fake.calls.map(({ operation, key, status, errorType }) => ({ operation, key, status, errorType }))).toEqual([
      { operation: 'PutItem', key: 'pk=stage-1', status: 200, errorType: undefined },
      { operation: 'PutItem', key: 'pk=stage-1', status: 400, errorType: 'ConditionalCheckFailedException' },
    ]);
  });

  test('a failed condition carries no item unless ALL_OLD is asked, nor when there was none', async () => {
    await putOnce('stage-1', 'first');

    const withoutItem = await client.send(new PutItemCommand({ TableName: 'locks', Item: { pk: { S: 'stage-1' } }, ConditionExpression: 'attribute_not_exists(pk)' })).catch((error: ConditionalCheckFailedException) => error);
    const noneThere = await client.send(new DeleteItemCommand({
      TableName: 'locks',
      Key: { pk: { S: 'stage-2' } },
      ConditionExpression: 'attribute_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })).catch((error: ConditionalCheckFailedException) => error);

    expect(withoutItem).toBeInstanceOf(ConditionalCheckFailedException);
    expect((withoutItem as ConditionalCheckFailedException).Item).toBeUndefined();
    expect(noneThere).toBeInstanceOf(ConditionalCheckFailedException);
    expect((noneThere as ConditionalCheckFailedException).Item).toBeUndefined();
  });

  test('PutItem returns the replaced item with ReturnValues ALL_OLD', async () => {
    await putOnce('stage-1', 'first');

    const answer = await client.send(new PutItemCommand({ TableName: 'locks', Item: { pk: { S: 'stage-1' } }, ReturnValues: 'ALL_OLD' }));

    expect(answer.Attributes).toEqual({ pk: { S: 'stage-1' }, owner: { S: 'first' }, expires: { N: '100' } });
    expect(fake.items('locks')).toEqual([{ pk: 'stage-1' }]);
  });

  test('an update conditioned on a number compares numerically, joined by AND and OR', async () => {
    await putOnce('stage-1', 'first');
    const takeOver = (now: string, owner: string) => client.send(new UpdateItemCommand({
      TableName: 'locks',
      Key: { pk: { S: 'stage-1' } },
      UpdateExpression: 'SET #owner = :owner, expires = :expires',
      ConditionExpression: 'attribute_not_exists(pk) OR expires < :now AND #owner <> :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': { S: owner }, ':now': { N: now }, ':expires': { N: '200' } },
      ReturnValues: 'ALL_NEW',
    }));

    // '99' < '100' as numbers, though not as strings.
    await expect(takeOver('99', 'second')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(takeOver('101', 'first')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const answer = await takeOver('101', 'second');

    expect(answer.Attributes).toEqual({ pk: { S: 'stage-1' }, owner: { S: 'second' }, expires: { N: '200' } });
    expect(fake.items('locks')).toEqual([{ pk: 'stage-1', owner: 'second', expires: 200 }]);
  });

  test('UpdateItem creates an absent item; REMOVE drops attributes; ALL_OLD answers the item before', async () => {
    const created = await client.send(new UpdateItemCommand({
      TableName: 'locks',
      Key: { pk: { S: 'stage-1' } },
      UpdateExpression: 'SET a = :a, b = :b, c = :c',
      ExpressionAttributeValues: { ':a': { BOOL: true }, ':b': { N: '2' }, ':c': { M: { nested: { L: [{ S: 'x' }, { NULL: true }] } } } },
      ReturnValues: 'ALL_OLD',
    }));
    expect(created.Attributes).toBeUndefined();
    expect(fake.items('locks')).toEqual([{ pk: 'stage-1', a: true, b: 2, c: { nested: ['x', null] } }]);

    const removed = await client.send(new UpdateItemCommand({
      TableName: 'locks',
      Key: { pk: { S: 'stage-1' } },
      UpdateExpression: 'REMOVE a, c SET b = :b',
      ExpressionAttributeValues: { ':b': { S: 'two' } },
      ReturnValues: 'ALL_OLD',
    }));

    expect(removed.Attributes).toMatchObject({ a: { BOOL: true }, b: { N: '2' } });
    expect(fake.items('locks')).toEqual([{ pk: 'stage-1', b: 'two' }]);
  });

  test('GetItem answers no item when absent, the item when present', async () => {
    expect((await get('stage-1')).Item).toBeUndefined();

    await putOnce('stage-1', 'first');

    expect((await get('stage-1')).Item).toEqual({ pk: { S: 'stage-1' }, owner: { S: 'first' }, expires: { N: '100' } });
  });

  test('DeleteItem deletes the item, under its condition, and answers it with ALL_OLD', async () => {
    await putOnce('stage-1', 'first');
    const deleteOwnedBy = (owner: string) => client.send(new DeleteItemCommand({
      TableName: 'locks',
      Key: { pk: { S: 'stage-1' } },
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': { S: owner } },
      ReturnValues: 'ALL_OLD',
    }));

    await expect(deleteOwnedBy('second')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const answer = await deleteOwnedBy('first');

    expect(answer.Attributes).toMatchObject({ owner: { S: 'first' } });
    expect(fake.items('locks')).toEqual([]);
  });

  test('a table that does not exist is ResourceNotFoundException; a table ARN names the table', async () => {
    await expect(client.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'x' } } })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);

    await client.send(new PutItemCommand({ TableName: 'arn:aws:dynamodb:us-east-1:123456789012:table/locks', Item: { pk: { S: 'x' } } }));

    expect(fake.items('locks')).toEqual([{ pk: 'x' }]);
    expect(fake.calls.map((call) => call.errorType)).toEqual(['ResourceNotFoundException', undefined]);
  });

  test('an injected fault answers in place of the operation it names, once', async () => {
    fake.injectFault({ operation: 'PutItem', errorType: 'ProvisionedThroughputExceededException' });
    fake.injectFault({ errorType: 'InternalServerError' });

    await expect(get('stage-1')).rejects.toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
    await expect(putOnce('stage-1', 'first')).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    await putOnce('stage-1', 'first');

    expect(fake.items('locks')).toHaveLength(1);
  });

  test.each([
    ['a function it does not model', { ConditionExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 's' } } }, /cannot parse the condition/],
    ['parentheses', { ConditionExpression: '(attribute_exists(pk))' }, /cannot parse the condition/],
    ['an undefined name', { ConditionExpression: 'attribute_exists(#missing)' }, /#missing/],
    ['an unused value', { ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':unused': { S: 'x' } } }, /:unused/],
    ['SET with arithmetic', { UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } }, /SET 'n = n \+ :one'/],
    ['an ADD clause', { UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }, /ADD 'n :one'/],
    ['an update of the key', { UpdateExpression: 'SET pk = :other', ExpressionAttributeValues: { ':other': { S: 'y' } } }, /part of the key/],
    ['UPDATED_NEW', { UpdateExpression: 'REMOVE a', ReturnValues: 'UPDATED_NEW' }, /UPDATED_NEW/],
    ['a parameter it does not model', { UpdateExpression: 'REMOVE a', ReturnConsumedCapacity: 'TOTAL' }, /ReturnConsumedCapacity/],
  ] as const)('an update with %s is ValidationException naming it', async (_case, request, message) => {
    await expect(client.send(new UpdateItemCommand({ TableName: 'locks', Key: { pk: { S: 'x' } }, ...request })))
      .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
    expect(fake.items('locks')).toEqual([]);
  });

  test('on the wire, as DynamoDB: awsJson1.0, error types namespaced, the old item beside the message', async () => {
    await putOnce('stage-1', 'first');

    const answer = await fetch(fake.endpoint, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'DynamoDB_20120810.DeleteItem', 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ TableName: 'locks', Key: { pk: { S: 'stage-1' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
    });

    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await answer.json()).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      message: 'The conditional request failed',
      Item: { pk: { S: 'stage-1' }, owner: { S: 'first' }, expires: { N: '100' } },
    });
  });

  test('an operation it does not model is ValidationException', async () => {
    await expect(client.send(new QueryCommand({ TableName: 'locks', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'x' } } })))
      .rejects.toMatchObject({ name: 'ValidationException', message: 'the fake DynamoDB does not implement Query' });
  });

  test('Scan returns every item in the order first written, a page of Limit at a time, as the SDK\'s paginator reads it', async () => {
    for (const pk of ['a', 'b', 'c', 'd', 'e']) {
      await putOnce(pk, 'x');
    }
    await client.send(new DeleteItemCommand({ TableName: 'locks', Key: { pk: { S: 'c' } } }));

    const first = await client.send(new ScanCommand({ TableName: 'locks', Limit: 2 }));
    expect(first).toMatchObject({ Count: 2, LastEvaluatedKey: { pk: { S: 'b' } } });
    const pages: string[][] = [];
    for await (const page of paginateScan({ client, pageSize: 3 }, { TableName: 'locks', ConsistentRead: true })) {
      pages.push((page.Items ?? []).map((item) => item.pk.S!));
    }
    expect(pages).toEqual([['a', 'b', 'd'], ['e']]);
    await expect(client.send(new ScanCommand({ TableName: 'locks', FilterExpression: 'pk = :pk' })))
      .rejects.toMatchObject({ name: 'ValidationException', message: 'the fake DynamoDB does not support FilterExpression in Scan' });
  });

  test('AWS_ENDPOINT_URL_DYNAMODB points a client without an endpoint at the fake', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = fake.endpoint;
    const fromEnvironment = new DynamoDBClient(clientConfig);
    try {
      await fromEnvironment.send(new PutItemCommand({ TableName: 'locks', Item: { pk: { S: 'x' } } }));
    } finally {
      fromEnvironment.destroy();
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }

    expect(fake.items('locks')).toEqual([{ pk: 'x' }]);
  });
});

test('an AWS::DynamoDB::Table the lifecycle driver creates is a table keyed as in the template, dropped with the stack', async () => {
  const stack = new Stack(new App(), 'Tables');
  new dynamodb.Table(stack, 'Store', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
  const driver = new LifecycleDriver({ onFakeResource: (event) => fake.mirror(event) });
  expect((await driver.deploy(stack)).status).toBe('SUCCEEDED');
  const tableName = driver.physicalId(driver.logicalIdOf(stack.node.findChild('Store')));

  await client.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'a' } } }));
  expect(fake.items(tableName)).toEqual([{ id: 'a' }]);

  expect((await driver.destroy()).status).toBe('SUCCEEDED');
  await expect(client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: 'a' } } })))
    .rejects.toBeInstanceOf(ResourceNotFoundException);
});
