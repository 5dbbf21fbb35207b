import { createPublicKey } from 'crypto';
import { onEvent as handler } from '../../handlers/provider/index';
import { ResourceType } from '../../lib/private/contract';
import { CustomResourceEvents, operationsSince, useFakeIvs, useFakeKms, withCreateRequest } from '../support/handler-harness';

const ivs = useFakeIvs();
const kms = useFakeKms();
const events = new CustomResourceEvents(ResourceType.KMS_PUBLIC_KEY, 'SigningKeyGeneration1');

const signingKey = () => kms().createKey({ keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' });
const propertiesFor = (kmsKeyArn: string) => ({ Request: { kmsKeyArn } });

describe('KMS-backed public key handler', () => {
  test('create reads the public half from KMS and imports it as PEM: one call to each, the ARN and fingerprint back', async () => {
    const key = signingKey();

    const response = await handler(events.create(propertiesFor(key.arn)));

    const arn = response.PhysicalResourceId;
    const imported = ivs().publicKeys.get(arn)!;
    expect(response.Data).toEqual({ Arn: arn, Fingerprint: imported.fingerprint });
    expect(kms().calls.map((call) => [call.operation, call.input])).toEqual([['GetPublicKey', { KeyId: key.arn }]]);
    expect(operationsSince(ivs(), 0)).toEqual(['ImportPublicKey']);
    expect(imported.publicKeyMaterial).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(createPublicKey(imported.publicKeyMaterial).export({ format: 'der', type: 'spki' }))
      .toEqual(kms().publicKey(key.keyId).export({ format: 'der', type: 'spki' }));
  });

  test('an import whose answer is lost after IVS imported it, and the same request delivered again, leave the one key, owned by the stack', async () => {
    const key = signingKey();
    ivs().injectLostAnswer({ operation: 'ImportPublicKey', answer: 'error' });
    const event = events.create(propertiesFor(key.arn));

    const first = await handler(event);
    const again = await handler(event);

    expect(again.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect([...ivs().publicKeys.keys()]).toEqual([first.PhysicalResourceId]);
    expect(ivs().publicKeys.get(first.PhysicalResourceId)!.tags).toEqual(withCreateRequest({}));
  });

  test('neither the response nor the logs carry key material: identifiers only', async () => {
    const logs: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => {
      logs.push(line);
    });

    const response = await handler(events.create(propertiesFor(signingKey().arn)));

    const material = ivs().publicKeys.get(response.PhysicalResourceId)!.publicKeyMaterial;
    const body = material.split('\n')[1];
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify(response), ...logs]) {
      expect(text).not.toContain('BEGIN PUBLIC KEY');
      expect(text).not.toContain(body);
    }
  });

  test.each([
    ['a P-256 key', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, /is a ECC_NIST_P256 key for SIGN_VERIFY/],
    ['an RSA encryption key', { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' }, /is a RSA_2048 key for ENCRYPT_DECRYPT/],
  ] as const)('%s is refused with a reason that says which key IVS needs; nothing is imported', async (_kind, spec, reason) => {
    const key = kms().createKey(spec);

    const failure = handler(events.create(propertiesFor(key.arn)));

    await expect(failure).rejects.toThrow(reason);
    await expect(failure).rejects.toThrow(/^Create public key SigningKeyGeneration1 failed: KMS key .* IVS verifies participant tokens signed with ES384, which needs a ECC_NIST_P384 key for SIGN_VERIFY$/);
    expect(ivs().publicKeys.size).toBe(0);
  });

  test('a KMS key that does not exist fails with the service\'s reason', async () => {
    const missing = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';

    await expect(handler(events.create(propertiesFor(missing)))).rejects
      .toThrow(/^Create public key SigningKeyGeneration1 failed: NotFoundException: Key '.*' does not exist$/);
  });

  test('KMS throttling is retried by the SDK', async () => {
    const key = signingKey();
    kms().injectFault({ operation: 'GetPublicKey', errorType: 'ThrottlingException', times: 2 });

    const response = await handler(events.create(propertiesFor(key.arn)));

    expect(ivs().publicKeys.has(response.PhysicalResourceId)).toBe(true);
    expect(kms().callsTo('GetPublicKey').map((call) => call.errorType)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  test('a KMS key imported twice fails with a reason that says each signing key needs its own KMS key', async () => {
    const key = signingKey();
    await handler(events.create(propertiesFor(key.arn)));

    await expect(handler(events.create(propertiesFor(key.arn)))).rejects.toThrow(/ConflictException: .* \(IVS holds a key only once per account and region: each KMS key backs one IVS public key: give each signing key its own KMS key\)$/);
  });

  test('a tags-only update tags in place and reads the fingerprint back from IVS, without asking KMS', async () => {
    const key = signingKey();
    const { PhysicalResourceId: arn, Data } = await handler(events.create(propertiesFor(key.arn)));
    const [ivsSince, kmsSince] = [ivs().calls.length, kms().calls.length];

    const response = await handler(events.update(arn, { ...propertiesFor(key.arn), Tags: { team: 'video' } }, propertiesFor(key.arn)));

    expect(response).toEqual({ PhysicalResourceId: arn, Data });
    expect(operationsSince(ivs(), ivsSince)).toEqual(['GetPublicKey', 'TagResource']);
    expect(kms().calls.length).toBe(kmsSince);
  });

  test('another KMS key replaces the public key; the old one is left for CloudFormation\'s cleanup', async () => {
    const [first, second] = [signingKey(), signingKey()];
    const { PhysicalResourceId: arn } = await handler(events.create(propertiesFor(first.arn)));

    const response = await handler(events.update(arn, propertiesFor(second.arn), propertiesFor(first.arn)));

    expect(response.PhysicalResourceId).not.toBe(arn);
    expect([...ivs().publicKeys.keys()].sort()).toEqual([arn, response.PhysicalResourceId].sort());
  });

  test('delete deletes the IVS public key and leaves the KMS key to its own resource', async () => {
    const key = signingKey();
    const { PhysicalResourceId: arn } = await handler(events.create(propertiesFor(key.arn)));
    const kmsSince = kms().calls.length;

    expect(await handler(events.delete(arn, propertiesFor(key.arn)))).toEqual({ PhysicalResourceId: arn });
    expect(ivs().publicKeys.size).toBe(0);
    expect(kms().calls.length).toBe(kmsSince);
    expect(kms().keys.get(key.keyId)?.state).toBe('Enabled');
  });
});
