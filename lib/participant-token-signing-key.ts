import { Duration, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, Tags, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
import { ArnResource, Attribute, KmsPublicKeyRequest, ResourceType } from './private/contract';
import { defineIvsCustomResource, IvsCustomResource } from './private/custom-resource';
import {
  PARTICIPANT_TOKEN_SIGNING_ALGORITHM, PROVIDER_ACTIONS, PROVIDER_KMS_ACTIONS, PUBLIC_KEY_READ_ACTIONS, SIGNING_KEY_SIGN_ACTIONS,
} from './private/iam';
import { IvsRealTimeProvider } from './private/provider';
import { describeValue, PropsValidator, ValidationError } from './private/validation';
import { IPublicKey } from './public-key';

/**
 * A key pair for participant tokens whose private half never leaves AWS KMS: an `ECC_NIST_P384` KMS key for
 * `SIGN_VERIFY`, whose public half IVS holds as a public key, so that IVS accepts the ES384 tokens it signs.
 */
export interface IParticipantTokenSigningKey extends IPublicKey {
  /** The KMS key new tokens are signed with (`kid`: `publicKeyArn`). */
  readonly kmsKey: kms.IKey;

  /**
   * Grants signing participant tokens: `kms:Sign` on this signing key's KMS keys only, with the condition
   * `kms:SigningAlgorithm` = `ECDSA_SHA_384`.
   */
  grantSign(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of a signing key defined outside this app. */
export interface ParticipantTokenSigningKeyAttributes {
  /**
   * The IVS public key that holds the public half of `kmsKey`.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:public-key/abcdABCDefgh'
   */
  readonly publicKeyArn: string;

  /** The KMS key (`ECC_NIST_P384`, `SIGN_VERIFY`) whose public half the IVS public key holds. */
  readonly kmsKey: kms.IKey;
}

abstract class ParticipantTokenSigningKeyBase extends Resource implements IParticipantTokenSigningKey {
  public abstract readonly publicKeyArn: string;
  public abstract readonly kmsKey: kms.IKey;
  /**
   * The KMS keys whose tokens IVS still accepts: grantees may sign with any of them.
   *
   * @internal
   */
  protected abstract readonly _signingKeys: kms.IKey[];

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.publicKeyArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...PUBLIC_KEY_READ_ACTIONS);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: SIGNING_KEY_SIGN_ACTIONS,
      resourceArns: this._signingKeys.map((key) => key.keyArn),
      conditions: { StringEquals: { 'kms:SigningAlgorithm': PARTICIPANT_TOKEN_SIGNING_ALGORITHM } },
    });
  }
}

/** Properties of a `ParticipantTokenSigningKey`. */
export interface ParticipantTokenSigningKeyProps {
  /**
   * The key pair new tokens are signed with, as a number: raising it rotates the keys. Each generation has its own KMS
   * key and IVS public key; a new generation's are created, and tokens are signed with them, while the older
   * generations from `oldestGeneration` on stay, so that the tokens they signed are still accepted. Whole number, at
   * least 1.
   *
   * @default 1
   */
  readonly generation?: number;

  /**
   * The oldest generation IVS still accepts tokens of. Generations before it are retired: their IVS public keys are
   * deleted, after which IVS refuses the tokens they signed (even unexpired ones), and their KMS keys are scheduled for
   * deletion (see `removalPolicy`). Raising `generation` retires nothing by itself.
   *
   * Raise it to `n` only once the longest token lifetime (the longest `maxDuration` of the issuers signing with this key,
   * 12 hours by default) has passed since the deployment that made generation `n` current: until then, tokens of
   * generation `n - 1` can be unexpired. Whole number from 1 to `generation - 1`, so that the generation before the
   * current one always stays (it was current until the last rotation); `generation` itself only with
   * `allowCuttingOffTokens`. Synth cannot see which generation was deployed before: raise `generation` by one per
   * deployment.
   *
   * @default - 1 (every generation stays) while `generation` is 1 or 2; from generation 3 on it must be set
   */
  readonly oldestGeneration?: number;

  /**
   * Whether `oldestGeneration` may be `generation`, retiring the generation before the current one in this deployment:
   * IVS then refuses every token that generation signed, unexpired or not. For a key that must stop being accepted at
   * once (a compromised one), or to retire the previous generation once its tokens have all expired.
   *
   * @default false
   */
  readonly allowCuttingOffTokens?: boolean;

  /**
   * A KMS key of your own to sign with, instead of one this construct defines: key spec `ECC_NIST_P384`, usage
   * `SIGN_VERIFY`, its key policy letting the account's IAM policies grant its use. Its public half is imported into IVS;
   * the key itself is left alone when the signing key is removed. To rotate, define a second
   * `ParticipantTokenSigningKey` with the new key, sign with it, and remove the first once its tokens have expired.
   * `generation`, `oldestGeneration`, `pendingWindow` and `removalPolicy` apply only to keys this construct defines.
   *
   * @default - a KMS key per generation, defined here
   */
  readonly kmsKey?: kms.IKey;

