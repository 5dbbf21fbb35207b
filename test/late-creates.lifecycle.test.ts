/**
 * A create the handler gave up on, in a new stack's first deployment: its rollback deletes the handler's role once the
 * drain of deferred deletes is deleted, and from then on the background look for what IVS still creates would be
 * refused. The drain waits for the look.
 */
import { App, Stack } from 'aws-cdk-lib';
import { EncoderConfiguration, EncoderVideo, Stage } from '../lib';
import { IvsRealTimeProvider } from '../lib/private/provider';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { LifecycleDriver } from '../testing/lifecycle-driver';

// the handler's 180 s become 1 s: it gives up on the create at about 0.75 s, and its background look lasts about 1 s.
const SLOW_SCALE = 1 / 180;

let fake: FakeIvsServer;
beforeAll(async () => {
  fake = await FakeIvsServer.start({ rateLimits: 'none' });
});
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());
afterAll(() => fake.stop());

test("a new stack's rollback deletes the handler's role only once the look for a late create has ended, and that look "
  + 'deleted what IVS created late', async () => {
  const stack = new Stack(new App(), 'LateCreate');
  const encoder = new EncoderConfiguration(stack, 'Encoder', { video: EncoderVideo.landscape720p() });
  const stage = new Stage(stack, 'Stage');
  // created after the encoder configuration, so the rollback deletes that before the drain: it takes a while, as in AWS.
  stage.node.addDependency(encoder);
  const handlerRoleId = new LifecycleDriver().logicalIdOf(IvsRealTimeProvider.getOrCreate(stack).onEventHandler.role!);
  // IVS creates the stage 1.5 s after it is asked: after the handler gave up, before the look's last List.
  fake.injectDelay({ operation: 'CreateStage', delayMs: 1500 });
  fake.injectDelay({ operation: 'DeleteEncoderConfiguration', delayMs: 400 });
  const atRoleDelete: { stages: number; lookListsDone: number }[] = [];
  const driver = new LifecycleDriver({
    env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint },
    timeoutScale: SLOW_SCALE,
    onFakeResource: (event) => {
      if (event.requestType === 'Delete' && event.logicalId === handlerRoleId) {
        // one List before the create, then the look's three.
        atRoleDelete.push({ stages: fake.stages.size, lookListsDone: fake.calls.filter((call) => call.operation === 'ListStages').length - 1 });
      }
    },
  });

  const result = await driver.deploy(stack);

  expect(result.status).toBe('ROLLED_BACK');
  expect(result.reason).toMatch(/the stage may still be created: if IVS creates it within 1 minute/);
  expect(atRoleDelete).toEqual([{ stages: 0, lookListsDone: 3 }]);
  expect(fake.resourceCount()).toBe(0);
  await driver.close();
});
