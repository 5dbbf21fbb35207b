import { IResource, ITaggable, RemovalPolicy, Resource, Stack, TagManager, TagType, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
import { ArnResource, Attribute, IngestConfigurationRequest, Property, ResourceType } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import { INGEST_CONFIGURATION_READ_ACTIONS, PROVIDER_ACTIONS, STREAM_KEY_SECRET_KMS_ACTIONS, STREAM_KEY_SECRET_PROVIDER_ACTIONS } from './private/iam';
import { acknowledgeCompliance } from './private/nag';
import { IvsRealTimeProvider } from './private/provider';
import { describeValue, PropsValidator, ValidationError } from './private/validation';
// type-only: stage.ts imports this module at run time (for `addIngestConfiguration`), so this one must not import it back.
import type { IStage } from './stage';

/** An Amazon IVS Real-Time ingest configuration: lets an RTMP(S) encoder (such as OBS) publish to a stage as a participant. */
export interface IIngestConfiguration extends IResource {
  /**
   * The ingest configuration's ARN.
   *
   * @attribute
   * @example 'arn:aws:ivs:us-east-1:123456789012:ingest-configuration/abcdABCDefgh'
   */
  readonly ingestConfigurationArn: string;

  /**
   * Grants reading the stream key and the redundant ingest credentials from IVS: `ivs:GetIngestConfiguration` on this
   * ingest configuration only. (An `IngestConfiguration` that keeps a copy in Secrets Manager grants reading it too.)
   */
  grantReadStreamKey(grantee: iam.IGrantable): iam.Grant;

  /** Grants `actions` on this ingest configuration to `grantee`. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants reading this ingest configuration: `ivs:GetIngestConfiguration` on it only. GetIngestConfiguration answers
   * with the stream key, so this grant lets the grantee publish to the stage: give it only to whoever runs the encoder.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of an ingest configuration defined outside this app. */
export interface IngestConfigurationAttributes {
  /**
   * The ingest configuration's ARN.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:ingest-configuration/abcdABCDefgh'
   */
  readonly ingestConfigurationArn: string;
}

abstract class IngestConfigurationBase extends Resource implements IIngestConfiguration {
  public abstract readonly ingestConfigurationArn: string;

  public grantReadStreamKey(grantee: iam.IGrantable): iam.Grant {
    // GetIngestConfiguration answers with the stream key: reading the ingest configuration is reading its key.
    return this.grantRead(grantee);
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.ingestConfigurationArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...INGEST_CONFIGURATION_READ_ACTIONS);
  }
}

/**
 * Where an ingest configuration's stream key can be read. IVS always holds it: `GetIngestConfiguration` returns it,
 * with the redundant ingest credentials, for as long as the ingest configuration exists.
 */
export abstract class StreamKeyStorage {
  /**
   * IVS alone holds the stream key: read it with `GetIngestConfiguration`, after `grantReadStreamKey`. No secret to
   * pay for, and no second copy that could differ from the key IVS accepts.
   */
  public static ivsOnly(): StreamKeyStorage {
    return new IvsOnly();
  }

  /**
   * IVS holds the stream key, and the provider's handler also copies it into a Secrets Manager secret defined with the
   * ingest configuration (`streamKeySecret`), as the JSON
   * `{"ingestConfigurationArn": "...", "streamKey": "...", "redundantIngestCredentials": [{"participantId": "...",
   * "streamKey": "..."}]}` (the list is empty without `redundantIngest`): for consumers that take the key as a secret,
   * such as a container given `ecs.Secret.fromSecretsManager(ingest.streamKeySecret, 'streamKey')`.
   *
   * The secret holds the keys of the ingest configuration the stack has: the handler rewrites it at creation and
   * replacement, when `redundantIngest` is turned on or off, and when CloudFormation rolls an update back (a replacement
   * included: the secret gets the old keys back before the new ingest configuration is deleted). Until the first
   * deployment it holds `{}`. If the copy cannot be written, the handler deletes the ingest configuration it just
   * created and the deployment fails. Each secret is one more resource in the stack and is billed monthly.
   */
  public static secretsManager(options: StreamKeySecretOptions = {}): StreamKeyStorage {
    return new SecretsManagerCopy(options);
  }

  /**
   * Defines, in `scope`, the secret that holds the copy of the stream key, if this storage keeps one.
   *
   * @internal
   */
  public abstract _defineSecret(scope: Construct, removalPolicy: RemovalPolicy | undefined): secretsmanager.ISecret | undefined;
}

class IvsOnly extends StreamKeyStorage {
  public _defineSecret(): undefined {
    return undefined;
  }
}

/** Options of the secret that `StreamKeyStorage.secretsManager()` keeps the copy of the stream key in. */
export interface StreamKeySecretOptions {
  /**
   * The customer-managed KMS key Secrets Manager encrypts the secret with (as NIST.800-53.R5 asks: cdk-nag's
   * `SecretsManagerUsingKMSKey`). The provider's handler may then `kms:GenerateDataKey` and `kms:Decrypt` with it
   * through Secrets Manager only, to write and read the secret; `grantReadStreamKey` grants decrypting with it too.
   *
   * @default - the account's AWS managed key for Secrets Manager (`aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;
}

class SecretsManagerCopy extends StreamKeyStorage {
  constructor(private readonly options: StreamKeySecretOptions) {
    super();
  }

  public _defineSecret(scope: Construct, removalPolicy: RemovalPolicy | undefined): secretsmanager.ISecret {
    // the ID of earlier releases, where every ingest configuration had this secret: a stack that upgrades and opts in keeps it.
    const secret = new secretsmanager.Secret(scope, 'StreamKey', {
      description: `Stream key of the IVS Real-Time ingest configuration ${scope.node.path}`,
      // a placeholder, not a generated password that could pass for a key: the handler writes the real value.
      secretObjectValue: {},
      encryptionKey: this.options.encryptionKey,
      removalPolicy,
    });
    // for cdk-nag (AwsSolutions-SMG4), through aws-cdk-lib's Validations: no dependency on cdk-nag.
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The secret holds a copy of the stream key IVS generated for the ingest configuration, which Secrets Manager cannot '
        + 'rotate: a new key comes with a new ingest configuration, which the handler writes here (change a property that '
        + 'replaces it to rotate)',
    });
    acknowledgeCompliance(secret, {
      SecretsManagerRotationEnabled: 'The secret holds a copy of the stream key IVS generated for the ingest configuration, which '
        + 'neither Secrets Manager nor IVS can rotate in place: a new key comes with a new ingest configuration (change a '
        + 'property that replaces it), and the handler writes it here',
    });
    return secret;
  }
}

/** The protocol an encoder publishes with. */
export enum IngestProtocol {
  /** RTMP over TLS: the stream and its key are encrypted in transit. */
  RTMPS = 'RTMPS',
  /**
   * Plain RTMP: the stream and its key cross the network unencrypted. Requires `insecureIngest: true`.
   * Only for encoders that cannot do RTMPS.
   */
  RTMP = 'RTMP',
}

/** The API's limit on `attributes`: "1 KB total". */
const MAX_ATTRIBUTES_BYTES = 1024;

/** Properties of an ingest configuration, except the stage it publishes to (see `IStage.addIngestConfiguration`). */
export interface IngestConfigurationOptions {
  /**
   * The ingest configuration's name. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly ingestConfigurationName?: string;

  /**
   * The protocol the encoder publishes with. `RTMP` also needs `insecureIngest: true`.
   *
   * @default IngestProtocol.RTMPS
   */
  readonly ingestProtocol?: IngestProtocol;

  /**
   * Allows plain, unencrypted RTMP ingest: required, and only allowed, with `IngestProtocol.RTMP`, as an
   * explicit acknowledgement that the stream and its stream key cross the network unencrypted.
   *
   * @default false
   */
  readonly insecureIngest?: boolean;

  /**
   * Identifies the publishing participant in your own systems (any UTF-8 text, up to 128 characters).
   * Every participant of the stage can see it: no personal or confidential information.
   *
   * @default - no user ID
   */
  readonly userId?: string;

  /**
   * Attributes attached to the publishing participant, which every participant of the stage can see (no personal or
   * confidential information). At most 1 KB in all, counted as the UTF-8 bytes of every key and value.
   *
   * @default - no attributes
   */
  readonly attributes?: { [key: string]: string };

  /**
   * Whether the encoder may publish a second, backup stream with its own credentials, which the service
   * uses when the primary one fails. `GetIngestConfiguration` returns the backup credentials beside the stream key (and
   * a Secrets Manager copy holds them too). Updates in place.
   *
   * @default false
   */
  readonly redundantIngest?: boolean;

  /**
   * Where the stream key can be read: from IVS only, or also from a copy in a Secrets Manager secret that the
   * construct defines and the provider keeps current. Changing it creates or deletes the secret; the ingest
   * configuration and its key stay as they are.
   *
   * @default StreamKeyStorage.ivsOnly()
   */
  readonly streamKeyStorage?: StreamKeyStorage;

  /**
   * What deleting the ingest configuration does while an encoder is publishing with it (it is `ACTIVE`): `true`
   * disconnects the encoder and deletes it; `false` fails the deletion (CloudFormation shows why) until the
   * broadcast stops. This applies when the ingest configuration leaves the stack, when the stack is deleted, and
   * to the old ingest configuration after a replacement, whose stream key would otherwise stay valid.
   *
   * @default true
   */
  readonly forceDelete?: boolean;

  /**
   * Tags for the ingest configuration (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the ingest configuration, and the secret holding a copy of its stream key if there is one, when
   * they leave the stack. `RETAIN` keeps both, and keeps an ingest configuration that a replacement left behind (whose
   * key stays valid).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of an `IngestConfiguration`. */
export interface IngestConfigurationProps extends IngestConfigurationOptions {
  /** The stage the encoder publishes to. Changing it updates the ingest configuration in place (same ARN and key). */
  readonly stage: IStage;
}

/**
 * Defines an Amazon IVS Real-Time ingest configuration: a stream key with which an RTMP(S) encoder publishes to a
 * stage as one participant.
 *
 * The stream key is a secret, so it never appears in the template, in outputs or in the custom resource's
 * attributes. IVS holds it: whoever runs the encoder reads it at run time with `GetIngestConfiguration`, after
 * `grantReadStreamKey`. With `streamKeyStorage: StreamKeyStorage.secretsManager()`, the handler also keeps a copy in
 * `streamKeySecret`.
 *
 * The stage and `redundantIngest` update in place (same ARN, same key); any other change defines a new ingest
 * configuration with a new key (which a secret copy then holds), and CloudFormation deletes the old one (see
 * `forceDelete`). Tags update in place.
 *
 * @resource Custom::IvsRealTimeIngestConfiguration
 * @example
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { Stage } from 'cdk-ivs-realtime';
 *
 * declare const backendFunction: lambda.IFunction;
 *
 * const stage = new Stage(this, 'Stage');
 * const ingest = stage.addIngestConfiguration('Obs', { userId: 'studio-encoder' });
 * ingest.grantReadStreamKey(backendFunction);
 */
export class IngestConfiguration extends IngestConfigurationBase implements ITaggable {
  /** Imports an ingest configuration by its ARN. */
  public static fromIngestConfigurationArn(scope: Construct, id: string, ingestConfigurationArn: string): IIngestConfiguration {
    return IngestConfiguration.fromIngestConfigurationAttributes(scope, id, { ingestConfigurationArn });
  }

  /** Imports an ingest configuration from its attributes. */
  public static fromIngestConfigurationAttributes(scope: Construct, id: string, attrs: IngestConfigurationAttributes): IIngestConfiguration {
    validateIvsArn(scope, id, 'IngestConfiguration.fromIngestConfigurationAttributes', attrs.ingestConfigurationArn,
      ArnResource.INGEST_CONFIGURATION);
    class Import extends IngestConfigurationBase {
      public readonly ingestConfigurationArn = attrs.ingestConfigurationArn;
    }
    return new Import(scope, id, { environmentFromArn: attrs.ingestConfigurationArn });
  }

  /**
   * Whether `x` is an `IngestConfiguration`, also one from another copy of this library loaded in the same app (where
   * `instanceof` is false). Imported ingest configurations are not.
   */
  public static isIngestConfiguration(x: any): x is IngestConfiguration {
    return isMarkedIngestConfiguration(x);
  }

  /**
   * The ingest configuration's ARN.
   *
   * @attribute
   */
  public readonly ingestConfigurationArn: string;
  /**
   * The ID of the participant the encoder publishes as, in the stage.
   *
   * @attribute
   * @example 'p7hSyZdrtEhj'
   */
  public readonly ingestConfigurationParticipantId: string;
  /**
   * Whether a Secrets Manager secret holds a copy of the stream key (`streamKeyStorage: StreamKeyStorage.secretsManager()`):
   * only then is there a `streamKeySecret` to read.
   */
  public readonly hasStreamKeySecret: boolean;
  /** The ingest configuration's tags, including those added with `Tags.of()`. */
  public readonly tags: TagManager;
  private readonly keySecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: IngestConfigurationProps) {
    super(scope, id);
    validateIngestConfigurationProps(this, props);
    const protocol = props.ingestProtocol ?? IngestProtocol.RTMPS;

    this.tags = new TagManager(TagType.MAP, ResourceType.INGEST_CONFIGURATION, props.tags);
    this.keySecret = (props.streamKeyStorage ?? StreamKeyStorage.ivsOnly())._defineSecret(this, props.removalPolicy);
    this.hasStreamKeySecret = this.keySecret !== undefined;

    const resource = defineIvsCustomResource(this, {
      resourceType: ResourceType.INGEST_CONFIGURATION,
      arnResource: ArnResource.INGEST_CONFIGURATION,
      actions: PROVIDER_ACTIONS.ingestConfiguration,
      request: (): IngestConfigurationRequest => ({
        name: props.ingestConfigurationName,
        stageArn: props.stage.stageArn,
        userId: props.userId,
        attributes: props.attributes,
        ingestProtocol: protocol,
        insecureIngest: protocol === IngestProtocol.RTMP ? true : undefined,
        // explicit, so that removing the prop turns redundant ingest off instead of leaving it as it was.
        redundantIngest: props.redundantIngest ?? false,
      }),
      properties: {
        // absent without a copy, which tells the handler to write none.
        [Property.STREAM_KEY_SECRET_ARN]: this.keySecret?.secretArn,
        // only when false: the handler forces by default, and an absent setting keeps templates small.
        ...(props.forceDelete === false ? { [Property.FORCE_DELETE]: false } : {}),
      },
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });
    if (this.keySecret) {
      // the handler may write this secret only; the custom resource waits for the permission.
      const provider = IvsRealTimeProvider.getOrCreate(this);
      const grant = iam.Grant.addToPrincipal({
        grantee: provider.handler,
        actions: STREAM_KEY_SECRET_PROVIDER_ACTIONS,
        resourceArns: [this.keySecret.secretArn],
      });
      resource.node.addDependency(grant);
      // a write that fails on an update leaves the secret's correction to the sweep.
      resource.node.addDependency(provider.sweepSchedule());
      // a customer-managed key: Secrets Manager encrypts the value the handler writes, and decrypts what it reads, with it.
      // (In the handler role's policy, which the custom resource already waits for, through the grant above.)
      this.keySecret.encryptionKey?.grant(
        new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(this).region}.amazonaws.com`, provider.handler.grantPrincipal),
        ...STREAM_KEY_SECRET_KMS_ACTIONS);
    }

    this.ingestConfigurationArn = resource.ref;
    this.ingestConfigurationParticipantId = resource.getAttString(Attribute.INGEST_CONFIGURATION_PARTICIPANT_ID);
  }

  /**
   * The secret holding a copy of the stream key and the redundant ingest credentials (see
   * `StreamKeyStorage.secretsManager()` for its content). Only with that opt-in (`hasStreamKeySecret`): reading it without
   * throws, naming the ingest configuration and what to set, rather than giving code that expects a secret `undefined`.
   */
  public get streamKeySecret(): secretsmanager.ISecret {
    if (!this.keySecret) {
      throw new ValidationError(`IngestConfiguration '${this.node.path}' has no \`streamKeySecret\`: it keeps its stream key in IVS `
        + 'only (`streamKeyStorage` is `StreamKeyStorage.ivsOnly()`, the default). Set `streamKeyStorage: '
        + 'StreamKeyStorage.secretsManager()` for a copy in Secrets Manager, or read the key from IVS (`grantReadStreamKey`); '
        + '`hasStreamKeySecret` tells which');
    }
    return this.keySecret;
  }

  /**
   * Grants reading the stream key and the redundant ingest credentials: `ivs:GetIngestConfiguration` on this ingest
   * configuration only and, with a copy in Secrets Manager, `secretsmanager:GetSecretValue` and
   * `secretsmanager:DescribeSecret` on `streamKeySecret` only.
   */
  public grantReadStreamKey(grantee: iam.IGrantable): iam.Grant {
    const fromIvs = super.grantReadStreamKey(grantee);
    return this.keySecret ? fromIvs.combine(this.keySecret.grantRead(grantee)) : fromIvs;
  }
}

const isMarkedIngestConfiguration = markClass(IngestConfiguration, 'IngestConfiguration');

function validateIngestConfigurationProps(scope: IngestConfiguration, props: IngestConfigurationProps): void {
  const validator = new PropsValidator(scope, 'IngestConfiguration');
  // checked for JavaScript, where the factory itself (not called) or a string would fail later without naming the prop.
  validator.check(props.streamKeyStorage === undefined || props.streamKeyStorage instanceof StreamKeyStorage
    || typeof (props.streamKeyStorage as Partial<StreamKeyStorage>)._defineSecret === 'function',
  '`streamKeyStorage` must be a StreamKeyStorage, `StreamKeyStorage.ivsOnly()` or `StreamKeyStorage.secretsManager()`, '
    + `got ${describeValue(props.streamKeyStorage)}`);
  validator.resourceName('ingestConfigurationName', props.ingestConfigurationName);
  validator.oneOf('ingestProtocol', props.ingestProtocol, Object.values(IngestProtocol));
  const rtmp = props.ingestProtocol === IngestProtocol.RTMP;
  validator.check(!rtmp || props.insecureIngest === true,
    '`insecureIngest` must be true when `ingestProtocol` is RTMP, which sends the stream and its stream key unencrypted '
    + `(or use IngestProtocol.RTMPS), got ${props.insecureIngest}`);
  validator.check(rtmp || props.insecureIngest !== true, '`insecureIngest` must be false or unset unless `ingestProtocol` is RTMP, got true');
  validator.stringLength('userId', props.userId, 0, 128);
  validator.attributesSize('attributes', props.attributes, MAX_ATTRIBUTES_BYTES);
  validator.tags('tags', props.tags);
  validator.throwIfInvalid();
}
