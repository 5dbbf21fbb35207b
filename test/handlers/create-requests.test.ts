import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { CREATE_REQUEST_TAG, createRequestToken } from '../../handlers/provider/create-request';
import { handler as entry, onEvent as handler } from '../../handlers/provider/index';
import {
  CREATE_REQUESTS_TABLE, createRequestsDynamoDb, CustomResourceEvents, operationsSince, useFakeIvs,
} from '../support/handler-harness';

const fake = useFakeIvs();
const stages = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');
const STAGE = { Request: { name: 'town-hall' } };

/** Lambda's context with `ms` of the invocation left. */
const lambdaContext = (ms: number) => {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now(), logGroupName: '/aws/lambda/handler' };
};

/** The records of the create-request table. */
const records = () => createRequestsDynamoDb().items(CREATE_REQUESTS_TABLE);

describe('deliveries of one create request take turns in the create-request table', () => {
  test('a fault-free create makes one IVS call, whatever the account holds, and records what it made', async () => {
    const client = new IVSRealTimeClient({ endpoint: fake().endpoint, region: fake().region, maxAttempts: 1 });
    fake().setRateLimits('none');
    for (let i = 0; i < 120; i++) {
      await client.send(new CreateStageCommand({ name: `other-${i}` })); // another app's stages: more than a List page
    }
    fake().setRateLimits('service');
    client.destroy();
    const since = fake().calls.length;
    const event = stages.create(STAGE);

    const { PhysicalResourceId: arn } = await handler(event);

    expect(operationsSince(fake(), since)).toEqual(['CreateStage']);
    expect(createRequestsDynamoDb().calls.map((call) => call.operation)).toEqual(['PutItem', 'UpdateItem']);
    expect(records()).toEqual([expect.objectContaining({ token: createRequestToken(event), arn })]);
  });

  test('the same request delivered again answers what the first delivery made: no create, only the read of its attributes', async () => {
    const event = stages.create(STAGE);
    const first = await handler(event);
    const since = fake().calls.length;

    const second = await handler(event);

    expect(second).toEqual(first);
    expect(operationsSince(fake(), since)).toEqual(['GetStage']);
    expect(fake().stages.size).toBe(1);
  });

  test('three deliveries at once make one stage, and all three answer with it', async () => {
    fake().injectDelay({ operation: 'CreateStage', delayMs: 300, times: 3 });
    const event = stages.create(STAGE);

    const answers = await Promise.all([handler(event, lambdaContext(10_000)), handler(event, lambdaContext(10_000)),
      handler(event, lambdaContext(10_000))]);

    expect(fake().stages.size).toBe(1);
    expect(new Set(answers.map((answer) => answer.PhysicalResourceId))).toEqual(new Set(fake().stages.keys()));
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
  });

  test('a delivery stopped in the middle of its create (its claim ran out, nothing recorded) is taken over: the next delivery '
    + 'finds what it made by its tag and answers with it', async () => {
    const event = stages.create(STAGE);
    const token = createRequestToken(event);
    // what a delivery Lambda stopped leaves: its claim, run out, and the stage IVS made for it.
    const ran = await createRequestsDynamoDbClaim(token, Date.now() - 1000);
    const client = new IVSRealTimeClient({ endpoint: fake().endpoint, region: fake().region, maxAttempts: 1 });
    const { stage } = await client.send(new CreateStageCommand({ name: 'town-hall', tags: { [CREATE_REQUEST_TAG]: token } }));
    client.destroy();
    expect(ran).toBe(true);
    const since = fake().calls.length;

    const answer = await handler(event, lambdaContext(10_000));

    expect(answer.PhysicalResourceId).toBe(stage!.arn);
    expect(operationsSince(fake(), since)).toEqual(['ListStages', 'GetStage']);
    expect(fake().stages.size).toBe(1);
  });

  test('a create that fails before calling IVS (the table refusing) answers a physical ID whose delete has nothing to do',
    async () => {
      createRequestsDynamoDb().injectFault({ errorType: 'ValidationException', times: 1 });
      const event = stages.create(STAGE);

      const answer = await withResponseUrl((url) => entry({ ...event, ResponseURL: url }, lambdaContext(10_000)));

      expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'cdk-ivs-realtime:nothing-created' });
      const since = fake().calls.length;
      expect(await handler(stages.delete(answer.PhysicalResourceId, STAGE))).toEqual({ PhysicalResourceId: 'cdk-ivs-realtime:nothing-created' });
      expect(operationsSince(fake(), since)).toEqual([]);
    });
});

describe("the rollback's delete of a create the handler gave up on", () => {
  test('deletes the stage IVS creates after the handler answered, waiting for it within its own time', async () => {
    // IVS answers the create after the handler's time: the handler stops waiting, and IVS creates the stage later still.
    fake().injectDelay({ operation: 'CreateStage', delayMs: 1500 });
    const event = stages.create(STAGE);

    const failed = await withResponseUrl((url) => entry({ ...event, ResponseURL: url }, lambdaContext(1000)));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `cdk-ivs-realtime:failed-create:${createRequestToken(event)}` });
    expect(fake().stages.size).toBe(0);

    // CloudFormation's rollback: the delete of the physical ID the failure answered, with the handler's full time.
    const rollback = stages.delete(failed.PhysicalResourceId, STAGE);
    const deleted = await withResponseUrl((url) => entry({ ...rollback, ResponseURL: url }, lambdaContext(3000)));

    expect(deleted).toMatchObject({ Status: 'SUCCESS' });
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
    expect(fake().stages.size).toBe(0);
    expect(records()).toEqual([]);
  });
});

describe('the answer to CloudFormation', () => {
  test('a success the ResponseURL refuses is undone: the stage is deleted and the request forgotten, and the invocation fails so that '
    + 'Lambda delivers it again', async () => {
    const event = stages.create(STAGE);

    await expect(withResponseUrl((url) => entry({ ...event, ResponseURL: url }, lambdaContext(4000)), { refuse: true }))
      .rejects.toThrow(/^could not answer CloudFormation: the ResponseURL answered 503$/);

    expect(fake().callsTo('CreateStage')).toHaveLength(1);
    expect(fake().stages.size).toBe(0);
    expect(records()).toEqual([]);
  });
});

/** Writes a claim of `token` that ran out at `leaseUntil` (what a delivery stopped mid-create leaves). */
async function createRequestsDynamoDbClaim(token: string, leaseUntil: number): Promise<boolean> {
  const db = new DynamoDBClient({ endpoint: createRequestsDynamoDb().endpoint, region: 'us-east-1', maxAttempts: 1 });
  try {
    await db.send(new PutItemCommand({
      TableName: CREATE_REQUESTS_TABLE,
      Item: { token: { S: token }, leaseUntil: { N: String(leaseUntil) }, watchUntil: { N: String(leaseUntil) } },
    }));
    return true;
  } finally {
    db.destroy();
  }
}

/**
 * Runs `invoke` with a ResponseURL on a local HTTP server standing for CloudFormation's, and resolves with the answer PUT
 * there (every PUT refused with 503 when `refuse`).
 */
async function withResponseUrl(invoke: (url: string) => Promise<unknown>, options: { refuse?: boolean } = {}): Promise<any> {
  let answer: unknown;
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (options.refuse) {
        response.writeHead(503).end();
        return;
      }
      answer = JSON.parse(body);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await invoke(`http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=0`);
    return answer;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
