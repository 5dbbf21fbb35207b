import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
import { ArnResource, Attribute, PublicKeyRequest, ResourceType } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import { PUBLIC_KEY_READ_ACTIONS, PROVIDER_ACTIONS } from './private/iam';
import { PropsValidator } from './private/validation';
import { PublicKeyMaterial } from './public-key-material';

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
   * Tags for the public key (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own).
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
 * import { PublicKey, PublicKeyMaterial } from 'cdk-ivs-realtime';
 *
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
   * Whether `x` is a `PublicKey`, also one from another copy of this library loaded in the same app (where
   * `instanceof` is false). Imported public keys are not.
   */
  public static isPublicKey(x: any): x is PublicKey {
    return isMarkedPublicKey(x);
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

const isMarkedPublicKey = markClass(PublicKey, 'PublicKey');

/** Validates the props and returns the PEM text to render. */
function validatePublicKeyProps(scope: PublicKey, props: PublicKeyProps): string | undefined {
  const validator = new PropsValidator(scope, 'PublicKey');
  validator.resourceName('publicKeyName', props.publicKeyName);
  validator.tags('tags', props.tags);
  const pem = props.publicKeyMaterial._render(validator, 'publicKeyMaterial');
  validator.throwIfInvalid();
  return pem;
}
