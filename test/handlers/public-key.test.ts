import { generateKeyPairSync } from 'crypto';
import { onEvent as handler } from '../../handlers/provider/index';
import { CustomResourceEvents, operationsSince, useFakeIvs, withCreateRequest } from '../support/handler-harness';

const fake = useFakeIvs();
const events = new CustomResourceEvents('Custom::IvsRealTimePublicKey', 'TokenKey');

function newPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

const PEM = newPem();
const PROPERTIES = { Request: { publicKeyMaterial: PEM, name: 'tokens' } };

describe('public key handler', () => {
  test('create imports the key in one call and returns its ARN and fingerprint', async () => {
    const response = await handler(events.create(PROPERTIES));

    const arn = response.PhysicalResourceId;
    expect(arn).toMatch(/^arn:aws:ivs:us-east-1:123456789012:public-key\/[a-zA-Z0-9]+$/);
    expect(response.Data).toEqual({ Arn: arn, Fingerprint: fake().publicKeys.get(arn)?.fingerprint });
    expect(response.Data?.Fingerprint).toMatch(/.+/);
    expect(fake().calls.map((call) => [call.operation, call.input])).toEqual([
      ['ImportPublicKey', { publicKeyMaterial: PEM, name: 'tokens', tags: withCreateRequest({}) }],
    ]);
  });

  test('create with tags tags it in the same call', async () => {
    const { PhysicalResourceId: arn } = await handler(events.create({ ...PROPERTIES, Tags: { team: 'video' } }));

    expect(operationsSince(fake(), 0)).toEqual(['ImportPublicKey']);
    expect(fake().publicKeys.get(arn)?.tags).toEqual(withCreateRequest({ team: 'video' }));
  });

  test('an update of tags only changes the tags in place and still returns the fingerprint', async () => {
    const { PhysicalResourceId: arn, Data } = await handler(events.create({ ...PROPERTIES, Tags: { team: 'video', env: 'dev' } }));
    const since = fake().calls.length;

    const response = await handler(events.update(arn, { ...PROPERTIES, Tags: { team: 'media' } },
      { ...PROPERTIES, Tags: { team: 'video', env: 'dev' } }));

    expect(response).toEqual({ PhysicalResourceId: arn, Data: { Arn: arn, Fingerprint: Data?.Fingerprint } });
    // GetPublicKey reads the fingerprint back: CloudFormation keeps only the attributes of the latest response.
    expect(operationsSince(fake(), since)).toEqual(['GetPublicKey', 'TagResource', 'UntagResource']);
    expect(fake().publicKeys.get(arn)?.tags).toEqual(withCreateRequest({ team: 'media' }));
  });

  test('a change of the key replaces it: a new ARN and fingerprint, the old key left for CloudFormation to delete', async () => {
    const { PhysicalResourceId: arn, Data } = await handler(events.create(PROPERTIES));
    const since = fake().calls.length;

    const response = await handler(events.update(arn, { Request: { publicKeyMaterial: newPem(), name: 'tokens' } }, PROPERTIES));

    expect(response.PhysicalResourceId).not.toBe(arn);
    expect(response.Data?.Fingerprint).not.toBe(Data?.Fingerprint);
    expect(operationsSince(fake(), since)).toEqual(['GetPublicKey', 'ImportPublicKey']);
    expect(fake().publicKeys.has(arn)).toBe(true);
  });

  test('a change of the name alone fails with a reason that says why: IVS holds a key only once', async () => {
    const { PhysicalResourceId: arn } = await handler(events.create(PROPERTIES));

    const renamed = handler(events.update(arn, { Request: { publicKeyMaterial: PEM, name: 'renamed' } }, PROPERTIES));

    await expect(renamed).rejects.toThrow(/^Update public key TokenKey failed: ConflictException: .+ \(IVS holds a key only once per /);
    await expect(renamed).rejects.toThrow(/account and region: to rename a public key, import a new key pair\)$/);
    expect([...fake().publicKeys.keys()]).toEqual([arn]);
  });

  test('delete deletes it', async () => {
    const { PhysicalResourceId: arn } = await handler(events.create(PROPERTIES));

    expect(await handler(events.delete(arn, PROPERTIES))).toEqual({ PhysicalResourceId: arn });
    expect(fake().publicKeys.size).toBe(0);
  });

  test('delete of a key that is already gone succeeds', async () => {
    const gone = 'arn:aws:ivs:us-east-1:123456789012:public-key/AbCdEf123456';

    expect(await handler(events.delete(gone, PROPERTIES))).toEqual({ PhysicalResourceId: gone });
    expect(fake().calls.map((call) => [call.operation, call.errorType])).toEqual([['DeletePublicKey', 'ResourceNotFoundException']]);
  });

  test('a service ValidationException fails with a short reason naming the request, resource and service message', async () => {
    const failure = handler(events.create({ Request: { publicKeyMaterial: 'not a key' } }));

    await expect(failure).rejects
      .toThrow(/^Create public key TokenKey failed: ValidationException: 1 validation error detected: .*publicKeyMaterial/);
    await expect(failure.catch((error: Error) => error.message.length)).resolves.toBeLessThan(1000);
  });
});