  /**
   * How long a KMS key this construct defines stays pending deletion once it leaves the stack (a retired generation, or
   * the whole signing key), during which the deletion can be cancelled. Whole days from 7 to 30.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the KMS keys this construct defines when they leave the stack: `DESTROY` schedules their deletion
   * (after `pendingWindow`), `RETAIN` keeps them. The IVS public keys are deleted either way, so that IVS stops
   * accepting what a removed key signed.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the IVS public keys and the KMS keys (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * A key pair for Amazon IVS Real-Time participant tokens with no private key anywhere but in AWS KMS: an asymmetric
 * KMS key (`ECC_NIST_P384`, `SIGN_VERIFY`), whose public half the provider reads (`kms:GetPublicKey`) and imports into
 * IVS as a public key. A `ParticipantTokenIssuer` signs ES384 participant tokens with it (`kms:Sign`); IVS verifies each
 * against the public key its header names (`kid`). No key material is in the template, in the custom resource's
 * attributes or in any log.
 *
 * **Rotation without cutting anyone off.** IVS public keys never expire, and IVS accepts a token while the public key it
 * names exists and the token has not expired. Raising `generation` defines a new KMS key and imports its public half:
 * - tokens signed before the rotation name the previous public key, which stays (`oldestGeneration`): they are
 *   accepted until they expire;
 * - during the deployment, a function still configured with the previous key signs with it (`grantSign` covers every
 *   generation kept): those tokens are accepted too;
 * - after it, new tokens name the new key.
 * A rotation retires nothing. The generation before the current one always stays (unless `allowCuttingOffTokens`);
 * older ones are retired by raising `oldestGeneration`, once the longest token lifetime has passed since the generation
 * after them was deployed: their public keys are deleted (IVS then refuses any token they signed) and their KMS keys
 * scheduled for deletion.
 *
 * @resource Custom::IvsRealTimeKmsPublicKey
 * @example
 * import { IStage, ParticipantTokenIssuer, ParticipantTokenSigningKey } from 'cdk-ivs-realtime';
 *
 * declare const stage: IStage;
 *
 * // rotated twice, the longest token lifetime apart: generation 1's tokens have all expired.
 * const signingKey = new ParticipantTokenSigningKey(this, 'TokenSigningKey', { generation: 3, oldestGeneration: 2 });
 * new ParticipantTokenIssuer(this, 'Tokens', { signingKey, stages: [stage] });
 */
export class ParticipantTokenSigningKey extends ParticipantTokenSigningKeyBase implements ITaggable {
  /** Imports a signing key from its IVS public key and its KMS key. */
  public static fromParticipantTokenSigningKeyAttributes(scope: Construct, id: string,
    attrs: ParticipantTokenSigningKeyAttributes): IParticipantTokenSigningKey {
    validateIvsArn(scope, id, 'ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes', attrs.publicKeyArn,
      ArnResource.PUBLIC_KEY);
    class Import extends ParticipantTokenSigningKeyBase {
      public readonly publicKeyArn = attrs.publicKeyArn;
      public readonly kmsKey = attrs.kmsKey;
      protected readonly _signingKeys = [attrs.kmsKey];
    }
    return new Import(scope, id, { environmentFromArn: attrs.publicKeyArn });
  }

  /**
   * Whether `x` is a `ParticipantTokenSigningKey`, also one from another copy of this library loaded in the same app
   * (where `instanceof` is false). Imported signing keys are not.
   */
  public static isParticipantTokenSigningKey(x: any): x is ParticipantTokenSigningKey {
    return isMarkedSigningKey(x);
  }

  /**
   * The IVS public key of the current generation: the `kid` of new tokens.
   *
   * @attribute
   */
  public readonly publicKeyArn: string;
  /**
   * The current IVS public key's fingerprint as IVS computes it.
   *
   * @attribute
   * @example '98:0d:1a:a0:19:96:1e:ea:0a:0a:2c:9a:42:19:2b:e7'
   */
  public readonly publicKeyFingerprint: string;
  /** The current generation's KMS key, which new tokens are signed with. */
  public readonly kmsKey: kms.IKey;
  /** The current generation. */
  public readonly generation: number;
  /** The tags of the IVS public keys, including those added with `Tags.of()` (which tag the KMS keys too). */
  public readonly tags: TagManager;
  /** @internal */
  protected readonly _signingKeys: kms.IKey[];
  /** The KMS keys this construct defined (none with `kmsKey`): their policies are this app's to write. */
  private readonly definedKeys: kms.Key[] = [];
  /** The ARNs of the roles `restrictSigningTo` keeps `kms:Sign` to. */
  private readonly signers: string[] = [];

