import { handler as entry, onEvent as handler } from '../../handlers/provider/index';
import { sweepRuleName } from '../../lib/private/deferred-deletes-contract';
import {
  CREATE_REQUESTS_TABLE, createRequestsDynamoDb, CustomResourceEvents, ResourceProperties, STACK_ID, sweepEventBridge, useFakeIvs,
  useFakeSecretsManager, withCreateRequest,
} from '../support/handler-harness';

const fake = useFakeIvs();
const secrets = useFakeSecretsManager();
const events = new CustomResourceEvents('Custom::IvsRealTimeIngestConfiguration', 'Obs');
const stageEvents = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ObsStreamKey-AbCdEf';

/** A stage in the fake, made through the stage handler as CloudFormation would before the ingest configuration. */
async function newStage(): Promise<string> {
  return (await handler(stageEvents.create({ Request: {} }))).PhysicalResourceId;
}

/** The properties the construct renders, for the given stage and API request members. */
function propertiesFor(stageArn: string, config: Record<string, unknown> = {}, extra: ResourceProperties = {}): ResourceProperties {
  return {
    Request: { stageArn, ingestProtocol: 'RTMPS', redundantIngest: false, ...config },
    StreamKeySecretArn: SECRET_ARN,
    ForceDelete: true,
    ...extra,
  };
}

/** Creates the secret (as CloudFormation does first), then the ingest configuration; returns its ARN. */
async function create(properties: ResourceProperties): Promise<string> {
  secrets().defineSecret(SECRET_ARN);
  return (await handler(events.create(properties))).PhysicalResourceId;
}

/** The properties without a secret: the construct's default, where IVS alone holds the stream key. */
function withoutSecret({ StreamKeySecretArn: _omitted, ...properties }: ResourceProperties): ResourceProperties {
  return properties;
}

function storedSecret(): any {
  return JSON.parse(secrets().values.get(SECRET_ARN)!);
}

function operationsSince(since: number): string[] {
  return fake().calls.slice(since).map((call) => call.operation);
}

/** The reason a handler call failed with (what CloudFormation would show). */
async function failureOf(call: Promise<unknown>): Promise<string> {
  return call.then(() => { throw new Error('expected the call to fail'); }, (error: Error) => error.message);
}

/** Everything the handler wrote to its log, as one string. */
function logged(): string {
  return jest.mocked(console.log).mock.calls.map((args) => args.join(' ')).join('\n');
}

