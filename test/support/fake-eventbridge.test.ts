import {
  DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient, ListRulesCommand, PutEventsCommand, ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { FakeEventBridge } from '../../testing/fake-eventbridge';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

let fake: FakeEventBridge;
let client: EventBridgeClient;

const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
  maxAttempts: 1,
};

beforeAll(async () => {
  fake = await FakeEventBridge.start();
  client = new EventBridgeClient({ ...clientConfig, endpoint: fake.endpoint });
});
afterEach(() => fake.reset());
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

describe('the real EventBridge client against the fake', () => {
  test('DescribeRule answers the rule\'s name, ARN, state and schedule', async () => {
    fake.putRule('sweep', { scheduleExpression: 'rate(5 minutes)' });

    const answer = await client.send(new DescribeRuleCommand({ Name: 'sweep' }));

    expect(answer).toMatchObject({
      Name: 'sweep',
      Arn: 'arn:aws:events:us-east-1:123456789012:rule/sweep',
      State: 'ENABLED',
      ScheduleExpression: 'rate(5 minutes)',
      EventBusName: 'default',
    });
  });

  test('DisableRule and EnableRule set the rule\'s state', async () => {
    fake.putRule('sweep', { scheduleExpression: 'rate(5 minutes)' });

    await client.send(new DisableRuleCommand({ Name: 'sweep' }));
    expect(fake.rule('sweep')).toEqual({ state: 'DISABLED', scheduleExpression: 'rate(5 minutes)' });
    expect((await client.send(new DescribeRuleCommand({ Name: 'sweep' }))).State).toBe('DISABLED');

    await client.send(new EnableRuleCommand({ Name: 'sweep', EventBusName: 'default' }));
    expect(fake.rule('sweep')?.state).toBe('ENABLED');
    expect(fake.calls.map(({ operation, ruleName, status }) => ({ operation, ruleName, status }))).toEqual([
      { operation: 'DisableRule', ruleName: 'sweep', status: 200 },
      { operation: 'DescribeRule', ruleName: 'sweep', status: 200 },
      { operation: 'EnableRule', ruleName: 'sweep', status: 200 },
    ]);
  });

  test.each([
    ['EnableRule', () => new EnableRuleCommand({ Name: 'missing' })],
    ['DisableRule', () => new DisableRuleCommand({ Name: 'missing' })],
    ['DescribeRule', () => new DescribeRuleCommand({ Name: 'missing' })],
  ] as const)('%s of a rule that does not exist is ResourceNotFoundException', async (_operation, command) => {
    await expect(client.send(command())).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(fake.calls[0]).toMatchObject({ status: 400, errorType: 'ResourceNotFoundException' });
  });

  test('another event bus, or another operation, is ValidationException', async () => {
    fake.putRule('sweep');

    await expect(client.send(new DisableRuleCommand({ Name: 'sweep', EventBusName: 'custom' })))
      .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('default event bus only') });
    await expect(client.send(new ListRulesCommand({})))
      .rejects.toMatchObject({ name: 'ValidationException', message: 'the fake EventBridge does not implement ListRules' });
    expect(fake.rule('sweep')?.state).toBe('ENABLED');
  });

  test('PutEvents keeps each well-formed entry as the event EventBridge delivers, and answers a malformed one as failed', async () => {
    const answer = await client.send(new PutEventsCommand({
      Entries: [
        { Source: 'cdk-ivs-realtime', DetailType: 'IVS Recording Ready', Detail: '{"bucketName":"b"}', Resources: ['arn:aws:ivs:us-east-1:123456789012:stage/a'] },
        { Source: 'cdk-ivs-realtime', DetailType: 'IVS Recording Ready', Detail: 'not json' },
      ],
    }));

    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries).toEqual([{ EventId: fake.putEvents[0].id }, { ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) }]);
    expect(fake.putEvents).toEqual([{
      'version': '0',
      'id': expect.any(String),
      'detail-type': 'IVS Recording Ready',
      'source': 'cdk-ivs-realtime',
      'account': '123456789012',
      'time': expect.stringMatching(/Z$/),
      'region': 'us-east-1',
      'resources': ['arn:aws:ivs:us-east-1:123456789012:stage/a'],
      'detail': { bucketName: 'b' },
    }]);
  });

  test('an injected fault answers in place of the operation it names, as many times as asked', async () => {
    fake.putRule('sweep');
    fake.injectFault({ operation: 'DisableRule', errorType: 'InternalException', times: 2 });

    await expect(client.send(new DescribeRuleCommand({ Name: 'sweep' }))).resolves.toBeDefined();
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(client.send(new DisableRuleCommand({ Name: 'sweep' })))
        .rejects.toMatchObject({ name: 'InternalException', $metadata: { httpStatusCode: 500 } });
    }
    await client.send(new DisableRuleCommand({ Name: 'sweep' }));

    expect(fake.rule('sweep')?.state).toBe('DISABLED');
  });

  test('AWS_ENDPOINT_URL_EVENTBRIDGE points a client without an endpoint at the fake', async () => {
    fake.putRule('sweep');
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = fake.endpoint;
    const fromEnvironment = new EventBridgeClient(clientConfig);
    try {
      await fromEnvironment.send(new DisableRuleCommand({ Name: 'sweep' }));
    } finally {
      fromEnvironment.destroy();
      delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    }

    expect(fake.rule('sweep')?.state).toBe('DISABLED');
  });
});

test('an AWS::Events::Rule the lifecycle driver creates is a rule of the template\'s state and schedule, deleted with the stack', async () => {
  const stack = new Stack(new App(), 'Rules');
  new events.Rule(stack, 'Sweep', { schedule: events.Schedule.rate(Duration.minutes(5)), enabled: false });
  new events.Rule(stack, 'Named', { ruleName: 'named-rule', eventPattern: { source: ['aws.ivs'] } });
  const driver = new LifecycleDriver({ onFakeResource: (event) => fake.mirror(event) });
  expect((await driver.deploy(stack)).status).toBe('SUCCEEDED');
  const sweepName = driver.physicalId(driver.logicalIdOf(stack.node.findChild('Sweep')));

  expect(fake.rule(sweepName)).toEqual({ state: 'DISABLED', scheduleExpression: 'rate(5 minutes)' });
  expect(fake.rule('named-rule')).toEqual({ state: 'ENABLED', scheduleExpression: undefined });
  await client.send(new EnableRuleCommand({ Name: sweepName }));
  expect(fake.rule(sweepName)?.state).toBe('ENABLED');

  expect((await driver.destroy()).status).toBe('SUCCEEDED');
  expect(fake.rule(sweepName)).toBeUndefined();
  expect(fake.rule('named-rule')).toBeUndefined();
});
