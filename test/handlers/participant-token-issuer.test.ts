import { CreateStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { handler } from '../../handlers/participant-token-issuer/index';
import { onEvent as provider } from '../../handlers/provider/index';
import { ResourceType } from '../../lib/private/contract';
import { TOKEN_ISSUER_CONFIG_ENV, TokenIssuerConfig } from '../../lib/private/participant-token-contract';
import { FakeKmsKey } from '../../testing/fake-kms';
import { CustomResourceEvents, useFakeIvs, useFakeKms } from '../support/handler-harness';
import { ParticipantTokenRefused, verifyParticipantToken } from '../support/participant-token-verifier';

const ivs = useFakeIvs();
const kms = useFakeKms();

let stageArn: string;
let otherStageArn: string;
let signingKey: FakeKmsKey;
let publicKeyArn: string;

async function createStage(name: string): Promise<string> {
  const client = new IVSRealTimeClient({ endpoint: ivs().endpoint, region: 'us-east-1' });
  try {
    return (await client.send(new CreateStageCommand({ name }))).stage!.arn!;
  } finally {
    client.destroy();
  }
}

/** A signing key as a ParticipantTokenSigningKey makes it: a KMS key, its public half imported by the provider. */
async function importedSigningKey(): Promise<{ key: FakeKmsKey; publicKeyArn: string }> {
  const key = kms().createKey({ keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' });
  const created = await provider(new CustomResourceEvents(ResourceType.KMS_PUBLIC_KEY).create({ Request: { kmsKeyArn: key.arn } }));
  return { key, publicKeyArn: created.PhysicalResourceId };
}

function configure(overrides: Partial<TokenIssuerConfig> = {}): void {
  const config: TokenIssuerConfig = {
    stageArns: [stageArn],
    capabilities: ['PUBLISH', 'SUBSCRIBE'],
    maxDurationMinutes: 60,
    kmsKeyArn: signingKey.arn,
    publicKeyArn,
    ...overrides,
  };
  process.env[TOKEN_ISSUER_CONFIG_ENV] = JSON.stringify(config);
}

const issue = (request: unknown) => handler(request) as Promise<any>;

beforeEach(async () => {
  [stageArn, otherStageArn] = [await createStage('studio'), await createStage('backstage')];
  ({ key: signingKey, publicKeyArn } = await importedSigningKey());
  configure();
});

describe('participant token issuer', () => {
  test('issues an ES384 token IVS accepts, with the documented header and claims, in CreateParticipantToken\'s response shape', async () => {
    const before = Math.floor(Date.now() / 1000);

    const { participantToken } = await issue({
      stageArn, duration: 30, userId: 'alice', attributes: { displayName: 'Alice' }, capabilities: ['SUBSCRIBE'],
    });

    const claims = verifyParticipantToken(participantToken.token, ivs(), { stageArn });
    const header = JSON.parse(Buffer.from(participantToken.token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'ES384', typ: 'JWT', kid: publicKeyArn });
    const stage = ivs().stages.get(stageArn)!;
    expect(claims).toEqual({
      exp: claims.iat + 30 * 60,
      iat: expect.any(Number),
      jti: participantToken.participantId,
      resource: stageArn,
      topic: stageArn.split('/').pop(),
      events_url: stage.endpoints.events,
      whip_url: stage.endpoints.whip,
      capabilities: { allow_publish: false, allow_subscribe: true },
      user_id: 'alice',
      attributes: { displayName: 'Alice' },
      version: '1.0',
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(participantToken).toEqual({
      participantId: expect.stringMatching(/^[a-zA-Z0-9_-]{12}$/),
      token: participantToken.token,
      userId: 'alice',
      attributes: { displayName: 'Alice' },
      duration: 30,
      capabilities: ['SUBSCRIBE'],
      expirationTime: new Date(claims.exp * 1000).toISOString(),
    });
    // KMS signs a SHA-384 digest: the claims never reach it.
    expect(kms().callsTo('Sign').map((call) => call.input)).toEqual([{
      KeyId: signingKey.arn, Message: expect.any(String), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384',
    }]);
    expect(Buffer.from(kms().callsTo('Sign')[0].input.Message as string, 'base64')).toHaveLength(48);
  });

  test('a request with only a stage gets the issuer\'s capabilities and the API\'s 12 hours, or the longest duration if shorter', async () => {
    configure({ capabilities: ['SUBSCRIBE'], maxDurationMinutes: 20_160 });
    const long = (await issue({ stageArn })).participantToken;
    configure({ maxDurationMinutes: 60 });
    const short = (await issue({ stageArn })).participantToken;

    expect([long.duration, long.capabilities]).toEqual([720, ['SUBSCRIBE']]);
    expect([short.duration, short.capabilities]).toEqual([60, ['PUBLISH', 'SUBSCRIBE']]);
    const claims = verifyParticipantToken(long.token, ivs(), { stageArn });
    expect(claims.capabilities).toEqual({ allow_publish: false, allow_subscribe: true });
    expect(claims).not.toHaveProperty('user_id');
    expect(claims).not.toHaveProperty('attributes');
  });

  describe('what a caller may ask for is bounded by the construct, not by the caller', () => {
    test.each([
      ['another stage', () => ({ stageArn: otherStageArn }), /^`stageArn` must be one of the 1 stage\(s\) this issuer serves, got arn:/],
      ['a longer duration', () => ({ stageArn, duration: 61 }), /^`duration` may be at most 60 minutes with this issuer, got 61$/],
      ['a capability it does not grant', () => ({ stageArn, capabilities: ['PUBLISH'] }),
        /^`capabilities` may only be SUBSCRIBE with this issuer, got PUBLISH$/],
    ])('%s: AccessDeniedException, and nothing is signed', async (_what, request, reason) => {
      configure({ capabilities: ['SUBSCRIBE'] });

      const refused = issue(request());

      await expect(refused).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(reason) });
      expect(kms().callsTo('Sign')).toHaveLength(0);
    });

    test.each([
      ['attributes over 1 KB', { attributes: { note: 'é'.repeat(511), k: 'v' } },
        '`attributes` must total at most 1024 bytes (UTF-8 keys and values), got 1028 bytes'],
      ['a user ID over 128 characters', { userId: 'u'.repeat(129) }, '`userId` must be a string of at most 128 characters, got 129 characters'],
      ['a duration of no whole minutes', { duration: 1.5 }, '`duration` must be a whole number of minutes, at least 1, got 1.5'],
      ['an unknown capability', { capabilities: ['ADMIN'] }, '`capabilities` must be a list of distinct PUBLISH and SUBSCRIBE, got ["ADMIN"]'],
      ['a misspelt member', { durationMinutes: 5 }, 'unknown member "durationMinutes"'],
      ['no stage', { stageArn: undefined }, '`stageArn` is required, as a string'],
    ])('%s: ValidationException', async (_what, change, reason) => {
      await expect(issue({ stageArn, ...change })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining(reason) });
      expect(kms().callsTo('Sign')).toHaveLength(0);
    });

    test('every problem is reported at once; one of the API\'s rules wins over the issuer\'s bounds', async () => {
      await expect(issue({ stageArn: otherStageArn, duration: 0, userId: 7 })).rejects.toMatchObject({
        name: 'ValidationException',
        message: '`duration` must be a whole number of minutes, at least 1, got 0; `userId` must be a string of at most 128 characters, got number',
      });
      await expect(issue('stageArn')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/must be a JSON object .*got string$/) });
    });
  });

  describe('IVS refuses at join time', () => {
    test('a token for another stage', async () => {
      const { token } = (await issue({ stageArn })).participantToken;

      expect(() => verifyParticipantToken(token, ivs(), { stageArn: otherStageArn })).toThrow(ParticipantTokenRefused);
      expect(() => verifyParticipantToken(token, ivs(), { stageArn: otherStageArn })).toThrow(/^for stage .*, not arn:.*stage\//);
    });

    test('an expired token', async () => {
      const { token, expirationTime } = (await issue({ stageArn, duration: 1 })).participantToken;

      expect(() => verifyParticipantToken(token, ivs(), { stageArn, now: new Date(expirationTime) })).toThrow(/^expired at /);
      expect(() => verifyParticipantToken(token, ivs(), { stageArn, now: new Date(Date.parse(expirationTime) - 1000) })).not.toThrow();
    });

    test('a token whose public key was deleted, and a token signed by another key than its kid names', async () => {
      const { token } = (await issue({ stageArn })).participantToken;
      const other = await importedSigningKey();
      configure({ kmsKeyArn: other.key.arn });
      const mislabelled = (await issue({ stageArn })).participantToken.token;

      expect(() => verifyParticipantToken(mislabelled, ivs(), { stageArn })).toThrow(/^the signature does not verify with /);
      await provider(new CustomResourceEvents(ResourceType.KMS_PUBLIC_KEY).delete(publicKeyArn, { Request: { kmsKeyArn: signingKey.arn } }));
      expect(() => verifyParticipantToken(token, ivs(), { stageArn })).toThrow(/a public key IVS does not hold \(deleted, or never imported\)$/);
    });

    test('a token whose claims were changed after signing', async () => {
      const [header, , signature] = (await issue({ stageArn, capabilities: ['SUBSCRIBE'] })).participantToken.token.split('.');
      const publishing = (await issue({ stageArn })).participantToken.token.split('.')[1];

      expect(() => verifyParticipantToken([header, publishing, signature].join('.'), ivs(), { stageArn })).toThrow(/^the signature does not verify with /);
    });
  });

  test('the stage\'s endpoints are read once, and again after 14 days, the longest the API lets them be cached', async () => {
    const start = Date.now();
    await issue({ stageArn });
    await issue({ stageArn });
    expect(ivs().callsTo('GetStage')).toHaveLength(1);

    jest.spyOn(Date, 'now').mockReturnValue(start + 14 * 24 * 3600 * 1000 + 1000);
    await issue({ stageArn });

    expect(ivs().callsTo('GetStage')).toHaveLength(2);
  });

  /** Runs `call` with the function's log captured; returns the log lines, parsed. */
  async function loggedDuring(call: () => Promise<unknown>): Promise<any[]> {
    const lines: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => {
      lines.push(line);
    });
    await call();
    return lines.map((line) => JSON.parse(line));
  }

  test('KMS throttling is retried; a key pending deletion fails with a generic error, the reason naming the key in the log only', async () => {
    kms().injectFault({ operation: 'Sign', errorType: 'ThrottlingException', times: 2 });
    await expect(issue({ stageArn })).resolves.toHaveProperty('participantToken.token');

    kms().scheduleKeyDeletion(signingKey.keyId, 7);
    let failure: Error | undefined;
    const logs = await loggedDuring(() => issue({ stageArn }).catch((error: Error) => { failure = error; }));
    expect(failure).toMatchObject({ name: 'InternalFailure', message: 'the token could not be issued: retry later (the issuer\'s log says why)' });
    expect(logs).toEqual([{
      message: 'failed',
      throttled: false,
      reason: expect.stringMatching(new RegExp(`^signing with KMS key ${signingKey.arn} failed: KMSInvalidStateException: `)),
    }]);
  });

  test('a stage IVS does not have fails with a generic error, the reason naming the stage in the log only', async () => {
    const gone = stageArn.replace(/\/[^/]+$/, '/AbCdEfGhIjKl');
    configure({ stageArns: [gone] });

    let failure: Error | undefined;
    const logs = await loggedDuring(() => issue({ stageArn: gone }).catch((error: Error) => { failure = error; }));
    expect(failure?.name).toBe('InternalFailure');
    expect(failure?.message).not.toContain(gone);
    expect(logs[0].reason).toMatch(`reading the endpoints of stage ${gone} failed: ResourceNotFoundException: `);
  });

  test('the logs say what was issued and refused with identifiers only: no token, signature, user ID or attributes', async () => {
    const logs: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => {
      logs.push(line);
    });

    const { participantToken } = await issue({ stageArn, userId: 'alice@example.com', attributes: { secretRoom: 'blue-door' } });
    await issue({ stageArn: otherStageArn, userId: 'bob@example.com' }).catch(() => undefined);

    expect(logs.map((line) => JSON.parse(line).message)).toEqual(['issued', 'refused']);
    expect(JSON.parse(logs[0])).toMatchObject({ stageArn, participantId: participantToken.participantId, publicKeyArn });
    for (const secret of [participantToken.token, ...participantToken.token.split('.'), 'alice@', 'bob@', 'blue-door', 'secretRoom']) {
      expect(logs.join('\n')).not.toContain(secret);
    }
  });

  describe('through a function URL', () => {
    const post = (body: string, extra: object = {}) => handler({ requestContext: { http: { method: 'POST' } }, body, ...extra }) as Promise<any>;

    test('a POSTed request is answered 200 with the token, not to be cached', async () => {
      const response = await post(JSON.stringify({ stageArn }));

      expect(response).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
      verifyParticipantToken(JSON.parse(response.body).participantToken.token, ivs(), { stageArn });
    });

    test('a base64 body is read as the function URL sends it', async () => {
      const response = await post(Buffer.from(JSON.stringify({ stageArn })).toString('base64'), { isBase64Encoded: true });

      expect(response.statusCode).toBe(200);
    });

    test('refusals are 400 and 403 with the error type and message; other methods 405', async () => {
      expect(await post('{not json')).toMatchObject({ statusCode: 400, body: JSON.stringify({ errorType: 'ValidationException', errorMessage: 'the request body must be JSON' }) });
      expect(JSON.parse((await post(JSON.stringify({ stageArn: otherStageArn }))).body)).toMatchObject({ errorType: 'AccessDeniedException' });
      expect((await post(JSON.stringify({ stageArn: otherStageArn }))).statusCode).toBe(403);
      expect((await handler({ requestContext: { http: { method: 'GET' } } }) as any).statusCode).toBe(405);
    });

    test('a failure of KMS is a generic 500: the key and KMS\'s text go to the log only', async () => {
      kms().scheduleKeyDeletion(signingKey.keyId, 7);

      let response: any;
      const logs = await loggedDuring(async () => { response = await post(JSON.stringify({ stageArn })); });

      expect(response.statusCode).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ errorType: 'InternalFailure', errorMessage: 'the token could not be issued: retry later (the issuer\'s log says why)' });
      expect(logs[0]).toMatchObject({ message: 'failed', reason: expect.stringContaining(`${signingKey.arn} failed: KMSInvalidStateException`) });
    });

    // issue 22: KMS throttling answered a 500 carrying the key's ARN and KMS's own error.
    test('KMS throttling beyond the SDK\'s retries is a 503 with Retry-After and no detail; the log has it', async () => {
      kms().injectFault({ operation: 'Sign', errorType: 'ThrottlingException', message: 'Rate exceeded for key', times: Infinity });

      let response: any;
      const logs = await loggedDuring(async () => { response = await post(JSON.stringify({ stageArn })); });

      expect(response).toMatchObject({ statusCode: 503, headers: { 'retry-after': '2', 'cache-control': 'no-store' } });
      expect(JSON.parse(response.body)).toEqual({ errorType: 'ThrottlingException', errorMessage: 'too many token requests at the moment: retry after a short pause' });
      expect(response.body).not.toMatch(/arn:|kms|KMS|Rate exceeded/);
      expect(logs).toEqual([{ message: 'failed', throttled: true, reason: expect.stringMatching(`${signingKey.arn} failed: ThrottlingException: Rate exceeded`) }]);
    });
  });
});

