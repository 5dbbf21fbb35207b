import { createPublicKey, KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import type { ImportPublicKeyRequest } from '@aws-sdk/client-ivs-realtime';
import { Token } from 'aws-cdk-lib';
import { PropsValidator } from './private/validation';

/**
 * The PEM text of an ECDSA P-384 public key (`-----BEGIN PUBLIC KEY-----`, SPKI), as `openssl ec -pubout` writes it.
 *
 * Create a key pair with `openssl ecparam -name secp384r1 -genkey -noout -out priv.pem` and
 * `openssl ec -in priv.pem -pubout -out public.pem`; keep `priv.pem` secret and give this library `public.pem`.
 */
export abstract class PublicKeyMaterial {
  /** The PEM text itself. */
  public static fromString(pem: string): PublicKeyMaterial {
    return new PemText(pem);
  }

  /** A file holding the PEM text, read at synth (a relative path is relative to where `cdk synth` runs). */
  public static fromFile(path: string): PublicKeyMaterial {
    return new PemFile(path);
  }

  /**
   * The `publicKeyMaterial` IVS imports: the key re-encoded canonically, so that reformatting the source (line endings,
   * surrounding text) does not replace the deployed key, or a token as it is. When the material is not what IVS accepts
   * for participant tokens, records why in `validator`, naming it `prop`, and returns undefined.
   *
   * One method rather than a render and a validate: the check is the parse that gives the canonical text. Messages
   * describe what was found, never the text itself: a private key must not end up in a build log.
   *
   * @internal
   */
  public _render(validator: PropsValidator, prop: string): ImportPublicKeyRequest['publicKeyMaterial'] {
    const text = this._read(validator, prop);
    if (text === undefined || Token.isUnresolved(text)) {
      return text;
    }
    return canonicalPem(validator, prop, text, this._origin);
  }

  /**
   * Where the text comes from, for messages about it: ` in file "<path>"`, or nothing.
   *
   * @internal
   */
  protected abstract readonly _origin: string;

  /**
   * The PEM text, or undefined once `validator` has recorded why it could not be read.
   *
   * @internal
   */
  protected abstract _read(validator: PropsValidator, prop: string): string | undefined;
}

class PemText extends PublicKeyMaterial {
  protected readonly _origin = '';

  constructor(private readonly pem: string) {
    super();
  }

  protected _read(): string {
    return this.pem;
  }
}

class PemFile extends PublicKeyMaterial {
  protected readonly _origin: string;

  constructor(private readonly path: string) {
    super();
    this._origin = ` in file ${JSON.stringify(path)}`;
  }

  protected _read(validator: PropsValidator, prop: string): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      validator.check(false, `\`${prop}\` must be a readable file, got ${JSON.stringify(this.path)} (${(error as NodeJS.ErrnoException).code})`);
      return undefined;
    }
  }
}

/** The API's own pattern (unanchored in the model: text around the block is allowed). */
const PUBLIC_KEY_BLOCK = /-----BEGIN PUBLIC KEY-----\r?\n([a-zA-Z0-9+/=\r\n]+)\r?\n-----END PUBLIC KEY-----(\r?\n)?/;
const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Checks that `text` holds an ECDSA P-384 public key and returns it re-encoded, or records what is wrong and returns undefined. */
function canonicalPem(validator: PropsValidator, prop: string, text: string, from: string): string | undefined {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]);
  if (labels.some((label) => label.includes('PRIVATE'))) {
    validator.check(false, `\`${prop}\` must be a public key, never a private one (write the public half with `
      + `\`openssl ec -in priv.pem -pubout\`), got a private key${from}`);
    return undefined;
  }
  const block = PUBLIC_KEY_BLOCK.exec(text);
  if (labels.length !== 1 || !block) {
    validator.check(false, `\`${prop}\` must hold one PEM "-----BEGIN PUBLIC KEY-----" block (SPKI, as \`openssl ec -pubout\` writes it), `
      + `got ${describePemBlocks(text, labels)}${from}`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(block[0]);
  } catch (error) {
    validator.check(false, `\`${prop}\` must be a public key that parses, got a PUBLIC KEY block that does not${from} (${(error as Error).message})`);
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    validator.check(false, `\`${prop}\` must be an ECDSA P-384 key (IVS verifies participant tokens signed with ES384), `
      + `got ${describeKey(key)}${from}`);
    return undefined;
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function describePemBlocks(text: string, labels: string[]): string {
  if (labels.length === 0) {
    return `${text.length} characters with no PEM block`;
  }
  if (labels.length > 1) {
    return `${labels.length} PEM blocks (${labels.join(', ')})`;
  }
  return labels[0] === 'PUBLIC KEY' ? 'a PUBLIC KEY block whose base64 body is not on lines of its own' : `a block labelled ${labels[0]}`;
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = details?.namedCurve ?? 'unknown';
      return `an EC key on curve ${CURVE_NAMES[curve] ? `${CURVE_NAMES[curve]} (${curve})` : curve}`;
    }
    case 'rsa':
      return `an RSA key (${details?.modulusLength} bits)`;
    default:
      return `a key of type ${key.asymmetricKeyType}`;
  }
}
