import { generateKeyPairSync } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CfnParameter } from 'aws-cdk-lib';
import { PublicKeyMaterial } from '../lib';
import { PropsValidator } from '../lib/private/validation';
import { newStack } from './util';

const P384_PEM = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const P256_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** What `_render` returns, under the prop name `key`, and the messages it records. */
function rendered(material: PublicKeyMaterial): { pem: string | undefined; problems: string[] } {
  const validator = new PropsValidator(newStack(), 'Test');
  const pem = material._render(validator, 'key');
  return { pem, problems: validator.messages };
}

function fileHolding(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'public-key-material-test-')), 'key.pem');
  writeFileSync(path, text);
  return path;
}

describe('PublicKeyMaterial.fromString()', () => {
  test('renders the key canonically', () => {
    expect(rendered(PublicKeyMaterial.fromString(`a comment\r\n${P384_PEM.replace(/\n/g, '\r\n')}`))).toEqual({ pem: P384_PEM, problems: [] });
  });

  test('renders a token as it is, unchecked', () => {
    const pem = new CfnParameter(newStack(), 'Pem').valueAsString;

    expect(rendered(PublicKeyMaterial.fromString(pem))).toEqual({ pem, problems: [] });
  });

  test('renders nothing, and says why, for a key IVS does not take', () => {
    expect(rendered(PublicKeyMaterial.fromString(P256_PEM))).toEqual({
      pem: undefined,
      problems: ['`key` must be an ECDSA P-384 key (IVS verifies participant tokens signed with ES384), got an EC key on curve P-256 (prime256v1)'],
    });
  });
});

describe('PublicKeyMaterial.fromFile()', () => {
  test('renders the key of the file, canonically', () => {
    expect(rendered(PublicKeyMaterial.fromFile(fileHolding(`${P384_PEM}\n\n`)))).toEqual({ pem: P384_PEM, problems: [] });
  });

  test('renders nothing, and names the file, when it cannot be read or holds a key IVS does not take', () => {
    const missing = join(tmpdir(), 'no-such-dir', 'key.pem');
    expect(rendered(PublicKeyMaterial.fromFile(missing)))
      .toEqual({ pem: undefined, problems: [`\`key\` must be a readable file, got ${JSON.stringify(missing)} (ENOENT)`] });
    const p256 = fileHolding(P256_PEM);
    expect(rendered(PublicKeyMaterial.fromFile(p256)).problems).toEqual([
      '`key` must be an ECDSA P-384 key (IVS verifies participant tokens signed with ES384), got an EC key on curve P-256 (prime256v1) '
      + `in file ${JSON.stringify(p256)}`,
    ]);
  });
});
