import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'crypto';
import {
  GetPublicKeyCommand, KMSClient, KMSInvalidStateException, NotFoundException, ScheduleKeyDeletionCommand, SignCommand,
} from '@aws-sdk/client-kms';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { derSignature, FakeKms } from './fake-kms';
import { LifecycleDriver } from './lifecycle-driver';

let fake: FakeKms;
let client: KMSClient;

beforeAll(async () => {
  fake = await FakeKms.start();
  client = new KMSClient({
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
  });
});
afterEach(() => fake.reset());
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const signingKey = () => fake.createKey({ keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' });
const publicKeyOf = async (keyId: string) =>
  createPublicKey({ key: Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!), format: 'der', type: 'spki' });

describe('the real KMS client against the fake', () => {
  test('GetPublicKey answers the DER SubjectPublicKeyInfo of a P-384 key, with its spec, usage and algorithm', async () => {
    const key = signingKey();

    const answer = await client.send(new GetPublicKeyCommand({ KeyId: key.arn }));

    expect(answer).toMatchObject({ KeyId: key.arn, KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_384'] });
    expect(createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve)
      .toBe('secp384r1');
  });

  test.each(['RAW', 'DIGEST'] as const)('Sign of a %s message gives a DER ECDSA signature that verifies with the public key', async (messageType) => {
    const key = signingKey();
    const message = Buffer.from('header.payload');

    const { Signature, SigningAlgorithm } = await client.send(new SignCommand({
      KeyId: key.keyId,
      Message: messageType === 'RAW' ? message : createHash('sha384').update(message).digest(),
      MessageType: messageType,
      SigningAlgorithm: 'ECDSA_SHA_384',
    }));

    expect(SigningAlgorithm).toBe('ECDSA_SHA_384');
    expect(Buffer.from(Signature!)[0]).toBe(0x30);
    expect(verify('sha384', message, await publicKeyOf(key.keyId), Buffer.from(Signature!))).toBe(true);
    expect(verify('sha384', Buffer.from('another message'), await publicKeyOf(key.keyId), Buffer.from(Signature!))).toBe(false);
  });

  test('Sign refuses another algorithm, a key for encryption, a digest of the wrong length and an unknown key', async () => {
    const key = signingKey();
    const encryption = fake.createKey();
    const signWith = (input: Partial<ConstructorParameters<typeof SignCommand>[0]>) => client.send(new SignCommand({
      KeyId: key.keyId, Message: Buffer.alloc(48), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384', ...input,
    }));

    await expect(signWith({ SigningAlgorithm: 'ECDSA_SHA_256' })).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(signWith({ KeyId: encryption.keyId })).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(signWith({ Message: Buffer.alloc(32) })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(signWith({ KeyId: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000' }))
      .rejects.toBeInstanceOf(NotFoundException);
  });

  test('ScheduleKeyDeletion puts the key pending deletion for its window, after which it signs no more', async () => {
    const key = signingKey();

    const answer = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }));

    expect(answer).toMatchObject({ KeyId: key.arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(answer.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(fake.signingKeyCount()).toBe(0);
    await expect(client.send(new SignCommand({ KeyId: key.arn, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_384' })))
      .rejects.toBeInstanceOf(KMSInvalidStateException);
  });

  test('an injected fault answers once with its error type; a rate limit throttles the excess', async () => {
    const key = signingKey();
    fake.injectFault({ operation: 'GetPublicKey', errorType: 'KMSInternalException' });

    await expect(publicKeyOf(key.keyId)).rejects.toMatchObject({ name: 'KMSInternalException', $metadata: { httpStatusCode: 500 } });
    await expect(publicKeyOf(key.keyId)).resolves.toBeDefined();

    fake.setRateLimit(1);
    await publicKeyOf(key.keyId);
    await expect(publicKeyOf(key.keyId)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(fake.throttledCount).toBe(1);
    expect(fake.callsTo('GetPublicKey').map((call) => call.errorType)).toEqual(['KMSInternalException', undefined, undefined, 'ThrottlingException']);
  });
});

test('derSignature encodes each integer minimally, with a 0x00 before a set top bit, as Node reads DER', () => {
  const der = derSignature(Buffer.concat([Buffer.alloc(2), Buffer.alloc(46, 0x11)]), Buffer.alloc(48, 0xff));
  expect(der.subarray(0, 4)).toEqual(Buffer.from([0x30, 2 + 46 + 2 + 49, 0x02, 46]));
  expect(der.subarray(50, 53)).toEqual(Buffer.from([0x02, 49, 0x00]));

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const raw = sign('sha384', Buffer.from('x'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  expect(verify('sha384', Buffer.from('x'), { key: publicKey, dsaEncoding: 'der' }, derSignature(raw.subarray(0, 48), raw.subarray(48)))).toBe(true);
});

describe('mirrored from the lifecycle driver', () => {
  const stackWithKey = (removalPolicy: RemovalPolicy) => {
    const stack = new Stack(new App(), 'Keys');
    new kms.Key(stack, 'Signing', {
      keySpec: kms.KeySpec.ECC_NIST_P384, keyUsage: kms.KeyUsage.SIGN_VERIFY, pendingWindow: Duration.days(9), removalPolicy,
    });
    return stack;
  };

  test('an AWS::KMS::Key the driver creates is a key of the template\'s spec and usage; deleting the stack schedules its deletion', async () => {
    const driver = new LifecycleDriver({ onFakeResource: (event) => fake.mirror(event) });
    const stack = stackWithKey(RemovalPolicy.DESTROY);
    expect((await driver.deploy(stack)).status).toBe('SUCCEEDED');
    const keyId = driver.physicalId(driver.logicalIdOf(stack.node.findChild('Signing')));

    expect(fake.keys.get(keyId)).toMatchObject({ keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY', state: 'Enabled' });
    await expect(publicKeyOf(keyId)).resolves.toBeDefined();

    expect((await driver.destroy()).status).toBe('SUCCEEDED');
    expect(fake.keys.get(keyId)).toMatchObject({ state: 'PendingDeletion', pendingWindowInDays: 9 });
  });

  test('a retained key stays enabled when the stack is deleted', async () => {
    const driver = new LifecycleDriver({ onFakeResource: (event) => fake.mirror(event) });
    await driver.deploy(stackWithKey(RemovalPolicy.RETAIN));

    await driver.destroy();

    expect([...fake.keys.values()].map((key) => key.state)).toEqual(['Enabled']);
  });
});
