import { createPublicKey, KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { ArnResource, Attribute, PublicKeyRequest, ResourceType } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import { PUBLIC_KEY_READ_ACTIONS, PROVIDER_ACTIONS } from './private/iam';
import { PropsValidator } from './private/validation';

/**
 * An Amazon IVS Real-Time public key: IVS verifies with it the participant tokens your backend signs with the
 * matching private key.
 */
export interface IPublicKey extends IResource {
  /**
   * The public key's ARN.
   *
   * @attribute
   * @example 'arn:aws:ivs:us-east-1:123456789012:public-key/abcdABCDefgh'
   */
  readonly publicKeyArn: string;

  /** Grants `actions` on this public key to `grantee`. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this public key: `ivs:GetPublicKey` on it only. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of a public key defined outside this app. */
export interface PublicKeyAttributes {
  /**
   * The public key's ARN.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:public-key/abcdABCDefgh'
   */
  readonly publicKeyArn: string;
}

abstract class PublicKeyBase extends Resource implements IPublicKey {
  public abstract readonly publicKeyArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.publicKeyArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...PUBLIC_KEY_READ_ACTIONS);
  }
}

/**
 * The PEM text of an ECDSA P-384 public key (`-----BEGIN PUBLIC KEY-----`, SPKI), as `openssl ec -pubout` writes it.
 *
 * Create a key pair with `openssl ecparam -name secp384r1 -genkey -noout -out priv.pem` and
 * `openssl ec -in priv.pem -pubout -out public.pem`; keep `priv.pem` secret and give this library `public.pem`.
 */
export class PublicKeyMaterial {
  /** The PEM text itself. */
  public static fromString(pem: string): PublicKeyMaterial {
    return new PublicKeyMaterial(pem, undefined);
  }

  /** A file holding the PEM text, read at synth (a relative path is relative to where `cdk synth` runs). */
  public static fromFile(path: string): PublicKeyMaterial {
    return new PublicKeyMaterial(undefined, path);
  }

  /** The PEM text, when given as a string. */
  public readonly pem?: string;
  /** The file the PEM text is read from, when given as a file. */
  public readonly path?: string;

  private constructor(pem: string | undefined, path: string | undefined) {
    this.pem = pem;
    this.path = path;
  }
}

/** Properties of a `PublicKey`. */
export interface PublicKeyProps {
  /**
   * The public key: ECDSA on curve P-384 (IVS verifies tokens signed with ES384), PEM-encoded SPKI
   * (`-----BEGIN PUBLIC KEY-----`). Checked at synth unless it is a token.
   */
  readonly publicKeyMaterial: PublicKeyMaterial;

  /**
   * The public key's name. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly publicKeyName?: string;

  /**
   * Tags for the public key (at most 50, with those from `Tags.of()`).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the public key when it leaves the stack. Once it is deleted, IVS no longer accepts the
   * tokens signed with its private key.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Defines an Amazon IVS Real-Time public key, with which IVS verifies the participant tokens your backend
 * signs itself (ES384 JWTs) instead of calling CreateParticipantToken.
 *
 * There is no update call for public keys: changing the key or its name imports a new one (new ARN) and deletes
 * the old one, after which tokens signed with the old private key are refused. Tags update in place.
 *
 * @resource Custom::IvsRealTimePublicKey
 * @example
 * new PublicKey(this, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromFile('keys/public.pem') });
 */
export class PublicKey extends PublicKeyBase implements ITaggable {
  /** Imports a public key by its ARN. */
  public static fromPublicKeyArn(scope: Construct, id: string, publicKeyArn: string): IPublicKey {
    return PublicKey.fromPublicKeyAttributes(scope, id, { publicKeyArn });
  }

  /** Imports a public key from its attributes. */
  public static fromPublicKeyAttributes(scope: Construct, id: string, attrs: PublicKeyAttributes): IPublicKey {
    validateIvsArn(scope, id, 'PublicKey.fromPublicKeyAttributes', attrs.publicKeyArn, ArnResource.PUBLIC_KEY);
    class Import extends PublicKeyBase {
      public readonly publicKeyArn = attrs.publicKeyArn;
    }
    return new Import(scope, id, { environmentFromArn: attrs.publicKeyArn });
  }

