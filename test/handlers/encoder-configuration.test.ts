import { onEvent as handler } from '../../handlers/provider/index';
import { CustomResourceEvents, operationsSince, useFakeIvs, withCreateRequest } from '../support/handler-harness';

const fake = useFakeIvs();
const events = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');
const VIDEO = { width: 1920, height: 1080, framerate: 29.97, bitrate: 6000000 };
const PROPERTIES = { Request: { name: 'full-hd', video: VIDEO } };

async function created(properties: Record<string, unknown> = PROPERTIES): Promise<string> {
  return (await handler(events.create(properties))).PhysicalResourceId;
}

describe('encoder configuration handler', () => {
  test('create sends the API request with its stringified numbers restored, in one call, and returns the ARN', async () => {
    const response = await handler(events.create(PROPERTIES));

    expect(response.PhysicalResourceId).toMatch(/^arn:aws:ivs:us-east-1:123456789012:encoder-configuration\/[a-zA-Z0-9]+$/);
    expect(response.Data).toEqual({ Arn: response.PhysicalResourceId });
    expect(fake().calls.map((call) => [call.operation, call.input])).toEqual([
      ['CreateEncoderConfiguration', { name: 'full-hd', video: VIDEO, tags: withCreateRequest({}) }],
    ]);
    expect(fake().encoderConfigurations.get(response.PhysicalResourceId)).toMatchObject({ name: 'full-hd', video: VIDEO, tags: {} });
  });

  test('create with tags tags it in the same call', async () => {
    const arn = await created({ ...PROPERTIES, Tags: { team: 'video' } });

    expect(operationsSince(fake(), 0)).toEqual(['CreateEncoderConfiguration']);
    expect(fake().encoderConfigurations.get(arn)?.tags).toEqual(withCreateRequest({ team: 'video' }));
  });

  test('an update of tags only changes the tags in place: same ARN, no create', async () => {
    const arn = await created({ ...PROPERTIES, Tags: { team: 'video', env: 'dev' } });
    const since = fake().calls.length;

    const response = await handler(events.update(arn, { ...PROPERTIES, Tags: { team: 'media', owner: 'ops' } },
      { ...PROPERTIES, Tags: { team: 'video', env: 'dev' } }));

    expect(response).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn } });
    expect(operationsSince(fake(), since)).toEqual(['TagResource', 'UntagResource']);
    expect(fake().encoderConfigurations.get(arn)?.tags).toEqual(withCreateRequest({ team: 'media', owner: 'ops' }));
  });

  test('an update that changes nothing makes no call', async () => {
    const arn = await created();
    const since = fake().calls.length;

    expect(await handler(events.update(arn, PROPERTIES, PROPERTIES))).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn } });
    expect(operationsSince(fake(), since)).toEqual([]);
  });

  test('a change of the video replaces it: a new ARN, the old one left for CloudFormation to delete', async () => {
    const arn = await created();
    const since = fake().calls.length;
    const changed = { Request: { name: 'full-hd', video: { ...VIDEO, bitrate: 8000000 } }, Tags: { team: 'video' } };

    const response = await handler(events.update(arn, changed, PROPERTIES));

    expect(response.PhysicalResourceId).not.toBe(arn);
    // the Get makes sure the old one does not already have the new settings (as in a rollback), which would replace nothing.
    expect(operationsSince(fake(), since)).toEqual(['GetEncoderConfiguration', 'CreateEncoderConfiguration']);
    expect(fake().encoderConfigurations.get(response.PhysicalResourceId)).toMatchObject({ video: { bitrate: 8000000 }, tags: { team: 'video' } });
    expect(fake().encoderConfigurations.has(arn)).toBe(true);
  });

  test('a change of the name replaces it too', async () => {
    const arn = await created();
    const response = await handler(events.update(arn, { Request: { video: VIDEO } }, PROPERTIES));

    expect(response.PhysicalResourceId).not.toBe(arn);
    expect(fake().encoderConfigurations.get(response.PhysicalResourceId)?.name).toBe('');
  });

  test('delete deletes it', async () => {
    const arn = await created();

    expect(await handler(events.delete(arn, PROPERTIES))).toEqual({ PhysicalResourceId: arn });
    expect(fake().encoderConfigurations.size).toBe(0);
  });

  test('delete of an encoder configuration that is already gone succeeds', async () => {
    const gone = 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/AbCdEf123456';

    expect(await handler(events.delete(gone, PROPERTIES))).toEqual({ PhysicalResourceId: gone });
    expect(fake().calls.map((call) => [call.operation, call.errorType])).toEqual([['DeleteEncoderConfiguration', 'ResourceNotFoundException']]);
  });

  test('delete retries a conflict that clears by itself (a composition still stopping)', async () => {
    const arn = await created();
    fake().injectFault({ operation: 'DeleteEncoderConfiguration', errorType: 'ConflictException', message: 'in use by a stopping composition' });

    await handler(events.delete(arn, PROPERTIES));

    expect(fake().callsTo('DeleteEncoderConfiguration').map((call) => call.status)).toEqual([409, 200]);
    expect(fake().encoderConfigurations.size).toBe(0);
  });

  test('a service ValidationException fails with a short reason naming the request, resource and service message', async () => {
    const invalid = { Request: { video: { ...VIDEO, width: 1922 } } };

    const failure = handler(events.create(invalid));

    await expect(failure).rejects
      .toThrow(/^Create encoder configuration Encoder failed: ValidationException: 1 validation error detected: .*video\.width/);
    await expect(failure.catch((error: Error) => error.message.length)).resolves.toBeLessThan(1000);
  });
});
