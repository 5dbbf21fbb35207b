/**
 * What CloudFormation shows when the handler fails, through aws-cdk-lib's real Provider framework: the handler's one
 * line, then the framework's pointer to the log group of the function it invoked, which must be where the handler logs.
 * (That no secret appears in a reason: test/reliability/secrets.test.ts.)
 */
import { App, Stack } from 'aws-cdk-lib';
import { Stage } from '../lib';
import { IvsRealTimeProvider } from '../lib/private/provider';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { functionLogGroup } from '../testing/lifecycle/lambda-runtime';
import { FakeResourceEvent, LifecycleDriver } from '../testing/lifecycle-driver';

describe('a failed request, as CloudFormation shows it', () => {
  let fake: FakeIvsServer;

  beforeAll(async () => {
    fake = await FakeIvsServer.start();
  });
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await fake.stop();
  });

  test("is one line saying what failed and why, then the framework's `Logs:` naming the log group the handler writes to, "
    + 'which the stack created: no stack trace', async () => {
    const created: FakeResourceEvent[] = [];
    const driver = new LifecycleDriver({
      env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint },
      onFakeResource: (event) => created.push(event),
    });
    const stack = new Stack(new App(), 'Reasons');
    const stage = new Stage(stack, 'Stage');
    const handlerId = driver.logicalIdOf(IvsRealTimeProvider.getOrCreate(stack).handler);
    fake.injectFault({ operation: 'CreateStage', errorType: 'ServiceQuotaExceededException', message: 'Service quota exceeded' });

    const result = await driver.deploy(stack);

    const handler = created.find((resource) => resource.logicalId === handlerId)!;
    const logGroup = functionLogGroup(handler.physicalId, handler.properties);
    const id = driver.logicalIdOf(stage);
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      reason: `${id}: Create stage ${id} failed: ServiceQuotaExceededException: Service quota exceeded\n\nLogs: ${logGroup}\n`,
    });
    // the stack's own log group, with its retention, not one Lambda would create on the first invoke (kept forever).
    expect(created).toContainEqual(expect.objectContaining({
      requestType: 'Create', type: 'AWS::Logs::LogGroup', physicalId: logGroup, properties: expect.objectContaining({ RetentionInDays: 30 }),
    }));
    await driver.close();
  });
});
