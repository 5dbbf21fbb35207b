import { onEvent as handler } from '../../handlers/provider/index';
import { CustomResourceEvents, operationsSince, useFakeIvs, useFakeSecretsManager } from '../support/handler-harness';

const fake = useFakeIvs();
const secrets = useFakeSecretsManager();

/** Lambda's context with a fixed time left, as the handler sees it when invoked. */
const timeLeft = (ms: number) => {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
};

async function failureOf(call: Promise<unknown>): Promise<string> {
  return call.then(() => { throw new Error('expected the call to fail'); }, (error: Error) => error.message);
}

describe('the handler answers before Lambda times out', () => {
  const stages = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');
  const encoders = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');

  test('a create IVS does not answer in time fails with what may still happen, before the time runs out', async () => {
    fake().injectDelay({ operation: 'CreateStage', delayMs: 1500 });
    const started = Date.now();

    const reason = await failureOf(handler(stages.create({ Request: { name: 'slow' } }), timeLeft(1000)));

    expect(Date.now() - started).toBeLessThan(1000);
    expect(reason).toMatch(new RegExp("^Create stage Stage failed: no answer from AWS before the handler's time limit; the stage may still be "
      + 'created \\(tag cdk-ivs-realtime:create-request=[A-Za-z0-9_-]+\\): the rollback deletes it$'));
  });

  test('an update that replaces says a new resource may still be created; a delete, that it may still be deleted', async () => {
    const arn = (await handler(encoders.create({ Request: { name: 'a', video: { width: 1280, height: 720, framerate: 30, bitrate: 2500000 } } })))
      .PhysicalResourceId;
    fake().injectDelay({ operation: 'CreateEncoderConfiguration', delayMs: 1500 });
    const renamed = { Request: { name: 'b', video: { width: 1280, height: 720, framerate: 30, bitrate: 2500000 } } };
    const old = { Request: { name: 'a', video: { width: 1280, height: 720, framerate: 30, bitrate: 2500000 } } };

    expect(await failureOf(handler(encoders.update(arn, renamed, old), timeLeft(1000))))
      .toMatch(/^Update encoder configuration Encoder failed: .*a new encoder configuration may still be created \(tag cdk-ivs-realtime:create-request=\S+\): the rollback deletes it$/);

    fake().injectDelay({ operation: 'DeleteEncoderConfiguration', delayMs: 1500 });
    expect(await failureOf(handler(encoders.delete(arn, old), timeLeft(1000))))
      .toMatch(/^Delete encoder configuration Encoder failed: .*the encoder configuration may still be deleted: delete the stack again/);
  });

  test('without a Lambda context (a direct call) there is no deadline', async () => {
    fake().injectDelay({ operation: 'CreateStage', delayMs: 200 });
    expect((await handler(stages.create({ Request: {} }))).PhysicalResourceId).toMatch(/:stage\//);
  });
});

describe('the rollback of a refused update does not fail for the same reason', () => {
  test('a stage keeps its recording settings while a session records: the update fails with a hint, its rollback succeeds', async () => {
    const storages = new CustomResourceEvents('Custom::IvsRealTimeStorageConfiguration');
    const storageArn = (await handler(storages.create({ Request: { s3: { bucketName: 'recordings' } } }))).PhysicalResourceId;
    const stages = new CustomResourceEvents('Custom::IvsRealTimeStage', 'Stage');
    const recorded = (mediaType: string) => ({
      Request: { name: 'live', autoParticipantRecordingConfiguration: { storageConfigurationArn: storageArn, mediaTypes: [mediaType] } },
    });
    const arn = (await handler(stages.create(recorded('AUDIO_VIDEO')))).PhysicalResourceId;
    fake().startStageSession(arn);

    expect(await failureOf(handler(stages.update(arn, recorded('AUDIO_ONLY'), recorded('AUDIO_VIDEO')))))
      .toMatch(/^Update stage Stage failed: ConflictException: .* \(IVS does not change a stage's recording settings while a session is recorded: /);

    // CloudFormation's rollback: the old settings again, which the stage still has.
    const since = fake().calls.length;
    expect((await handler(stages.update(arn, recorded('AUDIO_VIDEO'), recorded('AUDIO_ONLY')))).PhysicalResourceId).toBe(arn);
    expect(operationsSince(fake(), since)).toEqual(['UpdateStage', 'GetStage']);
  });

  test('an ingest configuration an encoder publishes with keeps its settings: the rollback succeeds', async () => {
    const stageArn = (await handler(new CustomResourceEvents('Custom::IvsRealTimeStage').create({ Request: {} }))).PhysicalResourceId;
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Key-AbCdEf';
    secrets().defineSecret(secretArn);
    const ingests = new CustomResourceEvents('Custom::IvsRealTimeIngestConfiguration', 'Ingest');
    const props = (redundantIngest: boolean) => ({
      Request: { stageArn, ingestProtocol: 'RTMPS', redundantIngest }, StreamKeySecretArn: secretArn, ForceDelete: true,
    });
    const arn = (await handler(ingests.create(props(false)))).PhysicalResourceId;
    fake().setIngestState(arn, 'ACTIVE');

    expect(await failureOf(handler(ingests.update(arn, props(true), props(false))))).toMatch(/ConflictException: .*stop the broadcast/);
    expect((await handler(ingests.update(arn, props(false), props(true)))).PhysicalResourceId).toBe(arn);
    expect(fake().ingestConfigurations.get(arn)!.redundantIngest).toBe(false);
  });

  test('a type without an update call is not replaced when it already has the settings (the rollback of a failed replacement)', async () => {
    const keys = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');
    const video = { width: 1280, height: 720, framerate: 30, bitrate: 2500000 };
    const arn = (await handler(keys.create({ Request: { name: 'a', video } }))).PhysicalResourceId;
    const since = fake().calls.length;

    const response = await handler(keys.update(arn, { Request: { name: 'a', video } }, { Request: { name: 'b', video } }));

    expect(response.PhysicalResourceId).toBe(arn);
    expect(operationsSince(fake(), since)).toEqual(['GetEncoderConfiguration']);
    expect(fake().encoderConfigurations.size).toBe(1);
  });

  test('a setting left out of the props never counts as one the resource has: that replaces, as before', async () => {
    const keys = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');
    const video = { width: 1280, height: 720, framerate: 30, bitrate: 2500000 };
    const arn = (await handler(keys.create({ Request: { video } }))).PhysicalResourceId;

    const response = await handler(keys.update(arn, { Request: { video } }, { Request: { name: 'b', video } }));

    expect(response.PhysicalResourceId).not.toBe(arn);
  });
});
