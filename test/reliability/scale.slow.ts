/**
 * Scale: 200 stages, each recording through its own storage configuration to one shared bucket, deployed and deleted
 * through the lifecycle driver as CloudFormation would (20 resource operations at once) against a fake IVS that
 * allows 5 requests per second per operation, as the real service's default quotas do. Every request must get
 * through on the SDK's retries, with no failure and nothing left behind.
 *
 * Slow (minutes: 400 creates and 400 deletes at 5 per second per operation), so not part of `npm test`:
 * `npm run test:scale` runs it, and CI (`.ci/run`) runs that after `npm test`.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { recordingStagesStack } from '../../bench/apps';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

const STAGES = 200;
const CONCURRENCY = 20;
const REQUESTS_PER_SECOND = 5;
// IAM's limit on the inline policies of one role, counted without whitespace.
const ROLE_INLINE_POLICIES_MAX_CHARACTERS = 10_240;

describe(`a stack of ${STAGES} recording stages`, () => {
  let fake: FakeIvsServer;
  beforeAll(async () => {
    fake = await FakeIvsServer.start({ rateLimitPerSecond: REQUESTS_PER_SECOND });
    // 800 one-line handler logs say nothing the figures below do not.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await fake.stop();
  });

  test(`deploys and deletes against ${REQUESTS_PER_SECOND} requests per second per operation, on the SDK's retries alone`, async () => {
    const stack = recordingStagesStack(STAGES);
    const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_IVS_REALTIME: fake.endpoint }, concurrency: CONCURRENCY });

    let started = Date.now();
    const deployed = await driver.deploy(stack);
    const deploySeconds = (Date.now() - started) / 1000;
    expect(deployed.reason).toBeUndefined();
    expect(deployed.status).toBe('SUCCEEDED');
    expect(fake.stages.size).toBe(STAGES);
    expect(fake.storageConfigurations.size).toBe(STAGES);
    const recordedTo = new Set([...fake.stages.values()].map((stage) => stage.autoParticipantRecordingConfiguration?.storageConfigurationArn));
    expect(recordedTo).toEqual(new Set(fake.storageConfigurations.keys()));
    const throttledOnDeploy = fake.throttledCount;
    // the limit was really hit: otherwise this proves nothing about retries.
    expect(throttledOnDeploy).toBeGreaterThan(0);

    // what CloudFormation would refuse at deploy time, which the driver does not model: the role's inline policies.
    const template = Template.fromStack(stack);
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^cdk-ivs-realtime:') },
    }));
    const roleId = handler.Properties.Role['Fn::GetAtt'][0];
    const policyIds = Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    const policyCharacters = policyIds
      .map((id) => JSON.stringify(driver.resolvedProperties(id).PolicyDocument).replace(/\s/g, '').length)
      .reduce((total, length) => total + length, 0);
    expect(policyCharacters).toBeLessThan(ROLE_INLINE_POLICIES_MAX_CHARACTERS);

    started = Date.now();
    const destroyed = await driver.destroy();
    const destroySeconds = (Date.now() - started) / 1000;
    expect(destroyed.reason).toBeUndefined();
    expect(destroyed.status).toBe('SUCCEEDED');
    expect(fake.resourceCount()).toBe(0);

    const requests = fake.calls.length;
    const failed = fake.calls.filter((call) => call.status >= 400 && call.status !== 429);
    expect(failed).toEqual([]);
    process.stdout.write([
      `${STAGES} recording stages (${STAGES * 2} custom resources), ${CONCURRENCY} operations at once, `
        + `${REQUESTS_PER_SECOND} requests/s per operation:`,
      `  deploy ${deploySeconds.toFixed(0)} s, delete ${destroySeconds.toFixed(0)} s`,
      `  ${requests} requests to IVS, ${fake.throttledCount} throttled (${throttledOnDeploy} during the deploy) and retried, none failed`,
      `  the handler role's inline policies: ${policyCharacters} of IAM's ${ROLE_INLINE_POLICIES_MAX_CHARACTERS} characters`,
      '',
    ].join('\n'));
  }, 30 * 60 * 1000);
});
