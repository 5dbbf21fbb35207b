/**
 * Load with faults: 40 stages, each recording through its own storage configuration, deployed and deleted through the
 * lifecycle driver (20 resource operations at once, as CloudFormation runs them) against a fake IVS that allows
 * 5 requests per second per operation and replaces 20% of its successful answers with a 500, after the request took
 * effect. Every request is retried by the SDK; the stack must deploy and delete, with exactly one IVS resource per
 * custom resource while deployed, and nothing left after.
 *
 * Slow (about a minute), so not part of `npm test`: `npm run test:scale` runs it, and CI (`.ci/run`) runs that after
 * `npm test`.
 */
import { recordingStagesStack } from '../../bench/apps';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

const STAGES = 40;
const CONCURRENCY = 20;
const REQUESTS_PER_SECOND = 5;
const LOST_ANSWERS = 0.2;
// the same draws on every run (which call gets which depends on the order requests arrive in).
const SEED = 11;

describe(`a stack of ${STAGES} recording stages, under load and with lost answers`, () => {
  let fake: FakeIvsServer;
  beforeAll(async () => {
    fake = await FakeIvsServer.start({ rateLimitPerSecond: REQUESTS_PER_SECOND, seed: SEED });
    // 160 one-line handler logs say nothing the figures below do not.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await fake.stop();
  });

  test(`deploys and deletes at ${REQUESTS_PER_SECOND} requests per second with ${LOST_ANSWERS * 100}% of successful answers a 500, `
    + 'leaving nothing', async () => {
    const stack = recordingStagesStack(STAGES);
    const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint }, concurrency: CONCURRENCY });
    fake.injectLostAnswer({ answer: 'error', fraction: LOST_ANSWERS });

    let started = Date.now();
    const deployed = await driver.deploy(stack);
    const deploySeconds = (Date.now() - started) / 1000;
    const afterDeploy = { stages: fake.stages.size, storageConfigurations: fake.storageConfigurations.size };
    const lostOnDeploy = fake.calls.filter((call) => call.lostAnswer).length;

    started = Date.now();
    const destroyed = await driver.destroy();
    const destroySeconds = (Date.now() - started) / 1000;

    const lost = fake.calls.filter((call) => call.lostAnswer);
    process.stdout.write([
      `${STAGES} recording stages (${STAGES * 2} custom resources), ${CONCURRENCY} operations at once, `
        + `${REQUESTS_PER_SECOND} requests/s per operation, ${LOST_ANSWERS * 100}% of successful answers lost (a 500):`,
      `  deploy ${deployed.status} in ${deploySeconds.toFixed(0)} s (${afterDeploy.stages} stages, `
        + `${afterDeploy.storageConfigurations} storage configurations in the fake), delete ${destroyed.status} in ${destroySeconds.toFixed(0)} s`,
      `  ${fake.calls.length} requests to IVS, ${fake.throttledCount} throttled, ${lost.length} answers lost after the effect `
        + `(${lostOnDeploy} during the deploy: ${lost.filter((call) => call.operation.startsWith('Create')).length} of creates in all)`,
      `  left in the fake after the delete: ${fake.resourceCount()}`,
      ...[deployed.reason, destroyed.reason].filter((reason) => reason !== undefined).map((reason) => `  ${reason.split('\n')[0]}`),
      '',
    ].join('\n'));

    // the faults really happened, to creates too: otherwise this proves nothing about them.
    expect(lost.filter((call) => call.operation.startsWith('Create')).length).toBeGreaterThan(0);
    expect([deployed.status, deployed.reason]).toEqual(['SUCCEEDED', undefined]);
    expect(afterDeploy).toEqual({ stages: STAGES, storageConfigurations: STAGES });
    expect([destroyed.status, destroyed.reason]).toEqual(['SUCCEEDED', undefined]);
    expect(fake.resourceCount()).toBe(0);
  }, 10 * 60 * 1000);
});
