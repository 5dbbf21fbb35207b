/**
 * A local fake of AWS KMS for tests, on 127.0.0.1: the awsJson1.1 wire format (`POST /`, `X-Amz-Target:
 * TrentService.<Operation>`, blobs as base64, timestamps as epoch seconds, errors as `{"__type", "message"}` with status
 * 400, or 500 for an internal error), so the real `@aws-sdk/client-kms` runs unchanged against it
 * (`AWS_ENDPOINT_URL_KMS`).
 *
 *   const kms = await FakeKms.start();
 *   const driver = new LifecycleDriver({ env: { AWS_ENDPOINT_URL_KMS: kms.endpoint }, onFakeResource: (e) => kms.mirror(e) });
 *
 * Keys exist only once made: by `createKey()`, or by `mirror()` when the lifecycle driver creates an `AWS::KMS::Key`
 * (with the template's key spec, usage and, at its deletion, pending window). Each key has a real private key that
 * never leaves the fake, as in KMS.
 *
 * Operations: GetPublicKey (DER SubjectPublicKeyInfo), Sign (ECDSA_SHA_384 over a RAW message of up to 4096 bytes or a
 * 48-byte DIGEST, answered as a DER signature), ScheduleKeyDeletion (7-30 days, default 30). Any other answers
 * UnsupportedOperationException, so missing coverage is obvious. Key IDs are accepted as an ID or a key ARN of this
 * fake's region and account; aliases are not modelled. A key pending deletion refuses to sign (KMSInvalidStateException),
 * as does a key of another usage or a request for another algorithm (InvalidKeyUsageException).
 *
 * Test API: `keys` (by key ID), `publicKey(keyId)`, `signingKeyCount()` (keys that can still sign: 0 when nothing is left behind), `calls`
 * and `callsTo(operation)`, `injectFault({ operation?, errorType, message?, times? })` (consumed first-match-first),
 * `setRateLimit(n)` (accepted requests per operation in any sliding second; the excess gets ThrottlingException, counted
 * in `throttledCount`), `reset()`.
 */
import { createECDH, createHash, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { JsonServiceError, JsonTargetServer } from './json-target-server';
import type { FakeResourceEvent } from './lifecycle-driver';
import { RateWindow } from './rate-window';

export type KeySpec = 'ECC_NIST_P384' | 'ECC_NIST_P256' | 'RSA_2048' | 'SYMMETRIC_DEFAULT';
export type KeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';

export interface FakeKmsKey {
  readonly keyId: string;
  readonly arn: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  state: 'Enabled' | 'PendingDeletion';
  deletionDate?: Date;
  pendingWindowInDays?: number;
}

export interface KmsCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** HTTP status of the answer. */
  status: number;
  errorType?: string;
}

export interface KmsFaultSpec {
  /** @default - any operation */
  readonly operation?: string;
  /** Sent as `__type`, e.g. 'ThrottlingException', 'KMSInternalException' (status 500), 'DependencyTimeoutException' (503). */
  readonly errorType: string;
  /** @default 'Injected fault: <errorType>' */
  readonly message?: string;
  /** @default 1 */
  readonly times?: number;
}

/** Thrown by an operation for the service's error answers. */
class KmsError extends JsonServiceError {
  constructor(errorType: string, message: string) {
    super(errorType, message, STATUS[errorType] ?? 400);
  }
}

const STATUS: Record<string, number> = { KMSInternalException: 500, DependencyTimeoutException: 503 };
const P384_ORDER = BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973');
const P384_BYTES = 48;
const MAX_RAW_MESSAGE_BYTES = 4096;

export class FakeKms extends JsonTargetServer {
  static async start(options: { region?: string; accountId?: string } = {}): Promise<FakeKms> {
    const fake = new FakeKms(options.region ?? 'us-east-1', options.accountId ?? '123456789012');
    await fake.listen();
    return fake;
  }

  readonly keys = new Map<string, FakeKmsKey>();
  readonly calls: KmsCall[] = [];
  private readonly privateKeys = new Map<string, KeyObject>();
  private faults: (KmsFaultSpec & { remaining: number })[] = [];
  private rateLimitPerSecond: number | undefined;
  private readonly rateWindow = new RateWindow();
  private throttled = 0;

  private readonly operations: Record<string, (input: Record<string, any>) => object> = {
    GetPublicKey: (input) => this.getPublicKey(input),
    Sign: (input) => this.sign(input),
    ScheduleKeyDeletion: (input) => this.scheduleDeletion(this.key(input.KeyId), input.PendingWindowInDays),
  };

  private constructor(readonly region: string, readonly accountId: string) {
    super('TrentService', 'KMSInternalException');
  }

  get throttledCount(): number {
    return this.throttled;
  }

