import { generateKeyPairSync, KeyObject } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CfnParameter, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PublicKey, PublicKeyMaterial } from '../lib';
import { requestOf, newStack } from './util';

const TYPE = 'Custom::IvsRealTimePublicKey';
const PUBLIC_KEY_ARN = 'arn:aws:ivs:us-east-1:123456789012:public-key/abcdABCDefgh';

const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const P384_PEM = spki(p384.publicKey);

function spki(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The base64 body of a PEM text, which no error message may contain. */
function bodyOf(pem: string): string {
  return pem.split(/\r?\n/).filter((line) => line && !line.startsWith('-----')).join('');
}

function writeTempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'public-key-test-')), name);
  writeFileSync(path, text);
  return path;
}

describe('PublicKey', () => {
  test('renders the key and name in the API request shape and exposes its ARN and fingerprint', () => {
    const stack = newStack();
    const key = new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromString(P384_PEM), publicKeyName: 'tokens-2026' });

    expect(requestOf(stack, TYPE)).toEqual({ publicKeyMaterial: P384_PEM, name: 'tokens-2026' });
    expect(stack.resolve(key.publicKeyArn)).toEqual({ Ref: 'TokenKeyD1D1A236' });
    expect(stack.resolve(key.publicKeyFingerprint)).toEqual({ 'Fn::GetAtt': ['TokenKeyD1D1A236', 'Fingerprint'] });
  });

  test('reads a file at synth', () => {
    const stack = newStack();
    new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromFile(writeTempFile('public.pem', P384_PEM)) });

    expect(requestOf(stack, TYPE)).toEqual({ publicKeyMaterial: P384_PEM });
  });

  test('renders the key canonically, so that reformatting its text does not replace it', () => {
    const stack = newStack();
    const reformatted = `my token key\r\n${P384_PEM.replace(/\n/g, '\r\n')}\r\n(generated with openssl)`;
    new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromString(reformatted) });

    expect(requestOf(stack, TYPE).publicKeyMaterial).toBe(P384_PEM);
  });

  test('tags from props and Tags.of() are rendered together', () => {
    const stack = newStack();
    new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromString(P384_PEM), tags: { team: 'video' } });
    Tags.of(stack).add('env', 'prod');

    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: { team: 'video', env: 'prod' } });
  });

  test('removal policy defaults to DESTROY and can be RETAIN', () => {
    const stack = newStack();
    const other = spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    new PublicKey(stack, 'Destroyed', { publicKeyMaterial: PublicKeyMaterial.fromString(P384_PEM) });
    new PublicKey(stack, 'Retained', { publicKeyMaterial: PublicKeyMaterial.fromString(other), removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);

    template.hasResource(TYPE, { Properties: Match.anyValue(), DeletionPolicy: Match.absent() });
    template.hasResource(TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('tokens skip validation and render as given', () => {
    const stack = newStack();
    const pem = new CfnParameter(stack, 'Pem').valueAsString;
    const name = new CfnParameter(stack, 'Name').valueAsString;
    new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromString(pem), publicKeyName: name });

    expect(requestOf(stack, TYPE)).toEqual({ publicKeyMaterial: '<Ref:Pem>', name: '<Ref:Name>' });
  });

  describe('validation', () => {
    function keyWith(publicKeyMaterial: PublicKeyMaterial, props: any = {}) {
      return () => new PublicKey(newStack(), 'TokenKey', { publicKeyMaterial, ...props });
    }

    test('fails if given a private key, naming the construct and property and never showing the key', () => {
      const pkcs8 = p384.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const sec1 = p384.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
      for (const [pem, secret] of [[pkcs8, pkcs8], [sec1, sec1], [`${P384_PEM}${sec1}`, sec1]]) {
        const create = keyWith(PublicKeyMaterial.fromString(pem));
        expect(create).toThrow("PublicKey 'TestStack/TokenKey' has invalid props:\n"
          + '- `publicKeyMaterial` must be a public key, never a private one (write the public half with '
          + '`openssl ec -in priv.pem -pubout`), got a private key');
        expect(create).not.toThrow(bodyOf(secret).slice(0, 20));
      }
    });

    test('fails if the key is RSA, naming the key type and size', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(keyWith(PublicKeyMaterial.fromString(spki(rsa.publicKey)))).toThrow(
        '- `publicKeyMaterial` must be an ECDSA P-384 key (IVS verifies participant tokens signed with ES384), got an RSA key (2048 bits)');
    });

    test('fails if the key is on another curve or of another type', () => {
      const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expect(keyWith(PublicKeyMaterial.fromString(spki(p256.publicKey))))
        .toThrow(/must be an ECDSA P-384 key .*, got an EC key on curve P-256 \(prime256v1\)/);
      const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
      expect(keyWith(PublicKeyMaterial.fromString(spki(secp256k1.publicKey)))).toThrow(/got an EC key on curve secp256k1$/);
      const ed25519 = generateKeyPairSync('ed25519');
      expect(keyWith(PublicKeyMaterial.fromString(spki(ed25519.publicKey)))).toThrow(/got a key of type ed25519$/);
    });

    test('fails if the text is not one SPKI PEM block, describing what it holds without showing it', () => {
      const expected = '- `publicKeyMaterial` must hold one PEM "-----BEGIN PUBLIC KEY-----" block (SPKI, as `openssl ec -pubout` writes it), got ';
      expect(keyWith(PublicKeyMaterial.fromString(bodyOf(P384_PEM)))).toThrow(`${expected}160 characters with no PEM block`);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      expect(keyWith(PublicKeyMaterial.fromString(rsa))).toThrow(`${expected}a block labelled RSA PUBLIC KEY`);
      const other = spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
      expect(keyWith(PublicKeyMaterial.fromString(P384_PEM + other))).toThrow(`${expected}2 PEM blocks (PUBLIC KEY, PUBLIC KEY)`);
      const oneLine = P384_PEM.replace(/\n/g, ' ');
      expect(keyWith(PublicKeyMaterial.fromString(oneLine))).toThrow(`${expected}a PUBLIC KEY block whose base64 body is not on lines of its own`);
    });

    test('fails if the block does not parse as a key', () => {
      expect(keyWith(PublicKeyMaterial.fromString('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')))
        .toThrow(/- `publicKeyMaterial` must be a public key that parses, got a PUBLIC KEY block that does not \(.+\)$/);
    });

    test('fails if the file cannot be read, or holds no public key, naming the file', () => {
      const missing = join(tmpdir(), 'no-such-dir', 'public.pem');
      expect(keyWith(PublicKeyMaterial.fromFile(missing)))
        .toThrow(`- \`publicKeyMaterial\` must be a readable file, got ${JSON.stringify(missing)} (ENOENT)`);
      const rsaFile = writeTempFile('rsa.pem', spki(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey));
      expect(keyWith(PublicKeyMaterial.fromFile(rsaFile))).toThrow(`got an RSA key (2048 bits) in file ${JSON.stringify(rsaFile)}`);
    });

    test('fails if the name has characters the API rejects or is longer than 128 characters', () => {
      const material = PublicKeyMaterial.fromString(P384_PEM);
      expect(keyWith(material, { publicKeyName: 'key 1' }))
        .toThrow('- `publicKeyName` must contain only letters, digits, hyphens and underscores, got "key 1"');
      expect(keyWith(material, { publicKeyName: 'a'.repeat(129) })).toThrow(/`publicKeyName` must be 0-128 characters long, got 129 characters/);
    });

    test('fails if tags break the API rules', () => {
      expect(keyWith(PublicKeyMaterial.fromString(P384_PEM), { tags: { 'aws:owner': 'x' } })).toThrow(/`tags` keys must not start with "aws:"/);
    });

    test('collects every error of a construct into one message', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(keyWith(PublicKeyMaterial.fromString(spki(rsa.publicKey)), { publicKeyName: 'bad name', tags: { k: 'v'.repeat(257) } }))
        .toThrow(/invalid props:\n- `publicKeyName`[^\n]*\n- `tags.k`[^\n]*\n- `publicKeyMaterial` must be an ECDSA P-384 key/);
    });
  });

  describe('imports', () => {
    test('fromPublicKeyArn keeps the ARN and takes the account and region from it', () => {
      const stack = newStack();
      const key = PublicKey.fromPublicKeyArn(stack, 'Imported', PUBLIC_KEY_ARN);
      expect(key.publicKeyArn).toBe(PUBLIC_KEY_ARN);
      expect(key.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    });

    test('fromPublicKeyAttributes accepts ARNs of every partition', () => {
      expect(() => PublicKey.fromPublicKeyAttributes(newStack(), 'Gov', {
        publicKeyArn: 'arn:aws-us-gov:ivs:us-gov-west-1:123456789012:public-key/abc',
      })).not.toThrow();
    });

    test('fails if the ARN is not a public key ARN', () => {
      expect(() => PublicKey.fromPublicKeyArn(newStack(), 'Imported', 'arn:aws:ivs:us-east-1:123456789012:playback-key/abc'))
        .toThrow("PublicKey.fromPublicKeyAttributes at 'TestStack/Imported': the ARN must look like "
          + 'arn:aws:ivs:<region>:<account>:public-key/<id>, got "arn:aws:ivs:us-east-1:123456789012:playback-key/abc"');
    });
  });
});
