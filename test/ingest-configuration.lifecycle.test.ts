/**
 * The stream key's copy in Secrets Manager, through the lifecycle driver (CloudFormation's events, aws-cdk-lib's own
 * Provider framework, the handler bundle): after create, update in place, replacement, cleanup and rollback it holds the
 * keys of the ingest configuration the stack has, never those of a deleted one; and a slow or failing Secrets Manager
 * leaves no ingest configuration whose key the secret does not hold.
 */
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeSecretsManager } from '../testing/fake-secrets-manager';
import { LifecycleDriver, LifecycleResult } from '../testing/lifecycle-driver';
import { fireScheduledRule } from '../testing/scheduled-rule';
import { FAIL_AFTER_INGEST, StreamKeyStack, StreamKeyStackProps, streamKeySecret } from './support/stream-key-stack';

// the handler's 180 s timeout scaled to 1 s: it answers at 0.9 s, and gives the secret's write half the time it has left.
const SLOW_SCALE = 1 / 180;

describe('the stream key secret holds the keys of the ingest configuration the stack has', () => {
  let ivs: FakeIvsServer;
  let secrets: FakeSecretsManager;
  beforeAll(async () => {
    ivs = await FakeIvsServer.start();
    secrets = await FakeSecretsManager.start({ anySecret: true });
  });
  beforeEach(() => {
    ivs.reset();
    secrets.reset();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await ivs.stop();
    await secrets.stop();
  });

  const newDriver = (slow = false) => new LifecycleDriver({
    env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
    timeoutScale: slow ? SLOW_SCALE : 1,
  });

  /** Deploys `props`; then the secret must hold the keys of the ingest configuration the stack has. */
  async function deploy(driver: LifecycleDriver, props: StreamKeyStackProps): Promise<{ result: LifecycleResult; arn: string }> {
    const result = await driver.deploy(new StreamKeyStack(props));
    await settled();
    // after a rollback the driver has the old template back: its stack names the same secret and ingest configuration.
    const deployed = new StreamKeyStack();
    const { held, expected } = streamKeySecret(driver, deployed, ivs, secrets);
    expect(expected).toBeDefined();
    expect(held).toEqual(expected);
    return { result, arn: driver.physicalId(driver.logicalIdOf(deployed.ingest)) };
  }

  /** Waits for the answers a handler stopped waiting for: what they did counts too. */
  async function settled(): Promise<void> {
    for (let waited = 0; !secrets.settled || ivs.calls.some((call) => call.status === 0); waited += 20) {
      if (waited > 10_000) {
        throw new Error('the fakes still serve a request after 10 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function destroy(driver: LifecycleDriver): Promise<void> {
    expect((await driver.destroy()).reason).toBeUndefined();
    await settled();
    expect(ivs.resourceCount()).toBe(0);
  }

  test('through create, update in place, replacement with cleanup, and delete', async () => {
    const driver = newDriver();
    const created = await deploy(driver, {});
    expect(created.result.status).toBe('SUCCEEDED');
    expect(JSON.parse([...secrets.values.values()][0]!).ingestConfigurationArn).toBe(created.arn);

    const redundant = await deploy(driver, { redundantIngest: true });
    expect([redundant.result.status, redundant.arn]).toEqual(['SUCCEEDED', created.arn]);

    const replaced = await deploy(driver, { redundantIngest: true, userId: 'studio-2' });
    expect(replaced.result.status).toBe('SUCCEEDED');
    expect(replaced.arn).not.toBe(created.arn);
    // the cleanup deleted the old one, and left the secret with the new keys.
    expect(replaced.result.events.map((e) => [e.phase, e.requestType, e.physicalId])).toContainEqual(['cleanup', 'Delete', created.arn]);
    expect([...ivs.ingestConfigurations.keys()]).toEqual([replaced.arn]);

    await destroy(driver);
  });

  test('a replacement rolled back by a failure elsewhere in the update gives the secret back the old keys', async () => {
    const driver = newDriver();
    const created = await deploy(driver, { redundantIngest: true });
    ivs.injectFault({ operation: FAIL_AFTER_INGEST, errorType: 'ServiceQuotaExceededException' });

    const { result, arn } = await deploy(driver, { redundantIngest: true, userId: 'studio-2', dependent: true });

    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(/^After\w+: Create encoder configuration After\w+ failed: ServiceQuotaExceededException/);
    expect(arn).toBe(created.arn);
    // the replacement was created, then deleted by the rollback, which sends the old one no request.
    const rollback = result.events.filter((e) => e.phase === 'rollback' && e.logicalId.startsWith('StageEncoder'));
    expect(rollback.map((e) => [e.requestType, e.status])).toEqual([['Delete', 'SUCCESS']]);
    expect([...ivs.ingestConfigurations.keys()]).toEqual([created.arn]);

    // the stack goes on: a replacement that succeeds moves the secret on again.
    const replaced = await deploy(driver, { redundantIngest: true, userId: 'studio-3' });
    expect(replaced.result.status).toBe('SUCCEEDED');
    expect(replaced.arn).not.toBe(created.arn);
    await destroy(driver);
  });

  test('an update in place rolled back by a failure elsewhere gives the secret back the old keys', async () => {
    const driver = newDriver();
    const created = await deploy(driver, {});
    ivs.injectFault({ operation: FAIL_AFTER_INGEST, errorType: 'ServiceQuotaExceededException' });

    const { result, arn } = await deploy(driver, { redundantIngest: true, dependent: true });

    expect(result.status).toBe('ROLLED_BACK');
    expect(arn).toBe(created.arn);
    expect(ivs.ingestConfigurations.get(arn)!.redundantIngestCredentials).toBeUndefined();
    await destroy(driver);
  });

  describe('a slow or failing Secrets Manager', () => {
    test('create, answered within the time: the secret is written', async () => {
      const driver = newDriver(true);
      secrets.injectDelay({ operation: 'PutSecretValue', delayMs: 150 });

      expect((await deploy(driver, {})).result.status).toBe('SUCCEEDED');
      await destroy(driver);
    });

    test('create, answered too late: the new ingest configuration is deleted, and the create fails saying why', async () => {
      const driver = newDriver(true);
      secrets.injectDelay({ operation: 'PutSecretValue', delayMs: 1500 });

      const result = await driver.deploy(new StreamKeyStack());
      await settled();

      expect(result.status).toBe('ROLLED_BACK');
      expect(result.reason).toMatch(/^StageEncoder\w+: Create ingest configuration StageEncoder\w+ failed: could not store the stream key: /);
      expect(result.reason).toMatch(/: Secrets Manager did not answer within 0\.\d s/);
      expect(ivs.ingestConfigurations.size).toBe(0);
      expect(ivs.resourceCount()).toBe(0);
    });

    test('replacement, answered within the time: the secret holds the new keys', async () => {
      const driver = newDriver(true);
      const created = await deploy(driver, {});
      secrets.injectDelay({ operation: 'PutSecretValue', delayMs: 150 });

      const replaced = await deploy(driver, { userId: 'studio-2' });

      expect(replaced.result.status).toBe('SUCCEEDED');
      expect(replaced.arn).not.toBe(created.arn);
      await destroy(driver);
    });

    test('replacement, answered too late after the write took effect: the new one is deleted, the rollback restores the old keys', async () => {
      const driver = newDriver(true);
      const created = await deploy(driver, {});
      secrets.injectDelay({ operation: 'PutSecretValue', delayMs: 1500 });

      const { result, arn } = await deploy(driver, { userId: 'studio-2' });

      expect(result.status).toBe('ROLLED_BACK');
      expect(result.reason).toMatch(/could not store the stream key: Secrets Manager did not answer within 0\.\d s/);
      expect(arn).toBe(created.arn);
      expect([...ivs.ingestConfigurations.keys()]).toEqual([created.arn]);
      // the late write reached the secret, and the rollback's update wrote the old keys back.
      expect(secrets.calls.filter((call) => call.operation === 'PutSecretValue')).toHaveLength(3);
      await destroy(driver);
    });

    test('replacement whose write is refused: the new one is deleted, and the rollback, which only reads, succeeds', async () => {
      const driver = newDriver();
      const created = await deploy(driver, {});
      // every write from now on, the rollback's included, if it tried one.
      secrets.injectFault({ operation: 'PutSecretValue', errorType: 'AccessDeniedException', times: Infinity });

      const { result, arn } = await deploy(driver, { userId: 'studio-2' });

      expect(result.status).toBe('ROLLED_BACK');
      expect(result.reason).toMatch(/could not store the stream key: AccessDeniedException: /);
      expect(arn).toBe(created.arn);
      expect([...ivs.ingestConfigurations.keys()]).toEqual([created.arn]);
      secrets.clearFaults();
      await destroy(driver);
    });

    // issue 22: the rollback's rewrite failed while Secrets Manager stayed slow, and the stack ended UPDATE_ROLLBACK_FAILED.
    test('an update in place rolled back while Secrets Manager fails: the rollback completes, and the sweep corrects the secret', async () => {
      const driver = newDriver(true);
      await deploy(driver, { redundantIngest: true });
      // the update turns redundant ingest off, a resource after it fails, and the rollback turns it on again: new backup
      // credentials, which neither write can store.
      secrets.injectFault({ operation: 'PutSecretValue', errorType: 'InternalServiceError', times: Infinity });
      ivs.injectFault({ operation: FAIL_AFTER_INGEST, errorType: 'ServiceQuotaExceededException' });

      const result = await driver.deploy(new StreamKeyStack({ redundantIngest: false, dependent: true }));
      await settled();

      expect(result.status).toBe('ROLLED_BACK');
      const rollback = result.events.filter((e) => e.phase === 'rollback' && e.logicalId.startsWith('StageEncoder'));
      expect(rollback.map((e) => [e.requestType, e.status])).toEqual([['Update', 'SUCCESS']]);
      // the stack says how the secret gets corrected.
      expect(rollback[0].reason).toMatch(/could not be rewritten .*: the provider's sweep rewrites it with the keys IVS has, every 5 minutes/);
      const stale = streamKeySecret(driver, new StreamKeyStack(), ivs, secrets);
      expect(stale.held).not.toEqual(stale.expected);

      // the sweep's schedule was armed: it fires while Secrets Manager still fails, then once it has recovered.
      const env = { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint };
      const sweep = () => fireScheduledRule(driver, new StreamKeyStack(), { region: ivs.region, env });
      expect(await sweep()).toMatchObject({ ok: true, payload: { corrected: [], remaining: [expect.any(String)] } });
      secrets.clearFaults();
      expect(await sweep()).toMatchObject({ ok: true, payload: { corrected: [expect.any(String)], remaining: [] } });
      const corrected = streamKeySecret(driver, new StreamKeyStack(), ivs, secrets);
      expect(corrected.held).toEqual(corrected.expected);
      // nothing left to do: the schedule is disabled again.
      expect(await sweep()).toBeUndefined();
      await destroy(driver);
    });

    test('throttled beyond a few retries: the SDK retries, and the secret is written', async () => {
      const driver = newDriver();
      secrets.injectFault({ operation: 'PutSecretValue', errorType: 'ThrottlingException', times: 3 });

      expect((await deploy(driver, {})).result.status).toBe('SUCCEEDED');
      await destroy(driver);
    });
  });
});
