import {
  CreateStageCommand, CreateStorageConfigurationCommand, DeleteEncoderConfigurationCommand, IVSRealTimeClient, StartCompositionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ivs-realtime';
import { deleteOnceFree } from '../../handlers/provider/deferred-deletes';
import { handler as entry, onEvent as handler } from '../../handlers/provider/index';
import { DEFERRED_DELETES_RESOURCE_TYPE, DELETE_WHEN_FREE_TAG, sweepRuleName } from '../../lib/private/deferred-deletes-contract';
import { CustomResourceEvents, sweepEventBridge, useFakeIvs, withCreateRequest } from '../support/handler-harness';

const fake = useFakeIvs();
const encoders = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');
const storages = new CustomResourceEvents('Custom::IvsRealTimeStorageConfiguration', 'Storage');
const drains = new CustomResourceEvents(DEFERRED_DELETES_RESOURCE_TYPE, 'DeferredDeletes');
const ENCODER = { Request: { name: 'hd' } };
const STORAGE = { Request: { s3: { bucketName: 'recordings' } } };
const STACK_ID = encoders.create(ENCODER).StackId;
const OTHER_STACK_ID = STACK_ID.replace('TestStack', 'OtherStack');

let client: IVSRealTimeClient;
beforeAll(() => {
  client = new IVSRealTimeClient({
    endpoint: fake().endpoint, region: fake().region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  });
});
afterAll(() => client.destroy());

/** The handler's log lines (JSON), by message. */
function logged(message: string): any[] {
  return (console.log as jest.Mock).mock.calls.map(([line]) => JSON.parse(line)).filter((line) => line.message === message);
}

/** An encoder and a storage configuration created by the handler, and a composition of a new stage that uses both. */
async function composed(options: { connected: boolean }) {
  const encoderArn = (await handler(encoders.create(ENCODER))).PhysicalResourceId;
  const storageArn = (await handler(storages.create(STORAGE))).PhysicalResourceId;
  const { stage } = await client.send(new CreateStageCommand({ name: 'outside' }));
  const stageArn = stage!.arn!;
  fake().startStageSession(stageArn);
  const participant = options.connected ? fake().joinParticipant(stageArn, { published: true }) : undefined;
  const { composition } = await client.send(new StartCompositionCommand({
    stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
  }));
  return { encoderArn, storageArn, stageArn, compositionArn: composition!.arn!, participant };
}

describe('deletes that compositions hold', () => {
  test('held by a composition with someone on its stage, a delete is deferred at once: tagged, reported deleted, and logged', async () => {
    const { encoderArn, compositionArn, stageArn } = await composed({ connected: true });

    await expect(handler(encoders.delete(encoderArn, ENCODER))).resolves.toEqual({ PhysicalResourceId: encoderArn });

    expect(fake().callsTo('DeleteEncoderConfiguration').map((call) => call.status)).toEqual([409]);
    expect(fake().encoderConfigurations.get(encoderArn)?.tags).toEqual(withCreateRequest({ [DELETE_WHEN_FREE_TAG]: STACK_ID }));
    const [deferred] = logged('delete deferred until it is free');
    expect(deferred).toMatchObject({
      arn: encoderArn,
      heldBy: `encoder configuration ${encoderArn} is used by composition ${compositionArn} of stage ${stageArn} `
        + '(participants are connected to the stage)',
      tag: `${DELETE_WHEN_FREE_TAG}=${STACK_ID}`,
      then: expect.stringMatching(/^the provider's sweep tries again every 5 minutes and deletes it once it is free; deleting the stack/),
    });
    expect(Date.parse(deferred.nextAttemptBy) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(logged('waiting for the compositions that use it to end')).toEqual([]);
    // the stack's sweep, disabled while nothing was deferred, is armed.
    expect(sweepEventBridge().rule(sweepRuleName(STACK_ID))?.state).toBe('ENABLED');
  });

  test('a deferred delete whose sweep cannot be armed is still deferred (the stack\'s drain deletes it), and says so', async () => {
    const { encoderArn } = await composed({ connected: true });
    sweepEventBridge().injectFault({ errorType: 'AccessDeniedException', times: Infinity });

    await expect(handler(encoders.delete(encoderArn, ENCODER))).resolves.toEqual({ PhysicalResourceId: encoderArn });

    expect(fake().encoderConfigurations.get(encoderArn)?.tags).toEqual(withCreateRequest({ [DELETE_WHEN_FREE_TAG]: STACK_ID }));
    expect(logged('could not arm the sweep: the stack\'s delete deletes it')).toEqual([expect.objectContaining({ arn: encoderArn })]);
    expect(sweepEventBridge().rule(sweepRuleName(STACK_ID))?.state).toBe('DISABLED');
  });

  test('held by a composition IVS is about to stop (nobody on its stage), a delete waits for it, says until when, and deletes', async () => {
    fake().setCompositionIdleTimeout(1500);
    const { storageArn, compositionArn } = await composed({ connected: false });

    const started = Date.now();
    await handler(storages.delete(storageArn, STORAGE));

    expect(fake().storageConfigurations.has(storageArn)).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [waiting] = logged('waiting for the compositions that use it to end');
    expect(waiting.heldBy).toEqual([expect.stringContaining(`composition ${compositionArn} of stage `)]);
    expect(waiting.heldBy[0]).toMatch(/\(nobody is connected to the stage: IVS stops it a minute after the last participant left\)$/);
    expect(Date.parse(waiting.givingUpAt) - started).toBeGreaterThanOrEqual(119_000);
    expect(logged('delete deferred until it is free')).toEqual([]);
  });

  test('the wait is bounded: still held at the limit, the delete gives up with what holds it', async () => {
    const { encoderArn, compositionArn } = await composed({ connected: false });
    const remove = () => client.send(new DeleteEncoderConfigurationCommand({ arn: encoderArn }));

    const refusal = await deleteOnceFree(client, encoderArn, remove, Date.now() + 2500);

    expect(refusal?.holders).toEqual([expect.objectContaining({ compositionArn, ending: expect.stringMatching(/^nobody is connected/) })]);
    // 1 s, then 2 s would pass the limit: two attempts.
    expect(fake().callsTo('DeleteEncoderConfiguration')).toHaveLength(2);
  });

  test('refused for a reason that names no composition (a stage records to it), a delete retries briefly, then defers with the reason', async () => {
    const storageArn = (await handler(storages.create(STORAGE))).PhysicalResourceId;
    await client.send(new CreateStageCommand({ autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn } }));

    await handler(storages.delete(storageArn, STORAGE));

    expect(fake().callsTo('DeleteStorageConfiguration').map((call) => call.status)).toEqual([409, 409, 409, 409]);
    expect(fake().storageConfigurations.get(storageArn)?.tags).toEqual(withCreateRequest({ [DELETE_WHEN_FREE_TAG]: STACK_ID }));
    expect(logged('delete deferred until it is free')[0].heldBy)
      .toMatch(/^storage configuration \S+ is in use: ConflictException: .*auto-participant recording of stage/);
  }, 20_000);

  test('a delete IVS refuses that cannot be marked fails, saying both', async () => {
    const { encoderArn } = await composed({ connected: true });
    fake().injectFault({ operation: 'TagResource', errorType: 'ValidationException', message: 'too many tags' });

    await expect(handler(encoders.delete(encoderArn, ENCODER))).rejects.toThrow(new RegExp('^Delete encoder configuration Encoder failed: '
      + `encoder configuration ${encoderArn} is used by composition .+; marking it to be deleted once free failed: ValidationException: too many tags$`));
  });
});

describe('the sweep', () => {
  test('deletes the stack\'s deferred deletes that are free, leaves those still held and other stacks\' alone, and never fails', async () => {
    const { encoderArn, storageArn, stageArn, participant } = await composed({ connected: true });
    const free = (await handler(encoders.create(ENCODER))).PhysicalResourceId;
    const others = (await handler(encoders.create(ENCODER))).PhysicalResourceId;
    for (const arn of [encoderArn, storageArn, free]) {
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: { [DELETE_WHEN_FREE_TAG]: STACK_ID } }));
    }
    await client.send(new TagResourceCommand({ resourceArn: others, tags: { [DELETE_WHEN_FREE_TAG]: OTHER_STACK_ID } }));

    const first = await entry({ sweepDeferredDeletesOfStack: STACK_ID });

    expect(first.deleted).toEqual([free]);
    expect(first.remaining).toEqual([
      expect.stringMatching(new RegExp(`^storage configuration ${storageArn} is used by composition \\S+ of stage ${stageArn} \\(participants`)),
      expect.stringMatching(new RegExp(`^encoder configuration ${encoderArn} is used by composition `)),
    ]);
    // one attempt each: the next sweep comes in 5 minutes.
    expect(fake().callsTo('DeleteEncoderConfiguration').map((call) => call.input.arn)).toEqual([encoderArn, free]);
    expect(logged('swept')[0]).toMatchObject({ stackId: STACK_ID, deleted: [free], nextAttemptBy: expect.any(String) });

    // the session ends: IVS stops the composition, and the next sweep deletes both.
    fake().setCompositionIdleTimeout(0);
    fake().leaveParticipant(stageArn, participant!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sweepEventBridge().rule(sweepRuleName(STACK_ID))?.state).toBe('ENABLED'); // still armed: some remain
    expect(await entry({ sweepDeferredDeletesOfStack: STACK_ID })).toEqual({ deleted: [storageArn, encoderArn], corrected: [], remaining: [] });
    // none left: the sweep disarms itself, and the idle stack costs no invocation.
    expect(sweepEventBridge().rule(sweepRuleName(STACK_ID))?.state).toBe('DISABLED');
    expect([...fake().encoderConfigurations.keys()]).toEqual([others]);
    expect(fake().storageConfigurations.size).toBe(0);
  });

  test('an error other than a conflict is reported and the sweep goes on', async () => {
    const first = (await handler(encoders.create(ENCODER))).PhysicalResourceId;
    const second = (await handler(encoders.create(ENCODER))).PhysicalResourceId;
    for (const arn of [first, second]) {
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: { [DELETE_WHEN_FREE_TAG]: STACK_ID } }));
    }
    fake().injectFault({ operation: 'DeleteEncoderConfiguration', errorType: 'AccessDeniedException', message: 'not allowed' });

    expect(await entry({ sweepDeferredDeletesOfStack: STACK_ID })).toEqual({
      deleted: [second], corrected: [], remaining: [`deleting encoder configuration ${first} failed: AccessDeniedException: not allowed`],
    });
  });
});

