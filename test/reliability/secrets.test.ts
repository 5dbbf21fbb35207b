/**
 * Secrets: an ingest configuration's stream keys stay in IVS, and in its Secrets Manager secret when it keeps a copy
 * there, and nowhere else CloudFormation or its users can read: not the synthesized template, not any custom resource
 * response's data (which CloudFormation shows to anyone who may describe the stack), not the outputs, not the handler's
 * logs. Participant tokens are never requested at all.
 *
 * Every check has its positive control: the key is read from the fake IVS (and found in the secret copy), so a search
 * that finds nothing elsewhere is searching for the right text.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IngestConfiguration, Stage, StreamKeyStorage } from '../../lib';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { FakeSecretsManager } from '../../testing/fake-secrets-manager';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

interface StreamingProps {
  readonly userId: string;
  readonly redundantIngest: boolean;
  /** Whether the ingest configuration keeps a copy of its keys in Secrets Manager. */
  readonly secretCopy: boolean;
}

class StreamingStack extends Stack {
  public readonly stage: Stage;
  public readonly ingest: IngestConfiguration;

  constructor(scope: Construct, { secretCopy, ...props }: StreamingProps) {
    super(scope, 'Streaming');
    this.stage = new Stage(this, 'Stage', { stageName: 'live' });
    this.ingest = this.stage.addIngestConfiguration('Encoder', {
      ...props,
      streamKeyStorage: secretCopy ? StreamKeyStorage.secretsManager() : StreamKeyStorage.ivsOnly(),
    });
    // every attribute a user could export, to show that none of them is a key.
    new CfnOutput(this, 'Whip', { value: this.stage.stageWhipEndpoint });
    new CfnOutput(this, 'Rtmps', { value: this.stage.stageRtmpsEndpoint });
    new CfnOutput(this, 'ParticipantId', { value: this.ingest.ingestConfigurationParticipantId });
    if (this.ingest.hasStreamKeySecret) {
      new CfnOutput(this, 'SecretArn', { value: this.ingest.streamKeySecret.secretArn });
    }
  }
}

