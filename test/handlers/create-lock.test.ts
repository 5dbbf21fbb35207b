import { handler } from '../../handlers/provider/index';
import { DEFERRED_DELETES_RESOURCE_TYPE } from '../../lib/private/deferred-deletes-contract';
import { FakeCloudWatchLogs } from '../../testing/fake-cloudwatch-logs';
import { CustomResourceEvents, useFakeIvs } from '../support/handler-harness';

const fake = useFakeIvs();
let logs: FakeCloudWatchLogs;
const LOG_GROUP = '/aws/lambda/OnEventHandler';

beforeAll(async () => {
  logs = await FakeCloudWatchLogs.start();
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = logs.endpoint;
});
// Lambda's name for the function's log group, where the handler keeps its locks (the test's last case runs without it).
beforeEach(() => {
  process.env.AWS_LAMBDA_LOG_GROUP_NAME = LOG_GROUP;
});
beforeEach(() => logs.createLogGroup(LOG_GROUP));
afterEach(() => logs.reset());
afterAll(() => logs.stop());

/** Lambda's context with a fixed time left. */
const lambdaContext = (ms = 60_000) => {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
};

const locks = () => logs.streams(LOG_GROUP).filter((name) => name.startsWith('cdk-ivs-realtime/create-request/'));

async function failureOf(call: Promise<unknown>): Promise<string> {
  return call.then(() => { throw new Error('expected the call to fail'); }, (error: Error) => error.message);
}

describe('deliveries of the same create request take turns', () => {
  const stages = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');

  test('two deliveries at once make one stage, and both answer with it', async () => {
    // IVS takes a moment to create: without the lock both deliveries would look, find nothing, and create.
    fake().injectDelay({ operation: 'CreateStage', delayMs: 300, times: 2 });
    const event = stages.create({ Request: { name: 'twice' } });

    const answers = await Promise.all([handler(event, lambdaContext()), handler(event, lambdaContext())]);

    expect(fake().stages.size).toBe(1);
    expect(answers[1].PhysicalResourceId).toBe(answers[0].PhysicalResourceId);
    expect(fake().calls.filter((call) => call.operation === 'CreateStage')).toHaveLength(1);
    expect(locks()).toHaveLength(1);
  });

  test('a request that failed with nothing made lets its next delivery create', async () => {
    fake().injectFault({ operation: 'CreateStage', errorType: 'ServiceQuotaExceededException', message: 'Service quota exceeded' });
    const event = stages.create({ Request: { name: 'again' } });

    expect(await failureOf(handler(event, lambdaContext()))).toMatch(/^Create stage Stage failed: .*quota/i);
    expect(locks()).toEqual([]);

    await handler(event, lambdaContext());
    expect(fake().stages.size).toBe(1);
  });

  test('a delivery waiting for one that has not created by its time limit gives up, creating nothing and leaving the lock '
    + 'to the other', async () => {
    const event = stages.create({ Request: { name: 'held' } });
    fake().injectDelay({ operation: 'CreateStage', delayMs: 2500 });
    // the first delivery takes the lock and is still waiting for IVS when the second arrives with 3 s left.
    const first = failureOf(handler(event, lambdaContext(2000)));
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(await failureOf(handler(event, lambdaContext(3000))))
      .toBe('Create stage Stage failed: another delivery of this request is creating the stage, and none appeared before the handler\'s time limit');
    expect(locks()).toHaveLength(1);
    await first;
    // the first one's create, which IVS completes after it gave up (here nothing looks for it: no function to invoke).
    for (let waited = 0; fake().stages.size === 0 && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(fake().calls.filter((call) => call.operation === 'CreateStage')).toHaveLength(1);
    expect(locks()).toHaveLength(1);
  });

  test('when CloudWatch Logs cannot take the lock, the create goes ahead without it', async () => {
    logs.injectFault({ operation: 'CreateLogStream', errorType: 'ServiceUnavailableException', times: Infinity });

    await handler(stages.create({ Request: { name: 'unlocked' } }), lambdaContext());

    expect(fake().stages.size).toBe(1);
    expect(console.log).toHaveBeenCalledWith(expect.stringContaining('could not take the create-request lock: creating without it'));
  });

  test('a type with nothing in IVS (the drain of deferred deletes) needs no lock: two deliveries at once both answer, neither waits', async () => {
    const event = new CustomResourceEvents(DEFERRED_DELETES_RESOURCE_TYPE, 'Drain').create({});

    const answers = await Promise.all([handler(event, lambdaContext()), handler(event, lambdaContext())]);

    expect(answers[1].PhysicalResourceId).toBe(answers[0].PhysicalResourceId);
    expect(logs.calls).toEqual([]);
  });

  test('outside Lambda (no log group) there is no lock', async () => {
    delete process.env.AWS_LAMBDA_LOG_GROUP_NAME;

    await handler(stages.create({ Request: { name: 'direct' } }), lambdaContext());

    expect(fake().stages.size).toBe(1);
    expect(logs.calls).toEqual([]);
  });
});