  constructor(scope: Construct, id: string, props: ParticipantTokenSigningKeyProps = {}) {
    super(scope, id);
    const { generation, oldestGeneration } = validateSigningKeyProps(this, props);
    this.generation = generation;
    this.tags = new TagManager(TagType.MAP, ResourceType.KMS_PUBLIC_KEY);
    // through Tags.of(), so that the KMS keys get them too.
    Object.entries(props.tags ?? {}).forEach(([key, value]) => Tags.of(this).add(key, value));

    const generations: Generation[] = [];
    for (let n = oldestGeneration; n <= generation; n++) {
      generations.push(this.defineGeneration(n, props));
    }
    const current = generations[generations.length - 1];
    this.kmsKey = current.kmsKey;
    this.publicKeyArn = current.publicKey.ref;
    this.publicKeyFingerprint = current.publicKey.getAttString(Attribute.PUBLIC_KEY_FINGERPRINT);
    this._signingKeys = generations.map((g) => g.kmsKey);
  }

  /**
   * Keeps `kms:Sign` on this signing key's KMS keys to the roles of `signers` (a `ParticipantTokenIssuer`'s function,
   * say): every key policy gets a statement that denies `kms:Sign` to any other principal (`aws:PrincipalArn`), the
   * account's administrators and IAM policies allowing `kms:*` on `*` included, so that no one else can mint tokens IVS
   * accepts. Call it again to add signers. Only for the KMS keys this construct defines (not `kmsKey`: its policy is
   * yours), and only for signers that are IAM roles. Changing a key policy is still allowed to whoever may
   * `kms:PutKeyPolicy`.
   */
  public restrictSigningTo(...signers: iam.IGrantable[]): void {
    const where = `ParticipantTokenSigningKey '${this.node.path}'`;
    if (this.definedKeys.length === 0) {
      throw new ValidationError(`${where}: \`restrictSigningTo\` applies to the KMS keys the construct defines, and it was given `
        + '`kmsKey`: write the restriction into that key\'s own policy');
    }
    for (const signer of signers) {
      const roleArn = (signer?.grantPrincipal as Partial<iam.IRole> | undefined)?.roleArn;
      if (typeof roleArn !== 'string') {
        throw new ValidationError(`${where}: \`restrictSigningTo\` takes grantees whose principal is an IAM role (a function, a `
          + `role), got ${describeValue(signer?.grantPrincipal)}`);
      }
      this.signers.push(roleArn);
    }
    if (this.signers.length === signers.length) {
      // once per key; the list of roles is read at synth, so that later calls add to the same statement.
      for (const key of this.definedKeys) {
        key.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'OnlyTheTokenIssuersSign',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: SIGNING_KEY_SIGN_ACTIONS,
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.signers }) } },
        }));
      }
    }
  }

  /** One generation's KMS key and IVS public key, under `Generation<n>`, so that their logical IDs never change. */
  private defineGeneration(n: number, props: ParticipantTokenSigningKeyProps): Generation {
    const scope = new Construct(this, `Generation${n}`);
    const kmsKey = props.kmsKey ?? this.defineKmsKey(new kms.Key(scope, 'Key', {
      description: `Signs Amazon IVS Real-Time participant tokens: generation ${n} of ${this.node.path}`,
      keySpec: kms.KeySpec.ECC_NIST_P384,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      pendingWindow: props.pendingWindow,
      // aws-cdk-lib retains KMS keys by default, for the data they decrypt: a signing key decrypts nothing.
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    }));
    const publicKey = defineIvsCustomResource(scope, {
      resourceType: ResourceType.KMS_PUBLIC_KEY,
      arnResource: ArnResource.PUBLIC_KEY,
      actions: PROVIDER_ACTIONS.publicKey,
      request: (): KmsPublicKeyRequest => ({ kmsKeyArn: kmsKey.keyArn }),
      tags: this.tags,
    });
    IvsRealTimeProvider.getOrCreate(this).handler
      .addToRolePolicy(new iam.PolicyStatement({ actions: PROVIDER_KMS_ACTIONS, resources: [kmsKey.keyArn] }));
    return { kmsKey, publicKey };
  }

  private defineKmsKey(key: kms.Key): kms.Key {
    this.definedKeys.push(key);
    return key;
  }
}

const isMarkedSigningKey = markClass(ParticipantTokenSigningKey, 'ParticipantTokenSigningKey');

interface Generation {
  readonly kmsKey: kms.IKey;
  readonly publicKey: IvsCustomResource;
}

const MIN_PENDING_DAYS = 7;
const MAX_PENDING_DAYS = 30;

