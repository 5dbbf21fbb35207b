import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { StagePoolStack } from '../examples/stage-pool';
import { ParticipantTokenIssuer, ParticipantTokenSigningKey, StagePool } from '../lib';
import { LocalDeployment, LocalIvs } from '../testing';
import { verifyParticipantToken } from './support/participant-token-verifier';

/**
 * The example deployed by the testing kit, driven as a backend and its users would: a session asked for, a participant
 * who publishes and leaves, time passing (the kit's clock), the reconcile's schedule, and the stack's delete.
 */
describe('lifecycle of the stage pool example', () => {
  let local: LocalIvs;
  let outdir: string;
  let deployment: LocalDeployment;
  let example: StagePoolStack;
  const stackName = 'StagePool';
  beforeAll(async () => {
    local = await LocalIvs.start();
  });
  afterAll(async () => {
    await local.stop();
  });
  beforeEach(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-pool-'));
    const app = new App({ outdir });
    example = new StagePoolStack(app, stackName);
    deployment = new LocalDeployment(local);
    expect((await deployment.deploy(app.synth().directory)).reason).toBeUndefined();
  });
  afterEach(async () => {
    await deployment.close();
    local.reset();
    fs.rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  const sessionFunction = () => deployment.stack(stackName).logicalIdOf(example.pool.sessionFunction);
  const reconcileRule = () => deployment.stack(stackName).logicalIdOf(example.node.findChild('Sessions').node.findChild('ReconcileSchedule'));
  const createSession = async (sessionKey: string) => {
    const outcome = await deployment.invoke(stackName, sessionFunction(), { sessionKey });
    if (!outcome.ok) throw new Error(`${outcome.errorType}: ${outcome.errorMessage}`);
    return outcome.payload as { stageArn: string; created: boolean };
  };

  test('session → publish → leave → time passes → reconcile → stage gone → destroy, nothing left', async () => {
    // an idle pool: its reconcile is disabled and runs nothing.
    await expect(deployment.runSchedule(stackName, reconcileRule())).resolves.toBeUndefined();

    const session = await createSession('lesson-42');
    expect(session.created).toBe(true);
    await expect(createSession('lesson-42')).resolves.toEqual({ ...session, created: false });

    const { participant, deliveries } = await deployment.publish(session.stageArn, { userId: 'teacher' });
    // the pool's StageComposition starts recording the session.
    expect(deliveries.map(({ invocation }) => invocation?.attempts.at(-1)?.ok)).toEqual([true]);
    expect([...local.ivs.compositions.values()].filter(({ stageArn, state }) => stageArn === session.stageArn && state === 'ACTIVE'))
      .toHaveLength(1);
    await deployment.leave(participant);
    // within departureTimeout (a minute): kept for someone who rejoins.
    await deployment.runSchedule(stackName, reconcileRule());
    expect(local.ivs.stages.has(session.stageArn)).toBe(true);

    local.advanceTime(61_000);
    const reconciled = await deployment.runSchedule(stackName, reconcileRule());
    expect(reconciled).toEqual({ ok: true, payload: { deleted: 1, remaining: 0 } });
    expect(local.ivs.stages.has(session.stageArn)).toBe(false);
    // nothing left: the reconcile disarmed itself.
    await expect(deployment.runSchedule(stackName, reconcileRule())).resolves.toBeUndefined();

    expect((await deployment.destroy()).reason).toBeUndefined();
    expect(local.ivs.resourceCount()).toBe(0);
    expect([...local.ivs.compositions.values()].filter(({ state }) => state !== 'STOPPED')).toEqual([]);
  });

  test('a stage nobody joins is deleted after emptyTimeout', async () => {
    const session = await createSession('lesson-43');

    local.advanceTime(119_000);
    await deployment.runSchedule(stackName, reconcileRule());
    expect(local.ivs.stages.has(session.stageArn)).toBe(true);
    local.advanceTime(2_000);
    await deployment.runSchedule(stackName, reconcileRule());
    expect(local.ivs.stages.has(session.stageArn)).toBe(false);

    expect((await deployment.destroy()).reason).toBeUndefined();
  });

  test('a stack deleted while sessions are live deletes their stages: nothing left', async () => {
    const live = await createSession('lesson-44');
    await deployment.publish(live.stageArn, { userId: 'teacher' });
    await createSession('lesson-45');

    expect((await deployment.destroy()).reason).toBeUndefined();
    expect(local.ivs.resourceCount()).toBe(0);
  });
});

describe('a stage pool with a participant token issuer', () => {
  test('a session\'s first token comes with its stage, signed by the issuer, for that stage', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const local = await LocalIvs.start();
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-pool-tokens-'));
    const deployment = new LocalDeployment(local);
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'PoolTokens');
      const pool = new StagePool(stack, 'Sessions');
      new ParticipantTokenIssuer(stack, 'Tokens', { signingKey: new ParticipantTokenSigningKey(stack, 'SigningKey'), stagePool: pool });
      expect((await deployment.deploy(app.synth().directory)).reason).toBeUndefined();

      const outcome = await deployment.invoke('PoolTokens', deployment.stack('PoolTokens').logicalIdOf(pool.sessionFunction), {
        sessionKey: 'lesson-1', participantToken: { userId: 'teacher', capabilities: ['PUBLISH', 'SUBSCRIBE'], duration: 60 },
      });

      expect(outcome.ok).toBe(true);
      const { stageArn, participantToken } = (outcome as { payload: any }).payload;
      expect(participantToken).toMatchObject({ userId: 'teacher', duration: 60, capabilities: ['PUBLISH', 'SUBSCRIBE'] });
      expect(verifyParticipantToken(participantToken.token, local.ivs, { stageArn })).toMatchObject({ resource: stageArn, user_id: 'teacher' });
      expect((await deployment.destroy()).reason).toBeUndefined();
      expect(local.ivs.resourceCount()).toBe(0);
    } finally {
      await deployment.close();
      await local.stop();
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
