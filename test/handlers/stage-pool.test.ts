import { ListStageSessionsCommand, TagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { cleanUpStage, drain, reconcile } from '../../handlers/stage-pool/cleanup';
import { poolDependencies } from '../../handlers/stage-pool/dependencies';
import { createSession } from '../../handlers/stage-pool/sessions';
import { handler as cleanupEntry } from '../../handlers/stage-pool-cleanup/index';
import { CREATED_TAG, POOL_TAG, RETAIN_TAG, SESSION_TAG, STAGE_POOL_CONFIG_ENV, StagePoolConfig } from '../../lib/private/stage-pool-contract';
import { CREATE_REQUESTS_TABLE, createRequestsDynamoDb, operationsSince, sweepEventBridge, useFakeIvs } from '../support/handler-harness';

const fake = useFakeIvs();
const RULE = 'ivs-pool-reconcile';

/** A pool whose timeouts are long unless a test says otherwise, in the harness's table and EventBridge. */
function pool(overrides: Partial<StagePoolConfig> = {}): StagePoolConfig {
  return {
    poolId: 'pool-1',
    stage: {},
    tags: { team: 'live' },
    emptyTimeoutSeconds: 3600,
    departureTimeoutSeconds: 3600,
    tableName: CREATE_REQUESTS_TABLE,
    reconcileRuleName: RULE,
    ...overrides,
  };
}

let deps: ReturnType<typeof poolDependencies>;
beforeAll(() => {
  deps = poolDependencies(pool());
});
beforeEach(() => sweepEventBridge().putRule(RULE, { state: 'DISABLED', scheduleExpression: 'rate(1 minute)' }));

const ruleState = () => sweepEventBridge().rule(RULE)?.state;

/** A stage of the pool with a participant who joined and, unless `stay`, left. */
async function joinedStage(config: StagePoolConfig, options: { stay?: boolean } = {}) {
  const { stageArn } = await createSession(deps, config, { sessionKey: 'room-1' });
  fake().startStageSession(stageArn);
  const participantId = fake().joinParticipant(stageArn, { published: true });
  if (!options.stay) {
    fake().leaveParticipant(stageArn, participantId);
  }
  return { stageArn, participantId };
}

describe('sessions', () => {
  test('a session\'s stage is made from the pool\'s settings, with its tags, and arms the reconcile', async () => {
    const session = await createSession(deps, pool(), { sessionKey: 'room-1' });

    expect(session).toMatchObject({ sessionKey: 'room-1', created: true, endpoints: { whip: expect.any(String), events: expect.any(String) } });
    expect(fake().stages.get(session.stageArn)?.tags).toEqual({
      team: 'live', [POOL_TAG]: 'pool-1', [SESSION_TAG]: 'room-1', [CREATED_TAG]: expect.stringMatching(/^\d+$/),
    });
    expect(ruleState()).toBe('ENABLED');
  });

  test('two calls with one session key at the same moment make one stage, and both answer with it', async () => {
    const [a, b] = await Promise.all([
      createSession(deps, pool(), { sessionKey: 'room-1' }),
      createSession(deps, pool(), { sessionKey: 'room-1' }),
    ]);

    expect(a.stageArn).toBe(b.stageArn);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
    expect(fake().stages.size).toBe(1);
  });

  test('a key whose stage was deleted (its session is over) starts a new one', async () => {
    const first = await createSession(deps, pool(), { sessionKey: 'room-1' });
    await drain(deps, pool());

    const second = await createSession(deps, pool(), { sessionKey: 'room-1' });

    expect(second.created).toBe(true);
    expect(second.stageArn).not.toBe(first.stageArn);
  });

  test('a key claimed by a call that stopped before it made a stage is taken over once the claim runs out', async () => {
    // as a session function Lambda stopped between its claim and its CreateStage leaves it.
    await deps.requests.claim('session:room-1', { leaseUntil: Date.now() - 1, watchUntil: Date.now() - 1 });

    const session = await createSession(deps, pool(), { sessionKey: 'room-1' });

    expect(session.created).toBe(true);
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
  });

  test('a throttled CreateStage is retried until it gets through', async () => {
    fake().injectFault({ operation: 'CreateStage', errorType: 'ThrottlingException', times: 3 });

    const session = await createSession(deps, pool(), { sessionKey: 'room-1' });

    expect(fake().callsTo('CreateStage').map((call) => call.status)).toEqual([429, 429, 429, 200]);
    expect(fake().stages.has(session.stageArn)).toBe(true);
  });

  test('a pool at maxStages answers StagePoolFullError, at once and without calling IVS', async () => {
    await createSession(deps, pool({ maxStages: 1 }), { sessionKey: 'room-1' });

    await expect(createSession(deps, pool({ maxStages: 1 }), { sessionKey: 'room-2' })).rejects.toMatchObject({
      name: 'StagePoolFullError', message: expect.stringContaining('maxStages is 1'),
    });
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
    // the count is given back when a stage goes: a session fits again.
    await drain(deps, pool());
    await expect(createSession(deps, pool({ maxStages: 1 }), { sessionKey: 'room-2' })).resolves.toMatchObject({ created: true });
  });

  test('the account\'s stage quota answers StagePoolFullError, and the key can be tried again', async () => {
    fake().setQuotas({ stages: 0 });
    await expect(createSession(deps, pool(), { sessionKey: 'room-1' })).rejects.toMatchObject({
      name: 'StagePoolFullError', message: expect.stringContaining('quota of stages'),
    });
    fake().setQuotas({ stages: 1000 });
    await expect(createSession(deps, pool(), { sessionKey: 'room-1' })).resolves.toMatchObject({ created: true });
  });

  test('a first participant token is asked of the issuer for the session\'s stage; its refusal reaches the caller as it named it', async () => {
    const asked: unknown[] = [];
    const issueToken = async (request: any) => {
      asked.push(request);
      if (request.duration > 60) {
        throw Object.assign(new Error('`duration` must be at most 60 minutes'), { name: 'AccessDeniedException' });
      }
      return { participantToken: { participantId: 'p1', token: 'jwt', duration: request.duration, capabilities: ['PUBLISH' as const], expirationTime: 'later' } };
    };

    const session = await createSession({ ...deps, issueToken }, pool(), { sessionKey: 'room-1', participantToken: { userId: 'alice', duration: 30 } });

    expect(asked).toEqual([{ userId: 'alice', duration: 30, stageArn: session.stageArn }]);
    expect(session.participantToken).toMatchObject({ participantId: 'p1', token: 'jwt' });
    await expect(createSession({ ...deps, issueToken }, pool(), { sessionKey: 'room-1', participantToken: { duration: 90 } }))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    // the session stays as it was: the same call can be made again.
    expect(fake().callsTo('CreateStage')).toHaveLength(1);
  });

  test('a first token asked of a pool without an issuer is refused before anything is made', async () => {
    await expect(createSession(deps, pool(), { sessionKey: 'room-1', participantToken: {} })).rejects.toThrow(/the pool has no ParticipantTokenIssuer/);
    expect(fake().callsTo('CreateStage')).toHaveLength(0);
  });

  test('a session key that cannot tag a stage is refused before anything is made', async () => {
    await expect(createSession(deps, pool(), { sessionKey: 'a b' })).rejects.toThrow(/sessionKey must be 1-128 letters/);
    expect(fake().callsTo('CreateStage')).toHaveLength(0);
  });
});

describe('cleanup', () => {
  test('a stage nobody joined within emptyTimeout is deleted by the reconcile, which then disarms', async () => {
    const { stageArn } = await createSession(deps, pool({ emptyTimeoutSeconds: 0 }), { sessionKey: 'room-1' });

    await expect(reconcile(deps, pool({ emptyTimeoutSeconds: 0 }))).resolves.toEqual({ deleted: 1, remaining: 0 });
    expect(fake().stages.has(stageArn)).toBe(false);
    expect(ruleState()).toBe('DISABLED');
    expect(createRequestsDynamoDb().items(CREATE_REQUESTS_TABLE)).toEqual([{ token: 'stage-count', stages: 0 }]);
  });

  test('a stage within its timeouts is kept, without a call beyond ListStages, and the reconcile stays armed', async () => {
    const { stageArn } = await createSession(deps, pool(), { sessionKey: 'room-1' });
    const since = fake().calls.length;

    await expect(reconcile(deps, pool())).resolves.toEqual({ deleted: 0, remaining: 1 });
    expect(operationsSince(fake(), since)).toEqual(['ListStages']);
    expect(fake().stages.has(stageArn)).toBe(true);
    expect(ruleState()).toBe('ENABLED');
  });

  test('a stage whose last participant left departureTimeout ago is deleted; one with someone on it never is', async () => {
    const config = pool({ departureTimeoutSeconds: 0, maxAgeSeconds: 0 });
    const { stageArn, participantId } = await joinedStage(config, { stay: true });

    // maxAge is past too: someone is on it all the same.
    await expect(cleanUpStage(deps, config, stageArn)).resolves.toBe('kept');
    fake().leaveParticipant(stageArn, participantId);
    await expect(cleanUpStage(deps, config, stageArn)).resolves.toBe('deleted');
    expect(fake().stages.has(stageArn)).toBe(false);
  });

  test('within departureTimeout of the last session, a stage is kept for someone who rejoins', async () => {
    const { stageArn } = await joinedStage(pool({ departureTimeoutSeconds: 60 }));

    await expect(cleanUpStage(deps, pool({ departureTimeoutSeconds: 60 }), stageArn)).resolves.toBe('kept');
    await expect(cleanUpStage(deps, pool({ departureTimeoutSeconds: 60 }), stageArn, Date.now() + 61_000)).resolves.toBe('deleted');
  });

  test('cleanup racing a late join: someone who joined after the stage was judged over keeps it', async () => {
    const config = pool({ departureTimeoutSeconds: 0 });
    const { stageArn } = await joinedStage(config);
    // the participant rejoins between the cleanup's first look (its sessions listed) and its delete.
    const send = deps.ivs.send.bind(deps.ivs);
    let rejoined = false;
    jest.spyOn(deps.ivs, 'send').mockImplementation((async (command: any) => {
      const output = await send(command);
      if (command instanceof ListStageSessionsCommand && !rejoined) {
        rejoined = true;
        fake().startStageSession(stageArn);
        fake().joinParticipant(stageArn, { published: true });
      }
      return output;
    }) as any);

    await expect(cleanUpStage(deps, config, stageArn)).resolves.toBe('kept');

    expect(rejoined).toBe(true);
    expect(fake().stages.has(stageArn)).toBe(true);
    expect(fake().callsTo('DeleteStage')).toHaveLength(0);
  });

  test('a stage that carries the retain tag is kept, by the cleanup and by the stack\'s delete', async () => {
    const config = pool({ emptyTimeoutSeconds: 0 });
    const { stageArn } = await createSession(deps, config, { sessionKey: 'room-1' });
    const other = await createSession(deps, config, { sessionKey: 'room-2' });
    await deps.ivs.send(new TagResourceCommand({ resourceArn: stageArn, tags: { [RETAIN_TAG]: 'yes' } }));

    await expect(reconcile(deps, config)).resolves.toEqual({ deleted: 1, remaining: 1 });
    await drain(deps, config);
    expect(fake().stages.has(stageArn)).toBe(true);
    expect(fake().stages.has(other.stageArn)).toBe(false);
  });

  test('the stack\'s delete deletes live stages too, and stages of other pools never', async () => {
    const { stageArn } = await joinedStage(pool(), { stay: true });
    const outsider = await createSession(deps, pool({ poolId: 'pool-2' }), { sessionKey: 'room-9' });

    await drain(deps, pool());

    expect(fake().stages.has(stageArn)).toBe(false);
    expect(fake().stages.has(outsider.stageArn)).toBe(true);
  });
});

describe('events', () => {
  function unpublished(stageArn: string) {
    return {
      'detail-type': 'IVS Stage Update',
      'source': 'aws.ivs',
      'resources': [stageArn],
      'detail': { event_name: 'Participant Unpublished', session_id: 'st-old' },
    };
  }
  beforeEach(() => {
    process.env[STAGE_POOL_CONFIG_ENV] = JSON.stringify(pool({ departureTimeoutSeconds: 0 }));
  });

  test('an event after the last participant left deletes the stage; the same event again, or late, changes nothing', async () => {
    const { stageArn } = await joinedStage(pool({ departureTimeoutSeconds: 0 }));

    await cleanupEntry(unpublished(stageArn));
    expect(fake().stages.has(stageArn)).toBe(false);
    await expect(cleanupEntry(unpublished(stageArn))).resolves.toBeUndefined();
    expect(fake().callsTo('DeleteStage')).toHaveLength(1);
  });

  test('an event of an old session, arriving while a new one is live (out of order), keeps the stage', async () => {
    const { stageArn } = await joinedStage(pool({ departureTimeoutSeconds: 0 }));
    fake().startStageSession(stageArn);
    fake().joinParticipant(stageArn, { published: true });

    await cleanupEntry(unpublished(stageArn));

    expect(fake().stages.has(stageArn)).toBe(true);
  });

  test('missing events: the reconcile deletes what no event reported', async () => {
    const { stageArn } = await joinedStage(pool({ departureTimeoutSeconds: 0 }));

    await expect(cleanupEntry({ reconcileStagePool: 'pool-1' })).resolves.toEqual({ deleted: 1, remaining: 0 });
    expect(fake().stages.has(stageArn)).toBe(false);
  });
});
