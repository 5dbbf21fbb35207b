import { onEvent as handler } from '../../handlers/provider/index';
import { CustomResourceEvents, useFakeIvs, withCreateRequest } from '../support/handler-harness';

const fake = useFakeIvs();
const events = new CustomResourceEvents('Custom::IvsRealTimeEncoderConfiguration', 'Encoder');
const REQUEST = { name: 'full-hd', video: { width: 1920, height: 1080, framerate: 30, bitrate: 6000000 } };
const MARK = 'cdk-ivs-realtime:delete-when-free';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Test/1';

// issue 22: a template that tags a resource with the library's own keys must not make the deferred-delete sweep delete it.
describe('tags under the library\'s prefix in the properties', () => {
  test('are ignored at create: the resource gets the user\'s tags and the handler\'s own create-request tag only', async () => {
    const arn = (await handler(events.create({ Request: REQUEST, Tags: { team: 'video', [MARK]: STACK_ID } }))).PhysicalResourceId;

    expect(fake().encoderConfigurations.get(arn)?.tags).toEqual(withCreateRequest({ team: 'video' }));
  });

  test('are neither set nor removed on update: a mark the handler made itself stays', async () => {
    const arn = (await handler(events.create({ Request: REQUEST, Tags: { team: 'video' } }))).PhysicalResourceId;
    const since = fake().calls.length;

    await handler(events.update(arn, { Request: REQUEST, Tags: { team: 'video', [MARK]: STACK_ID } }, { Request: REQUEST, Tags: { team: 'video' } }));
    expect(fake().calls.slice(since).map((call) => call.operation)).not.toContain('TagResource');
    expect(fake().encoderConfigurations.get(arn)?.tags).not.toHaveProperty(MARK);

    // the handler's own mark (a deferred delete) is not untagged by an update whose old properties named the key.
    fake().encoderConfigurations.get(arn)!.tags[MARK] = STACK_ID;
    await handler(events.update(arn, { Request: REQUEST, Tags: { team: 'video' } }, { Request: REQUEST, Tags: { team: 'video', [MARK]: STACK_ID } }));
    expect(fake().encoderConfigurations.get(arn)?.tags).toHaveProperty(MARK, STACK_ID);
  });
});