describe('ingest configuration handler', () => {
  test('create stores the stream key in the secret only: not in the response, not in the logs', async () => {
    const stageArn = await newStage();
    secrets().defineSecret(SECRET_ARN);

    const response = await handler(events.create(propertiesFor(stageArn, { userId: 'studio' }, { Tags: { team: 'video' } })));

    const arn = response.PhysicalResourceId;
    const ingest = fake().ingestConfigurations.get(arn)!;
    expect(arn).toMatch(/^arn:aws:ivs:us-east-1:123456789012:ingest-configuration\/[a-zA-Z0-9]+$/);
    expect(response).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn, ParticipantId: ingest.participantId } });
    expect(storedSecret()).toEqual({ ingestConfigurationArn: arn, streamKey: ingest.streamKey, redundantIngestCredentials: [] });
    expect(ingest.streamKey).toMatch(/^rt_/);
    expect(JSON.stringify(response)).not.toContain(ingest.streamKey);
    expect(logged()).toContain('"message":"created"');
    expect(logged()).not.toContain(ingest.streamKey);
    expect(logged()).not.toMatch(/rt_[0-9]+_/);
    expect(fake().callsTo('CreateIngestConfiguration').map((call) => call.input)).toEqual([{
      stageArn, ingestProtocol: 'RTMPS', redundantIngest: false, userId: 'studio', tags: withCreateRequest({ team: 'video' }),
    }]);
  });

  test('create sends the stringified booleans as booleans and stores the redundant ingest credentials too', async () => {
    const stageArn = await newStage();

    const arn = await create(propertiesFor(stageArn, { ingestProtocol: 'RTMP', insecureIngest: true, redundantIngest: true }));

    const [{ input }] = fake().callsTo('CreateIngestConfiguration');
    expect(input).toMatchObject({ ingestProtocol: 'RTMP', insecureIngest: true, redundantIngest: true });
    const ingest = fake().ingestConfigurations.get(arn)!;
    expect(storedSecret()).toEqual({
      ingestConfigurationArn: arn, streamKey: ingest.streamKey, redundantIngestCredentials: ingest.redundantIngestCredentials,
    });
    expect(ingest.redundantIngestCredentials).toHaveLength(1);
    expect(logged()).not.toContain(ingest.redundantIngestCredentials![0].streamKey);
  });

  test('without a secret, create keeps the key in IVS only: no Secrets Manager call, nothing in the response or logs', async () => {
    const stageArn = await newStage();

    // no secret defined: a put would answer ResourceNotFoundException and fail the create.
    const response = await handler(events.create(withoutSecret(propertiesFor(stageArn, { redundantIngest: true }))));

    const arn = response.PhysicalResourceId;
    const ingest = fake().ingestConfigurations.get(arn)!;
    expect(response).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn, ParticipantId: ingest.participantId } });
    expect(secrets().values.size).toBe(0);
    for (const key of [ingest.streamKey, ingest.redundantIngestCredentials![0].streamKey]) {
      expect(key).toMatch(/^rt_/);
      expect(JSON.stringify(response)).not.toContain(key);
      expect(logged()).not.toContain(key);
    }
  });

  test('a failed create says what failed and why', async () => {
    secrets().defineSecret(SECRET_ARN);
    const missingStage = 'arn:aws:ivs:us-east-1:123456789012:stage/missing';

    await expect(handler(events.create(propertiesFor(missingStage)))).rejects.toThrow(
      /^Create ingest configuration Obs failed: ValidationException: .*stage/i);
    expect(fake().ingestConfigurations.size).toBe(0);
  });

  test('if the stream key cannot be stored, the create fails and leaves no ingest configuration behind', async () => {
    const stageArn = await newStage();

    // no secret defined: Secrets Manager answers ResourceNotFoundException.
    await expect(handler(events.create(propertiesFor(stageArn)))).rejects.toThrow(
      /^Create ingest configuration Obs failed: could not store the stream key: ResourceNotFoundException: /);
    expect(fake().ingestConfigurations.size).toBe(0);
    expect(fake().callsTo('DeleteIngestConfiguration').map((call) => call.input.force)).toEqual([true]);
  });

  test('a change of stage updates it in place: same ARN, same key, UpdateIngestConfiguration', async () => {
    const stageArn = await newStage();
    const otherStageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);
    const streamKey = storedSecret().streamKey;
    const since = fake().calls.length;

    const response = await handler(events.update(arn, propertiesFor(otherStageArn), properties));

    expect(response.PhysicalResourceId).toBe(arn);
    expect(operationsSince(since)).toEqual(['UpdateIngestConfiguration']);
    expect(fake().callsTo('UpdateIngestConfiguration')[0].input).toEqual({ arn, stageArn: otherStageArn, redundantIngest: false });
    expect(fake().ingestConfigurations.get(arn)!.stageArn).toBe(otherStageArn);
    expect(storedSecret().streamKey).toBe(streamKey);
  });

  test('turning redundant ingest on updates in place and stores the backup credentials', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);

    await handler(events.update(arn, propertiesFor(stageArn, { redundantIngest: true }), properties));

    expect(fake().callsTo('UpdateIngestConfiguration')[0].input).toEqual({ arn, stageArn, redundantIngest: true });
    expect(storedSecret().redundantIngestCredentials).toEqual(fake().ingestConfigurations.get(arn)!.redundantIngestCredentials);
    expect(storedSecret().redundantIngestCredentials).toHaveLength(1);
  });

  test('fails if the stage changes while an encoder publishes, saying to stop the broadcast first', async () => {
    const stageArn = await newStage();
    const otherStageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);
    fake().setIngestState(arn, 'ACTIVE');

    const message = await failureOf(handler(events.update(arn, propertiesFor(otherStageArn), properties)));
    expect(message).toMatch(/^Update ingest configuration Obs failed: ConflictException: .+ \(IVS updates/);
    expect(message).toContain(' (IVS updates an ingest configuration only while no encoder publishes with it: '
      + 'stop the broadcast, then deploy again)');
    expect(fake().ingestConfigurations.get(arn)!.stageArn).toBe(stageArn);
  });

  test('a change of protocol replaces it: a new ARN whose new key goes to the same secret, the old left for CloudFormation', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);
    const oldKey = storedSecret().streamKey;
    const since = fake().calls.length;

    const response = await handler(events.update(arn, propertiesFor(stageArn, { ingestProtocol: 'RTMP', insecureIngest: true }), properties));

    const newArn = response.PhysicalResourceId;
    expect(newArn).not.toBe(arn);
    expect(operationsSince(since)).toEqual(['GetIngestConfiguration', 'CreateIngestConfiguration']);
    expect(storedSecret().streamKey).toBe(fake().ingestConfigurations.get(newArn)!.streamKey);
    expect(storedSecret().streamKey).not.toBe(oldKey);
    expect(fake().ingestConfigurations.has(arn)).toBe(true);
    expect(response.Data).toEqual({ Arn: newArn, ParticipantId: fake().ingestConfigurations.get(newArn)!.participantId });
  });

  test('an update of tags only changes the tags, returns the attributes and leaves the secret alone', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn, {}, { Tags: { team: 'video', env: 'dev' } });
    const arn = await create(properties);
    const since = fake().calls.length;

    const response = await handler(events.update(arn, propertiesFor(stageArn, {}, { Tags: { team: 'media' } }), properties));

    expect(response).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn, ParticipantId: fake().ingestConfigurations.get(arn)!.participantId } });
    expect(operationsSince(since)).toEqual(['GetIngestConfiguration', 'TagResource', 'UntagResource']);
    expect(fake().ingestConfigurations.get(arn)!.tags).toEqual(withCreateRequest({ team: 'media' }));
    expect(secrets().versionCounts.get(SECRET_ARN)).toBe(1);
  });

  test('a change of forceDelete alone calls nothing but GetIngestConfiguration', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);
    const since = fake().calls.length;

    await handler(events.update(arn, propertiesFor(stageArn, {}, { ForceDelete: false }), properties));

    expect(operationsSince(since)).toEqual(['GetIngestConfiguration']);
    expect(secrets().versionCounts.get(SECRET_ARN)).toBe(1);
  });

  test('a new secret without any other change gets the current key', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);
    const newSecretArn = `${SECRET_ARN}2`;
    secrets().defineSecret(newSecretArn);

    await handler(events.update(arn, { ...properties, StreamKeySecretArn: newSecretArn }, properties));

    expect(JSON.parse(secrets().values.get(newSecretArn)!).streamKey).toBe(fake().ingestConfigurations.get(arn)!.streamKey);
  });

  test('turning the copy on later writes the current keys to the new secret, without touching the ingest configuration', async () => {
    const stageArn = await newStage();
    const ivsOnly = withoutSecret(propertiesFor(stageArn, { redundantIngest: true }));
    const arn = (await handler(events.create(ivsOnly))).PhysicalResourceId;
    secrets().defineSecret(SECRET_ARN);
    const since = fake().calls.length;

    const response = await handler(events.update(arn, propertiesFor(stageArn, { redundantIngest: true }), ivsOnly));

    const ingest = fake().ingestConfigurations.get(arn)!;
    expect(response.PhysicalResourceId).toBe(arn);
    expect(operationsSince(since)).toEqual(['GetIngestConfiguration']);
    expect(storedSecret()).toEqual({
      ingestConfigurationArn: arn, streamKey: ingest.streamKey, redundantIngestCredentials: ingest.redundantIngestCredentials,
    });
  });

  test('turning the copy off writes nothing more to the old secret, which CloudFormation then deletes', async () => {
    const stageArn = await newStage();
    const properties = propertiesFor(stageArn);
    const arn = await create(properties);

    const response = await handler(events.update(arn, withoutSecret(propertiesFor(stageArn, { redundantIngest: true })), properties));

    expect(response.PhysicalResourceId).toBe(arn);
    expect(fake().ingestConfigurations.get(arn)!.redundantIngestCredentials).toHaveLength(1);
    expect(secrets().versionCounts.get(SECRET_ARN)).toBe(1);
    expect(storedSecret().redundantIngestCredentials).toEqual([]);
  });

  describe('an update IVS made while Secrets Manager is too slow', () => {
    /** The sweep's schedule fires, as EventBridge does every 5 minutes while it is enabled. */
    const sweep = () => entry({ sweepDeferredDeletesOfStack: STACK_ID });
    const sweepState = () => sweepEventBridge().rule(sweepRuleName(STACK_ID))?.state;
    const corrections = () => createRequestsDynamoDb().items(CREATE_REQUESTS_TABLE).filter((item) => String(item.token).startsWith('stream-key-correction:'));

    /**
     * The rollback of an update that turned redundant ingest on: the old request goes back to the ingest configuration,
     * and Secrets Manager answers too late for the secret's write. Returns the ARN and the keys the secret held before.
     */
    async function rollbackWhileSecretsManagerIsSlow() {
      const stageArn = await newStage();
      const redundant = propertiesFor(stageArn, { redundantIngest: true });
      const arn = await create(redundant);
      const before = storedSecret();
      const plain = propertiesFor(stageArn, { redundantIngest: false });
      secrets().injectDelay({ operation: 'GetSecretValue', delayMs: 2000 });
      const deadline = Date.now() + 2500;
      const response = await handler(events.update(arn, plain, redundant), { getRemainingTimeInMillis: () => deadline - Date.now() });
      // the late read is answered before the test goes on.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return { arn, before, response, stageArn };
    }

    const currentKeys = (arn: string) => {
      const ingest = fake().ingestConfigurations.get(arn)!;
      return { ingestConfigurationArn: arn, streamKey: ingest.streamKey, redundantIngestCredentials: ingest.redundantIngestCredentials ?? [] };
    };

    // issue 22: the rollback's rewrite of the secret failed while Secrets Manager stayed slow: UPDATE_ROLLBACK_FAILED.
    test('succeeds, saying in its answer and its log that the secret was left and how it is corrected', async () => {
      const { arn, before, response } = await rollbackWhileSecretsManagerIsSlow();

      expect(response).toMatchObject({ PhysicalResourceId: arn });
      expect(response.Reason).toMatch(new RegExp(`^The stream key secret ${SECRET_ARN} could not be rewritten \\(.*did not answer within .*\\): `
        + 'the provider\'s sweep rewrites it with the keys IVS has, every 5 minutes'));
      expect(fake().ingestConfigurations.get(arn)?.redundantIngest).toBe(false);
      expect(storedSecret()).toEqual(before);
      const line = JSON.parse(jest.mocked(console.log).mock.calls.map((args) => args.join(' ')).find((text) => text.includes('secret left'))!);
      expect(line).toMatchObject({ secretArn: SECRET_ARN, arn, reason: expect.stringMatching(/did not answer within/), correction: expect.any(String) });
      expect(logged()).not.toContain(before.streamKey);
      expect(response.Reason).not.toContain(before.streamKey);
    });

    // issue 22: "the stack says how it will be corrected, and it is" — before, only a later update of the ingest configuration did.
    test('the sweep gives the secret the keys IVS has, with no update, then disarms', async () => {
      const { arn, before } = await rollbackWhileSecretsManagerIsSlow();
      expect(sweepState()).toBe('ENABLED');
      expect(corrections()).toEqual([expect.objectContaining({ token: `stream-key-correction:${SECRET_ARN}`, ingestConfigurationArn: arn })]);

      const swept = await sweep();

      expect(swept).toMatchObject({ corrected: [SECRET_ARN], remaining: [] });
      expect(storedSecret()).toEqual(currentKeys(arn));
      expect(storedSecret()).not.toEqual(before);
      expect(corrections()).toEqual([]);
      expect(sweepState()).toBe('DISABLED');
      expect(logged()).not.toContain(currentKeys(arn).streamKey);
    });

    test('while Secrets Manager still fails, the sweep keeps the correction and stays armed; the next one makes it', async () => {
      const { arn } = await rollbackWhileSecretsManagerIsSlow();
      secrets().injectFault({ operation: 'PutSecretValue', errorType: 'InternalServiceError', times: Infinity });

      const first = await sweep();

      expect(first.remaining).toEqual([expect.stringMatching(new RegExp(`^stream key secret ${SECRET_ARN} not rewritten yet: InternalServiceError`))]);
      expect(corrections()).toHaveLength(1);
      expect(sweepState()).toBe('ENABLED');

      secrets().clearFaults();
      expect(await sweep()).toMatchObject({ corrected: [SECRET_ARN], remaining: [] });
      expect(storedSecret()).toEqual(currentKeys(arn));
    });

    test('a correction another write made needless is dropped without a write: a later update, or a replacement that moved the secret on', async () => {
      const { arn, stageArn } = await rollbackWhileSecretsManagerIsSlow();
      // the update deployed again once the rollback completed rewrites the secret itself.
      await handler(events.update(arn, propertiesFor(stageArn, { redundantIngest: true }), propertiesFor(stageArn, { redundantIngest: false })));
      const writes = secrets().calls.filter((call) => call.operation === 'PutSecretValue').length;

      expect(await sweep()).toMatchObject({ corrected: [], remaining: [] });
      expect(secrets().calls.filter((call) => call.operation === 'PutSecretValue')).toHaveLength(writes);
      expect(corrections()).toEqual([]);
      expect(storedSecret()).toEqual(currentKeys(arn));
    });
  });

  test('an update Secrets Manager refuses (access denied) still fails, saying why', async () => {
    const stageArn = await newStage();
    const redundant = propertiesFor(stageArn, { redundantIngest: true });
    const arn = await create(redundant);
    secrets().injectFault({ operation: 'GetSecretValue', errorType: 'AccessDeniedException' });

    expect(await failureOf(handler(events.update(arn, propertiesFor(stageArn), redundant)))).toMatch(/could not store the stream key: AccessDeniedException/);
  });

  describe('delete', () => {
    test('deletes an idle ingest configuration', async () => {
      const properties = propertiesFor(await newStage(), {}, { ForceDelete: false });
      const arn = await create(properties);

      expect(await handler(events.delete(arn, properties))).toEqual({ PhysicalResourceId: arn });
      expect(fake().ingestConfigurations.size).toBe(0);
    });

    test('with forceDelete (the default), disconnects a live encoder and deletes', async () => {
      const properties = propertiesFor(await newStage());
      const arn = await create(properties);
      fake().setIngestState(arn, 'ACTIVE');

      await handler(events.delete(arn, properties));

      expect(fake().callsTo('DeleteIngestConfiguration').map((call) => call.input)).toEqual([{ arn, force: true }]);
      expect(fake().ingestConfigurations.size).toBe(0);
    });

    test('without the ForceDelete property, forces too', async () => {
      const { ForceDelete: _omitted, ...properties } = propertiesFor(await newStage());
      const arn = await create(properties);
      fake().setIngestState(arn, 'ACTIVE');

      await handler(events.delete(arn, properties));

      expect(fake().ingestConfigurations.size).toBe(0);
    });

    test('fails if forceDelete is false and an encoder is live, naming both ways out', async () => {
      const properties = propertiesFor(await newStage(), {}, { ForceDelete: false });
      const arn = await create(properties);
      fake().setIngestState(arn, 'ACTIVE');

      const message = await failureOf(handler(events.delete(arn, properties)));
      expect(message).toMatch(/^Delete ingest configuration Obs failed: ConflictException: .+ \(an encoder is publishing/);
      expect(message).toContain('(an encoder is publishing with this ingest configuration and forceDelete is false: '
        + 'stop the broadcast and retry, or set forceDelete: true to disconnect the encoder on delete)');
      expect(fake().callsTo('DeleteIngestConfiguration').map((call) => call.input)).toEqual([{ arn, force: false }]);
      expect(fake().ingestConfigurations.has(arn)).toBe(true);
    });

    test('of the one whose keys the secret holds, with the one its previous version names still there (a replacement rolled '
      + 'back): the secret gets that one\'s keys back first', async () => {
      const stageArn = await newStage();
      const properties = propertiesFor(stageArn);
      const oldArn = await create(properties);
      const replacement = propertiesFor(stageArn, { userId: 'studio-2' });
      const newArn = (await handler(events.update(oldArn, replacement, properties))).PhysicalResourceId;
      expect(storedSecret().ingestConfigurationArn).toBe(newArn);

      // CloudFormation's rollback keeps the old one, sends it nothing, and deletes the new one.
      await handler(events.delete(newArn, replacement));

      const old = fake().ingestConfigurations.get(oldArn)!;
      expect(storedSecret()).toEqual({ ingestConfigurationArn: oldArn, streamKey: old.streamKey, redundantIngestCredentials: [] });
      expect([...fake().ingestConfigurations.keys()]).toEqual([oldArn]);
    });

    test('of one whose keys the secret does not hold (the cleanup after a replacement), or of the last one, leaves it alone', async () => {
      const stageArn = await newStage();
      const properties = propertiesFor(stageArn);
      const oldArn = await create(properties);
      const replacement = propertiesFor(stageArn, { userId: 'studio-2' });
      const newArn = (await handler(events.update(oldArn, replacement, properties))).PhysicalResourceId;
      const held = storedSecret();

      await handler(events.delete(oldArn, properties));
      expect(storedSecret()).toEqual(held);

      // the previous version names the one just deleted: nothing to give back, and the secret goes with the stack.
      await handler(events.delete(newArn, replacement));
      expect(storedSecret()).toEqual(held);
      expect(secrets().versionCounts.get(SECRET_ARN)).toBe(2);
      expect(fake().ingestConfigurations.size).toBe(0);
    });

    test('if the secret cannot be read, fails saying why and keeps the ingest configuration, whose key the secret may hold', async () => {
      const properties = propertiesFor(await newStage());
      const arn = await create(properties);
      secrets().injectFault({ operation: 'GetSecretValue', errorType: 'AccessDeniedException' });

      expect(await failureOf(handler(events.delete(arn, properties)))).toBe('Delete ingest configuration Obs failed: could not give the secret '
        + `back the stream key of the ingest configuration the stack keeps, so ${arn} is not deleted yet: AccessDeniedException: Injected `
        + 'fault: AccessDeniedException');
      expect(fake().ingestConfigurations.has(arn)).toBe(true);
    });

    test('ResourceNotFoundException counts as deleted', async () => {
      const arn = 'arn:aws:ivs:us-east-1:123456789012:ingest-configuration/gone';

      expect(await handler(events.delete(arn, propertiesFor('')))).toEqual({ PhysicalResourceId: arn });
      expect(fake().callsTo('DeleteIngestConfiguration')[0].errorType).toBe('ResourceNotFoundException');
    });

  });
});
