import { createRequire } from 'module';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ParticipantTokensStack, ParticipantTokensStackProps } from '../examples/participant-tokens';
import { HANDLER_BUNDLE_DIR } from '../lib/private/bundled-function';
import { TOKEN_ISSUER_CONFIG_ENV } from '../lib/private/participant-token-contract';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeKms } from '../testing/fake-kms';
import { LifecycleDriver } from '../testing/lifecycle-driver';
import { verifyParticipantToken } from './support/participant-token-verifier';

/**
 * The signing key and the issuer deployed, rotated, retired and deleted against the fakes: the fake KMS holds the keys
 * CloudFormation makes (the driver's onFakeResource hook), the fake IVS the public keys the provider imports, and every
 * token is checked as IVS checks it when a participant joins.
 */
describe('lifecycle of participant tokens signed with KMS', () => {
  let ivs: FakeIvsServer;
  let kms: FakeKms;
  let logs: string[];
  const saved = { ...process.env };
  // the shipped bundle, loaded once as one warm execution environment; its configuration is read on every invocation.
  const bundle = path.join(HANDLER_BUNDLE_DIR, 'participant-token-issuer', 'index.js');
  const issuerHandler: (event: unknown) => Promise<any> = createRequire(bundle)(bundle).handler;

  beforeAll(async () => {
    ivs = await FakeIvsServer.start();
    kms = await FakeKms.start();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
    });
  });
  beforeEach(() => {
    ivs.reset();
    kms.reset();
    logs = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      });
    }
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    process.env = saved;
    await ivs.stop();
    await kms.stop();
  });

  const example = (props: ParticipantTokensStackProps = {}) => new ParticipantTokensStack(new App(), 'Tokens', props);

  /** The deployed function as it is configured now: what an execution environment started now would run with. */
  function issuerAsDeployed(driver: LifecycleDriver, stack: ParticipantTokensStack): (request: object) => Promise<string> {
    const variables = (driver.resolvedProperties(driver.logicalIdOf(stack.issuer.handler)).Environment as any).Variables;
    return async (request) => {
      process.env[TOKEN_ISSUER_CONFIG_ENV] = variables[TOKEN_ISSUER_CONFIG_ENV];
      return (await issuerHandler(request)).participantToken.token;
    };
  }

  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

  test('create, rotate (old and new tokens accepted), retire the old key (its tokens refused), delete (nothing left)', async () => {
    const driver = new LifecycleDriver({
      env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_KMS: kms.endpoint },
      onFakeResource: (event) => kms.mirror(event),
    });
    const issued: string[] = [];

    // create: a KMS key, its public half in IVS; the issuer's tokens are accepted
    const created = example();
    expect((await driver.deploy(created)).reason).toBeUndefined();
    const stageArn = driver.physicalId(driver.logicalIdOf(created.stage));
    const firstPublicKey = driver.physicalId(driver.logicalIdOf(created.signingKey.node.findChild('Generation1')));
    expect([...ivs.publicKeys.keys()]).toEqual([firstPublicKey]);
    expect([...kms.keys.values()].map((key) => [key.keySpec, key.keyUsage, key.state])).toEqual([['ECC_NIST_P384', 'SIGN_VERIFY', 'Enabled']]);
    expect(driver.attributes(driver.logicalIdOf(created.signingKey.node.findChild('Generation1'))).Fingerprint)
      .toBe(ivs.publicKeys.get(firstPublicKey)!.fingerprint);
    const firstIssuer = issuerAsDeployed(driver, created);
    const beforeRotation = await firstIssuer({ stageArn, userId: 'alice' });
    issued.push(beforeRotation);
    expect(kidOf(beforeRotation)).toBe(firstPublicKey);
    expect(verifyParticipantToken(beforeRotation, ivs, { stageArn }).user_id).toBe('alice');
    await expect(firstIssuer({ stageArn, duration: 121 })).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // rotate: a second key pair, the first kept; new tokens name the new key, and every token so far is accepted
    const rotated = example({ generation: 2 });
    const rotation = await driver.deploy(rotated);
    expect(rotation.reason).toBeUndefined();
    expect(rotation.events.filter((e) => e.requestType !== 'Update').map((e) => [e.logicalId, e.requestType]))
      .toEqual([[driver.logicalIdOf(rotated.signingKey.node.findChild('Generation2')), 'Create']]);
    const secondPublicKey = driver.physicalId(driver.logicalIdOf(rotated.signingKey.node.findChild('Generation2')));
    expect([...ivs.publicKeys.keys()].sort()).toEqual([firstPublicKey, secondPublicKey].sort());
    expect(kms.signingKeyCount()).toBe(2);
    const afterRotation = await issuerAsDeployed(driver, rotated)({ stageArn });
    // an execution environment still configured as before the update (it finishes its invocations meanwhile)
    const duringRotation = await firstIssuer({ stageArn });
    issued.push(afterRotation, duringRotation);
    expect(kidOf(afterRotation)).toBe(secondPublicKey);
    expect(kidOf(duringRotation)).toBe(firstPublicKey);
    for (const token of [beforeRotation, duringRotation, afterRotation]) {
      expect(() => verifyParticipantToken(token, ivs, { stageArn })).not.toThrow();
    }

    // retire the first generation: its public key is deleted and its KMS key scheduled for deletion; its tokens are refused.
    // It was current until the last deployment, so this needs the opt-in (or a rotation to 3 keeping 2).
    const retired = example({ generation: 2, oldestGeneration: 2, allowCuttingOffTokens: true });
    const retirement = await driver.deploy(retired);
    expect(retirement.reason).toBeUndefined();
    expect(retirement.events.filter((e) => e.phase === 'cleanup').map((e) => [e.requestType, e.physicalId]))
      .toEqual([['Delete', firstPublicKey]]);
    expect([...ivs.publicKeys.keys()]).toEqual([secondPublicKey]);
    expect([...kms.keys.values()].map((key) => [key.state, key.pendingWindowInDays])).toEqual([['PendingDeletion', 30], ['Enabled', undefined]]);
    for (const token of [beforeRotation, duringRotation]) {
      expect(() => verifyParticipantToken(token, ivs, { stageArn })).toThrow(/a public key IVS does not hold/);
    }
    expect(() => verifyParticipantToken(afterRotation, ivs, { stageArn })).not.toThrow();
    // the retired KMS key is pending deletion: the caller gets the generic error, the log KMS's own.
    await expect(firstIssuer({ stageArn })).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(logs.join('\n')).toMatch(/"message":"failed".*KMSInvalidStateException/);
    issued.push(await issuerAsDeployed(driver, retired)({ stageArn }));

    // nothing secret anywhere CloudFormation or the logs show: no token, no key material
    const exposed = JSON.stringify({
      template: driver.template,
      responses: Object.keys(driver.template!.Resources ?? {}).filter((id) => driver.template!.Resources![id].Type.startsWith('Custom::'))
        .map((id) => driver.attributes(id)),
      outputs: driver.outputs,
      requests: driver.sentEvents,
      logs,
    });
    expect(logs.some((line) => line.includes('"issued"'))).toBe(true);
    for (const token of issued) {
      expect(exposed).not.toContain(token.split('.')[2]);
      expect(exposed).not.toContain(token.split('.')[1]);
    }
    expect(exposed).not.toContain(ivs.publicKeys.get(secondPublicKey)!.publicKeyMaterial.split('\n')[1]);
    expect(exposed).not.toMatch(/BEGIN (PUBLIC|PRIVATE) KEY/);

    // delete: no public key left in IVS, no KMS key that can still sign
    expect((await driver.destroy()).reason).toBeUndefined();
    expect(ivs.resourceCount()).toBe(0);
    expect(kms.signingKeyCount()).toBe(0);
  });

  test('a rotation IVS refuses rolls back: the new KMS key is scheduled for deletion, the issuer keeps signing with the old one', async () => {
    const driver = new LifecycleDriver({
      env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_KMS: kms.endpoint },
      onFakeResource: (event) => kms.mirror(event),
    });
    const created = example();
    expect((await driver.deploy(created)).reason).toBeUndefined();
    const stageArn = driver.physicalId(driver.logicalIdOf(created.stage));
    const [firstPublicKey] = [...ivs.publicKeys.keys()];
    ivs.injectFault({ operation: 'ImportPublicKey', errorType: 'ServiceQuotaExceededException' });

    const rotation = await driver.deploy(example({ generation: 2 }));

    expect(rotation.status).toBe('ROLLED_BACK');
    expect(rotation.reason).toMatch(/ServiceQuotaExceededException/);
    expect([...ivs.publicKeys.keys()]).toEqual([firstPublicKey]);
    expect([...kms.keys.values()].map((key) => key.state)).toEqual(['Enabled', 'PendingDeletion']);
    const token = await issuerAsDeployed(driver, created)({ stageArn });
    expect(kidOf(token)).toBe(firstPublicKey);
    expect(() => verifyParticipantToken(token, ivs, { stageArn })).not.toThrow();

    expect((await driver.destroy()).reason).toBeUndefined();
    expect(ivs.resourceCount() + kms.signingKeyCount()).toBe(0);
  });
});