  /** Makes a key, as CreateKey (or CloudFormation's `AWS::KMS::Key`) would. */
  createKey(options: { keyId?: string; keySpec?: KeySpec; keyUsage?: KeyUsage } = {}): FakeKmsKey {
    const keyId = options.keyId ?? randomUUID();
    const keySpec = options.keySpec ?? 'SYMMETRIC_DEFAULT';
    const key: FakeKmsKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`,
      keySpec,
      keyUsage: options.keyUsage ?? 'ENCRYPT_DECRYPT',
      state: 'Enabled',
    };
    this.keys.set(keyId, key);
    const pair = PAIRS[keySpec]?.();
    if (pair) {
      this.privateKeys.set(keyId, pair);
    }
    return key;
  }

  /** ScheduleKeyDeletion, as CloudFormation calls it when an `AWS::KMS::Key` leaves the stack. */
  scheduleKeyDeletion(keyId: string, pendingWindowInDays?: number): FakeKmsKey {
    this.scheduleDeletion(this.key(keyId), pendingWindowInDays);
    return this.keys.get(keyId)!;
  }

  /**
   * The lifecycle driver's `onFakeResource` hook: an `AWS::KMS::Key` it creates becomes a key here (same ID, spec and
   * usage), and one it deletes is scheduled for deletion with the template's pending window. Other types are ignored.
   * @internal
   */
  mirror(event: FakeResourceEvent): void {
    if (event.type !== 'AWS::KMS::Key') {
      return;
    }
    const properties = event.properties as { KeySpec?: KeySpec; KeyUsage?: KeyUsage; PendingWindowInDays?: number };
    if (event.requestType === 'Create') {
      this.createKey({ keyId: event.physicalId, keySpec: properties.KeySpec, keyUsage: properties.KeyUsage });
    } else {
      this.scheduleKeyDeletion(event.physicalId, properties.PendingWindowInDays);
    }
  }

  /** The public half of a key, as GetPublicKey would give it. */
  publicKey(keyId: string): KeyObject {
    return createPublicKey(this.privateKeys.get(keyId)!);
  }

  /** Keys that are not pending deletion. */
  signingKeyCount(): number {
    return [...this.keys.values()].filter((key) => key.state === 'Enabled').length;
  }

  callsTo(operation: string): KmsCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  injectFault(fault: KmsFaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  setRateLimit(requestsPerSecond: number | undefined): void {
    this.rateLimitPerSecond = requestsPerSecond;
    this.rateWindow.clear();
  }

  reset(): void {
    this.keys.clear();
    this.privateKeys.clear();
    this.calls.length = 0;
    this.faults = [];
    this.rateLimitPerSecond = undefined;
    this.rateWindow.clear();
    this.throttled = 0;
  }

  protected async serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void> {
    const call: KmsCall = { operation, input, status: 0 };
    this.calls.push(call);
    this.answer(call, response, () => this.invoke(operation, input));
  }

  private invoke(operation: string, input: Record<string, unknown>): object {
    const fault = this.takeFault(operation);
    if (fault) {
      throw new KmsError(fault.errorType, fault.message ?? `Injected fault: ${fault.errorType}`);
    }
    if (this.isThrottled(operation)) {
      this.throttled++;
      throw new KmsError('ThrottlingException', 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    }
    const run = this.operations[operation];
    if (!run) {
      throw new KmsError('UnsupportedOperationException', `the fake does not implement ${operation}`);
    }
    return run(input);
  }

  private getPublicKey(input: Record<string, any>): object {
    const key = this.key(input.KeyId);
    const privateKey = this.privateKeys.get(key.keyId);
    if (!privateKey) {
      throw new KmsError('UnsupportedOperationException', `${key.arn} is a ${key.keySpec} key, which has no public key`);
    }
    const spki = this.publicKey(key.keyId).export({ type: 'spki', format: 'der' });
    return {
      KeyId: key.arn,
      PublicKey: spki.toString('base64'),
      KeySpec: key.keySpec,
      CustomerMasterKeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      ...(key.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: SIGNING_ALGORITHMS[key.keySpec] } : {}),
    };
  }

  private sign(input: Record<string, any>): object {
    const key = this.key(input.KeyId);
    if (key.state !== 'Enabled') {
      throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    }
    if (key.keyUsage !== 'SIGN_VERIFY' || !SIGNING_ALGORITHMS[key.keySpec]?.includes(input.SigningAlgorithm)) {
      throw new KmsError('InvalidKeyUsageException', `You cannot use the KMS key ${key.arn} with ${input.SigningAlgorithm}: `
        + `its usage is ${key.keyUsage} and it supports ${SIGNING_ALGORITHMS[key.keySpec]?.join(', ') ?? 'no signing algorithm'}.`);
    }
    // the fake signs with ECDSA on P-384 only; a P-256 key exists to be refused by the code under test.
    if (key.keySpec !== 'ECC_NIST_P384') {
      throw new KmsError('UnsupportedOperationException', `the fake signs with ECC_NIST_P384 keys only, not ${key.keySpec}`);
    }
    const message = Buffer.from(String(input.Message ?? ''), 'base64');
    const messageType = input.MessageType ?? 'RAW';
    if (messageType === 'DIGEST' ? message.length !== P384_BYTES : message.length < 1 || message.length > MAX_RAW_MESSAGE_BYTES) {
      throw new KmsError('ValidationException', messageType === 'DIGEST'
        ? `Digest is invalid length for algorithm ECDSA_SHA_384: ${message.length} bytes, expected ${P384_BYTES}.`
        : `1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and ${MAX_RAW_MESSAGE_BYTES}`);
    }
    const digest = messageType === 'DIGEST' ? message : createHash('sha384').update(message).digest();
    const signature = ecdsaSign(this.privateKeys.get(key.keyId)!, digest);
    return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: input.SigningAlgorithm };
  }

  private scheduleDeletion(key: FakeKmsKey, pendingWindowInDays: number | undefined): object {
    const days = pendingWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new KmsError('ValidationException', `PendingWindowInDays must be between 7 and 30, got ${days}`);
    }
    if (key.state === 'PendingDeletion') {
      throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    }
    key.state = 'PendingDeletion';
    key.pendingWindowInDays = days;
    key.deletionDate = new Date(Date.now() + days * 24 * 3600 * 1000);
    return { KeyId: key.arn, DeletionDate: key.deletionDate.getTime() / 1000, KeyState: key.state, PendingWindowInDays: days };
  }

  private key(keyId: unknown): FakeKmsKey {
    const id = String(keyId ?? '').replace(`arn:aws:kms:${this.region}:${this.accountId}:key/`, '');
    const key = this.keys.get(id);
    if (!key) {
      throw new KmsError('NotFoundException', `Key '${keyId}' does not exist`);
    }
    return key;
  }

  private takeFault(operation: string): KmsFaultSpec | undefined {
    const fault = this.faults.find((candidate) => candidate.operation === undefined || candidate.operation === operation);
    if (fault && --fault.remaining <= 0) {
      this.faults.splice(this.faults.indexOf(fault), 1);
    }
    return fault;
  }

  private isThrottled(operation: string): boolean {
    return !this.rateWindow.admit(operation, this.rateLimitPerSecond);
  }
}

/** Key pairs by key spec, for the specs whose keys have a public half. */
const PAIRS: Partial<Record<KeySpec, () => KeyObject>> = {
  ECC_NIST_P384: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
  ECC_NIST_P256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  RSA_2048: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
};

const SIGNING_ALGORITHMS: Partial<Record<KeySpec, string[]>> = {
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  RSA_2048: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
};

/**
 * ECDSA on P-384 over a digest, as KMS signs a DIGEST message: Node's crypto signs only messages it hashes itself, so
 * the fake multiplies the curve's generator by the nonce with ECDH (native) and does the rest with BigInt.
 */
function ecdsaSign(privateKey: KeyObject, digest: Buffer): Buffer {
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  const z = toBigInt(digest);
  for (;;) {
    const k = toBigInt(randomBytes(P384_BYTES)) % P384_ORDER;
    if (k === 0n) {
      continue;
    }
    const ecdh = createECDH('secp384r1');
    ecdh.setPrivateKey(toBytes(k));
    // the uncompressed point k·G: 0x04, x, y.
    const r = toBigInt(ecdh.getPublicKey().subarray(1, 1 + P384_BYTES)) % P384_ORDER;
    const s = (modInverse(k, P384_ORDER) * (z + r * d)) % P384_ORDER;
    if (r !== 0n && s !== 0n) {
      return derSignature(toBytes(r), toBytes(s));
    }
  }
}

/** An ECDSA signature as KMS returns it: a DER SEQUENCE of two INTEGERs (each minimal, with a 0x00 if its top bit is set). */
export function derSignature(r: Uint8Array, s: Uint8Array): Buffer {
  const integer = (bytes: Uint8Array) => {
    let value = Buffer.from(bytes);
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    // eslint-disable-next-line no-bitwise -- DER: an INTEGER whose top bit is set needs a leading 0x00
    if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

function toBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(P384_BYTES * 2, '0'), 'hex');
}

function modInverse(value: bigint, modulus: bigint): bigint {
  let [a, b, x, y] = [value % modulus, modulus, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x, y] = [b, a - q * b, y, x - q * y];
  }
  return ((x % modulus) + modulus) % modulus;
}