/** Validates the props and returns the generations to define. */
function validateSigningKeyProps(scope: ParticipantTokenSigningKey, props: ParticipantTokenSigningKeyProps):
{ generation: number; oldestGeneration: number } {
  const validator = new PropsValidator(scope, 'ParticipantTokenSigningKey');
  const generation = props.generation ?? 1;
  // each generation is a construct of its own: the numbers must be known at synth.
  validator.check(!Token.isUnresolved(generation), '`generation` must be a number known at synth, got a token');
  validator.integerAtLeast('generation', generation, 1);
  const oldestGeneration = props.oldestGeneration ?? 1;
  validator.check(!Token.isUnresolved(oldestGeneration), '`oldestGeneration` must be a number known at synth, got a token');
  if (validator.messages.length === 0 && !props.kmsKey) {
    validateRetirement(validator, generation, props.oldestGeneration, props.allowCuttingOffTokens ?? false);
  }
  if (props.kmsKey) {
    const managed = {
      generation: props.generation,
      oldestGeneration: props.oldestGeneration,
      allowCuttingOffTokens: props.allowCuttingOffTokens,
      pendingWindow: props.pendingWindow,
      removalPolicy: props.removalPolicy,
    };
    for (const [prop, value] of Object.entries(managed)) {
      validator.check(value === undefined, `\`${prop}\` applies only to KMS keys this construct defines, not to \`kmsKey\` (to rotate `
        + 'an own key, define another ParticipantTokenSigningKey with the new key), got both');
    }
    validateKmsKey(validator, props.kmsKey);
  }
  if (props.pendingWindow && !props.pendingWindow.isUnresolved()) {
    const days = props.pendingWindow.toDays({ integral: false });
    validator.check(Number.isInteger(days) && days >= MIN_PENDING_DAYS && days <= MAX_PENDING_DAYS,
      `\`pendingWindow\` must be a whole number of days from ${MIN_PENDING_DAYS} to ${MAX_PENDING_DAYS}, got ${days} days`);
  }
  validator.tags('tags', props.tags);
  validator.throwIfInvalid();
  return { generation, oldestGeneration };
}

/**
 * The generations a deployment keeps must include every one whose tokens can be unexpired. Synth cannot know when a
 * generation was deployed, so the rules are about which generations stay: a rotation retires nothing by itself (no
 * default follows `generation` upwards), and the generation before the current one, current until the last rotation,
 * stays unless the user opts in to cutting its tokens off.
 */
function validateRetirement(validator: PropsValidator, generation: number, oldestGeneration: number | undefined,
  allowCuttingOffTokens: boolean): void {
  if (oldestGeneration === undefined) {
    // earlier releases defaulted to `generation - 1`, which retired generation n - 2 in the very deployment that rotated.
    validator.check(generation <= 2, `\`oldestGeneration\` must be set from generation 3 on, got generation ${generation} without it: `
      + `set it to ${generation - 1} to keep the previous generation and retire the older ones (earlier releases did so by default), `
      + 'but only if the longest token lifetime (the issuers\' `maxDuration`, 12 hours by default) has passed since generation '
      + `${generation - 1} was deployed; else to ${generation - 2} or lower, and raise it in a later deployment`);
    return;
  }
  const before = validator.messages.length;
  validator.integerInRange('oldestGeneration', oldestGeneration, 1, generation);
  validator.check(validator.messages.length > before || allowCuttingOffTokens || generation === 1 || oldestGeneration < generation,
    `\`oldestGeneration\` must be below \`generation\` (${generation}), got ${oldestGeneration}: it retires generation ${generation - 1}, `
    + 'whose unexpired tokens IVS would then refuse. Keep it (retire it with the next rotation, once the longest token lifetime '
    + 'has passed since this generation was deployed), or set `allowCuttingOffTokens: true` to cut its tokens off');
}

/** A key defined in this app can be checked at synth; the handler checks any key at deployment. */
function validateKmsKey(validator: PropsValidator, key: kms.IKey): void {
  const cfn = key.node.defaultChild;
  if (!cfn || !kms.CfnKey.isCfnKey(cfn)) {
    return;
  }
  const spec = cfn.keySpec ?? 'SYMMETRIC_DEFAULT';
  const usage = cfn.keyUsage ?? 'ENCRYPT_DECRYPT';
  if (Token.isUnresolved(spec) || Token.isUnresolved(usage)) {
    return;
  }
  validator.check(spec === 'ECC_NIST_P384' && usage === 'SIGN_VERIFY', '`kmsKey` must have key spec ECC_NIST_P384 and usage SIGN_VERIFY '
    + `(IVS verifies participant tokens signed with ES384), got ${spec} for ${usage} (${key.node.path})`);
}