  /**
   * The public key's ARN.
   *
   * @attribute
   */
  public readonly publicKeyArn: string;
  /**
   * The key's fingerprint as IVS computes it, to tell keys apart.
   *
   * @attribute
   * @example '98:0d:1a:a0:19:96:1e:ea:0a:0a:2c:9a:42:19:2b:e7'
   */
  public readonly publicKeyFingerprint: string;
  /** The public key's tags, including those added with `Tags.of()`. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: PublicKeyProps) {
    super(scope, id);
    const publicKeyMaterial = validatePublicKeyProps(this, props);
    this.tags = new TagManager(TagType.MAP, ResourceType.PUBLIC_KEY, props.tags);

    const resource = defineIvsCustomResource(this, {
      resourceType: ResourceType.PUBLIC_KEY,
      arnResource: ArnResource.PUBLIC_KEY,
      actions: PROVIDER_ACTIONS.publicKey,
      request: (): PublicKeyRequest => ({ publicKeyMaterial, name: props.publicKeyName }),
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });
    this.publicKeyArn = resource.ref;
    this.publicKeyFingerprint = resource.getAttString(Attribute.PUBLIC_KEY_FINGERPRINT);
  }
}

/** Validates the props and returns the PEM text to render. */
function validatePublicKeyProps(scope: PublicKey, props: PublicKeyProps): string | undefined {
  const validator = new PropsValidator(scope, 'PublicKey');
  validator.resourceName('publicKeyName', props.publicKeyName);
  validator.tags('tags', props.tags);
  const pem = checkedPem(validator, props.publicKeyMaterial);
  validator.throwIfInvalid();
  return pem;
}

const PROP = '`publicKeyMaterial`';
/** The API's own pattern (unanchored in the model: text around the block is allowed). */
const PUBLIC_KEY_BLOCK = /-----BEGIN PUBLIC KEY-----\r?\n([a-zA-Z0-9+/=\r\n]+)\r?\n-----END PUBLIC KEY-----(\r?\n)?/;
const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/**
 * Reads the material and checks that it is what IVS accepts for participant tokens, recording what is wrong.
 *
 * Returns the key re-encoded canonically, so that reformatting the source (line endings, surrounding text) does not
 * replace the deployed key. Messages describe what was found, never the text itself: a private key must not end up
 * in a build log.
 */
function checkedPem(validator: PropsValidator, material: PublicKeyMaterial): string | undefined {
  const from = material.path !== undefined ? ` in file ${JSON.stringify(material.path)}` : '';
  const text = material.path !== undefined ? readMaterialFile(validator, material.path) : material.pem;
  if (text === undefined || Token.isUnresolved(text)) {
    return text;
  }
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]);
  if (labels.some((label) => label.includes('PRIVATE'))) {
    validator.check(false, `${PROP} must be a public key, never a private one (write the public half with `
      + `\`openssl ec -in priv.pem -pubout\`), got a private key${from}`);
    return undefined;
  }
  const block = PUBLIC_KEY_BLOCK.exec(text);
  if (labels.length !== 1 || !block) {
    validator.check(false, `${PROP} must hold one PEM "-----BEGIN PUBLIC KEY-----" block (SPKI, as \`openssl ec -pubout\` writes it), `
      + `got ${describePemBlocks(text, labels)}${from}`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(block[0]);
  } catch (error) {
    validator.check(false, `${PROP} must be a public key that parses, got a PUBLIC KEY block that does not${from} (${(error as Error).message})`);
    return undefined;
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  validator.check(key.asymmetricKeyType === 'ec' && curve === 'secp384r1',
    `${PROP} must be an ECDSA P-384 key (IVS verifies participant tokens signed with ES384), got ${describeKey(key)}${from}`);
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function readMaterialFile(validator: PropsValidator, path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    validator.check(false, `${PROP} must be a readable file, got ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code})`);
    return undefined;
  }
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