describe('stream keys and participant tokens', () => {
  let ivs: FakeIvsServer;
  let secrets: FakeSecretsManager;
  let logs: string[];

  beforeAll(async () => {
    ivs = await FakeIvsServer.start();
    secrets = await FakeSecretsManager.start({ anySecret: true });
  });
  beforeEach(() => {
    ivs.reset();
    secrets.reset();
    logs = [];
    // everything the handler writes is what Lambda would send to CloudWatch Logs.
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logs.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      });
    }
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await ivs.stop();
    await secrets.stop();
  });

  const newDriver = () => new LifecycleDriver({
    env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
  });

  /** Every stream key IVS has handed out for the ingest configurations that exist now. */
  function streamKeys(): string[] {
    return [...ivs.ingestConfigurations.values()].flatMap((ingest) =>
      [ingest.streamKey, ...(ingest.redundantIngestCredentials ?? []).map((credentials) => credentials.streamKey)]);
  }

  /** Everything CloudFormation, its API and the handler's logs expose about the deployed stack, as one text. */
  function exposed(driver: LifecycleDriver, stack: StreamingStack): string {
    const customResources = Object.entries(driver.template!.Resources ?? {})
      .filter(([, resource]) => resource.Type.startsWith('Custom::'))
      .map(([logicalId]) => logicalId);
    return JSON.stringify({
      template: driver.template,
      responseData: customResources.map((logicalId) => driver.attributes(logicalId)),
      physicalIds: customResources.map((logicalId) => driver.physicalId(logicalId)),
      outputs: driver.outputs,
      // what CloudFormation sent the handler: the resolved properties of every custom resource, as CloudFormation stores them.
      requests: driver.sentEvents,
      logs,
      stack: stack.node.id,
    });
  }

  /** The keys are in IVS, in the secret copy if the stack has one (and then in no other secret), and exposed nowhere. */
  function expectKeptSecret(driver: LifecycleDriver, stack: StreamingStack, expectedKeys: number): void {
    const keys = streamKeys();
    expect(keys).toHaveLength(expectedKeys);
    const secretArn = stack.ingest.hasStreamKeySecret && driver.resolvedProperties(driver.logicalIdOf(stack.ingest)).StreamKeySecretArn;
    expect([...secrets.values.keys()]).toEqual(secretArn ? [secretArn] : []);
    const stored = secretArn ? JSON.parse(secrets.values.get(secretArn as string)!) : undefined;
    const text = exposed(driver, stack);
    for (const key of keys) {
      expect(key).toMatch(/^rt_/);
      if (stored) {
        expect(JSON.stringify(stored)).toContain(key);
      }
      expect(text).not.toContain(key);
      // nor the part after the predictable prefix (account, region and resource ID)
      expect(text).not.toContain(key.slice(-32));
    }
    expect(logs.length).toBeGreaterThan(0);
  }

  test.each([
    ['in IVS only', false],
    ['with a copy in Secrets Manager', true],
  ])('%s: stay out of the template, responses, outputs and logs through create, update, replacement and delete', async (_, secretCopy) => {
    const driver = newDriver();

    const created = new StreamingStack(new App(), { userId: 'studio', redundantIngest: false, secretCopy });
    expect((await driver.deploy(created)).reason).toBeUndefined();
    expectKeptSecret(driver, created, 1);

    // redundant ingest on: a backup key (written to the secret copy in place)
    const redundant = new StreamingStack(new App(), { userId: 'studio', redundantIngest: true, secretCopy });
    expect((await driver.deploy(redundant)).reason).toBeUndefined();
    expectKeptSecret(driver, redundant, 2);

    // a new user ID replaces the ingest configuration: new keys, the old configuration deleted in cleanup
    const replaced = new StreamingStack(new App(), { userId: 'studio-2', redundantIngest: true, secretCopy });
    expect((await driver.deploy(replaced)).reason).toBeUndefined();
    expectKeptSecret(driver, replaced, 2);

    const keysBeforeDelete = streamKeys();
    expect((await driver.destroy()).reason).toBeUndefined();
    expect(ivs.resourceCount()).toBe(0);
    expect(logs.join('\n')).not.toMatch(new RegExp(keysBeforeDelete.map((key) => key.slice(-32)).join('|')));
  });

  test('a copy turned on in an existing stack gets the keys the ingest configuration has; turned off, it is deleted', async () => {
    const driver = newDriver();
    const props = { userId: 'studio', redundantIngest: true };
    const created = new StreamingStack(new App(), { ...props, secretCopy: false });
    expect((await driver.deploy(created)).reason).toBeUndefined();
    const ingestArn = driver.physicalId(driver.logicalIdOf(created.ingest));
    const keys = streamKeys();

    const withCopy = new StreamingStack(new App(), { ...props, secretCopy: true });
    expect((await driver.deploy(withCopy)).reason).toBeUndefined();
    expectKeptSecret(driver, withCopy, 2);
    expect([driver.physicalId(driver.logicalIdOf(withCopy.ingest)), streamKeys()]).toEqual([ingestArn, keys]);

    const withoutCopy = new StreamingStack(new App(), { ...props, secretCopy: false });
    const result = await driver.deploy(withoutCopy);
    expect(result.reason).toBeUndefined();
    expect(Object.values(driver.template!.Resources ?? {}).map((resource) => resource.Type)).not.toContain('AWS::SecretsManager::Secret');
    expect([...secrets.versionCounts.values()]).toEqual([1]);
    expect([driver.physicalId(driver.logicalIdOf(withoutCopy.ingest)), streamKeys()]).toEqual([ingestArn, keys]);
  });

  test('stay out of the failure reason and logs when the copy cannot be stored and the cleanup fails too', async () => {
    // the handler's role may not write the secret, and not delete the ingest configuration it then must not keep: not
    // right away, and not in the rollback's delete of the failed create either.
    const strict = await FakeSecretsManager.start();
    ivs.injectFault({ operation: 'DeleteIngestConfiguration', errorType: 'AccessDeniedException', times: 2 });
    try {
      const result = await new LifecycleDriver({
        env: { AWS_ENDPOINT_URL_IVS_REALTIME: ivs.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: strict.endpoint },
      }).deploy(new StreamingStack(new App(), { userId: 'studio', redundantIngest: true, secretCopy: true }));

      expect(result.status).toBe('FAILED');
      expect(result.reason).toMatch(new RegExp('could not store the stream key: ResourceNotFoundException: .*; '
        + 'deleting the new ingest configuration arn:aws:ivs:\\S+ failed too: AccessDeniedException'));
      const keys = streamKeys();
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(result.reason).not.toContain(key.slice(-32));
        expect(logs.join('\n')).not.toContain(key.slice(-32));
      }
    } finally {
      await strict.stop();
    }
  });

  test('participant tokens are never requested: not at stage creation, not by any other call', async () => {
    const driver = newDriver();
    const stack = new StreamingStack(new App(), { userId: 'studio', redundantIngest: false, secretCopy: false });
    expect((await driver.deploy(stack)).reason).toBeUndefined();
    expect((await driver.destroy()).reason).toBeUndefined();

    expect(ivs.callsTo('CreateStage')).toHaveLength(1);
    expect(ivs.callsTo('CreateStage')[0].input).not.toHaveProperty('participantTokenConfigurations');
    expect(ivs.callsTo('CreateParticipantToken')).toEqual([]);
    // a participant token is a JWT: three base64url parts.
    expect(JSON.stringify({ requests: driver.sentEvents, logs })).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });
});