describe('the drain of deferred deletes', () => {
  const drain = drains.create({});

  test('create and update make no call', async () => {
    const { PhysicalResourceId } = await handler(drain);
    await handler(drains.update(PhysicalResourceId, {}, {}));
    expect(fake().calls).toEqual([]);
  });

  test('on delete it deletes what is free; still held, it fails naming the resource and the composition; again once free, it finishes',
    async () => {
      const { encoderArn, storageArn, stageArn, compositionArn, participant } = await composed({ connected: true });
      for (const arn of [encoderArn, storageArn]) {
        await client.send(new TagResourceCommand({ resourceArn: arn, tags: { [DELETE_WHEN_FREE_TAG]: STACK_ID } }));
      }
      const physicalId = (await handler(drain)).PhysicalResourceId;

      await expect(handler(drains.delete(physicalId, {}))).rejects.toThrow(new RegExp('^Delete deferred deletes DeferredDeletes failed: '
        + `storage configuration ${storageArn} is used by composition ${compositionArn} of stage ${stageArn} \\(participants are connected `
        + 'to the stage\\) \\(and 1 more\\): delete the stack again once it is free$'));

      fake().setCompositionIdleTimeout(0);
      fake().leaveParticipant(stageArn, participant!);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(handler(drains.delete(physicalId, {}))).resolves.toEqual({ PhysicalResourceId: physicalId });
      expect(fake().resourceCount()).toBe(1); // the stage outside the stack
    });

  test('on delete it waits for a composition IVS is about to stop', async () => {
    fake().setCompositionIdleTimeout(1500);
    const { encoderArn } = await composed({ connected: false });
    await client.send(new TagResourceCommand({ resourceArn: encoderArn, tags: { [DELETE_WHEN_FREE_TAG]: STACK_ID } }));
    const { storageConfiguration } = await client.send(new CreateStorageConfigurationCommand({ s3: { bucketName: 'untagged' } }));

    await handler(drains.delete((await handler(drain)).PhysicalResourceId, {}));

    expect(fake().encoderConfigurations.size).toBe(0);
    // untagged: not the stack's to delete.
    expect(fake().storageConfigurations.has(storageConfiguration!.arn!)).toBe(true);
  });
});