describe('participant token issuer of a stage pool', () => {
  const POOL = { key: 'cdk-ivs-realtime:stage-pool', value: 'pool-1' };

  test('issues a token for a stage the pool made at run time, and refuses a stage without the pool\'s tag', async () => {
    configure({ stageArns: [], stageTag: POOL });
    const client = new IVSRealTimeClient({ endpoint: ivs().endpoint, region: 'us-east-1' });
    const poolStageArn = (await client.send(new CreateStageCommand({ name: 'session', tags: { [POOL.key]: POOL.value } }))).stage!.arn!;
    client.destroy();

    const { participantToken } = await issue({ stageArn: poolStageArn, userId: 'alice' });
    expect(verifyParticipantToken(participantToken.token, ivs(), { stageArn: poolStageArn })).toMatchObject({ resource: poolStageArn });

    const signed = kms().calls.filter((call) => call.operation === 'Sign').length;
    await expect(issue({ stageArn: otherStageArn })).rejects.toMatchObject({
      name: 'AccessDeniedException', message: `\`stageArn\` must be a stage this issuer serves, got ${otherStageArn}`,
    });
    await expect(issue({ stageArn: 'arn:aws:ivs:us-east-1:123456789012:channel/abc' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(kms().calls.filter((call) => call.operation === 'Sign')).toHaveLength(signed);
  });
});
