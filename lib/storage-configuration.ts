import { Annotations, IResource, ITaggable, RemovalPolicy, Resource, Stack, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
import { ArnResource, ResourceType, StorageConfigurationRequest } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import { STORAGE_CONFIGURATION_READ_ACTIONS, PROVIDER_ACTIONS } from './private/iam';
import { IvsRealTimeProvider } from './private/provider';
import { ivsCompositeWriteStatement, readableIvsCompositeWriteStatement, validateRecordingBucket } from './private/recording-bucket';
import { PropsValidator } from './private/validation';

/** An Amazon IVS Real-Time storage configuration: an S3 bucket that recordings are written to. */
export interface IStorageConfiguration extends IResource {
  /**
   * The storage configuration's ARN.
   *
   * @attribute
   * @example 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/abcdABCDefgh'
   */
  readonly storageConfigurationArn: string;

  /** Grants `actions` on this storage configuration to `grantee`. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /** Grants reading this storage configuration: `ivs:GetStorageConfiguration` on it only. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of a storage configuration defined outside this app. */
export interface StorageConfigurationAttributes {
  /**
   * The storage configuration's ARN.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/abcdABCDefgh'
   */
  readonly storageConfigurationArn: string;
}

abstract class StorageConfigurationBase extends Resource implements IStorageConfiguration {
  public abstract readonly storageConfigurationArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.storageConfigurationArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...STORAGE_CONFIGURATION_READ_ACTIONS);
  }
}

/** Properties of a `StorageConfiguration`. */
export interface StorageConfigurationProps {
  /**
   * The bucket recordings are written to. It must be in the stack's region, encrypted with SSE-S3
   * (IVS cannot write to KMS-encrypted buckets), and must not use the `ObjectWriter` object ownership. IVS takes
   * only names of 3-63 lowercase letters, digits, periods and hyphens (not S3's legacy names with capitals).
   */
  readonly bucket: s3.IBucket;

  /**
   * The storage configuration's name. Up to 128 letters, digits, hyphens and underscores.
   *
   * @default - no name
   */
  readonly storageConfigurationName?: string;

  /**
   * Tags for the storage configuration (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the storage configuration when it leaves the stack. The bucket and its
   * recordings follow the bucket's own removal policy.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Defines an Amazon IVS Real-Time storage configuration for an S3 bucket.
 *
 * When IVS creates a storage configuration it adds a statement to the bucket's policy that lets it write
 * recordings. A bucket policy managed by CDK is rewritten whole on every deployment and would drop that
 * statement, so for a bucket defined in this app the same statement is added to the CDK policy, and the
 * storage configuration is created after it. For an imported bucket a warning gives the statement to keep.
 *
 * There is no update call for storage configurations: changing the bucket or name defines a new one (new ARN)
 * and deletes the old one. Tags update in place.
 *
 * @resource Custom::IvsRealTimeStorageConfiguration
 * @example
 * import * as s3 from 'aws-cdk-lib/aws-s3';
 * import { StorageConfiguration } from 'cdk-ivs-realtime';
 *
 * const bucket = new s3.Bucket(this, 'Recordings', { enforceSSL: true });
 * new StorageConfiguration(this, 'Storage', { bucket });
 */
export class StorageConfiguration extends StorageConfigurationBase implements ITaggable {
  /** Imports a storage configuration by its ARN. */
  public static fromStorageConfigurationArn(scope: Construct, id: string, storageConfigurationArn: string): IStorageConfiguration {
    return StorageConfiguration.fromStorageConfigurationAttributes(scope, id, { storageConfigurationArn });
  }

  /** Imports a storage configuration from its attributes. */
  public static fromStorageConfigurationAttributes(scope: Construct, id: string, attrs: StorageConfigurationAttributes): IStorageConfiguration {
    validateIvsArn(scope, id, 'StorageConfiguration.fromStorageConfigurationAttributes', attrs.storageConfigurationArn,
      ArnResource.STORAGE_CONFIGURATION);
    class Import extends StorageConfigurationBase {
      public readonly storageConfigurationArn = attrs.storageConfigurationArn;
    }
    return new Import(scope, id, { environmentFromArn: attrs.storageConfigurationArn });
  }

  /**
   * Whether `x` is a `StorageConfiguration`, also one from another copy of this library loaded in the same app (where
   * `instanceof` is false). Imported storage configurations are not.
   */
  public static isStorageConfiguration(x: any): x is StorageConfiguration {
    return isMarkedStorageConfiguration(x);
  }

  /**
   * The storage configuration's ARN.
   *
   * @attribute
   */
  public readonly storageConfigurationArn: string;
  /** The bucket recordings are written to. */
  public readonly bucket: s3.IBucket;
  /** The storage configuration's tags, including those added with `Tags.of()`. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: StorageConfigurationProps) {
    super(scope, id);
    validateStorageConfigurationProps(this, props);
    this.bucket = props.bucket;
    this.tags = new TagManager(TagType.MAP, ResourceType.STORAGE_CONFIGURATION, props.tags);

    const resource = defineIvsCustomResource(this, {
      resourceType: ResourceType.STORAGE_CONFIGURATION,
      arnResource: ArnResource.STORAGE_CONFIGURATION,
      actions: PROVIDER_ACTIONS.storageConfiguration,
      heldByCompositions: true,
      request: (): StorageConfigurationRequest => ({
        name: props.storageConfigurationName,
        s3: { bucketName: props.bucket.bucketName },
      }),
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });
    resource.node.addDependency(this.grantHandlerBucketPolicyAccess(props.bucket));
    const policy = this.keepIvsBucketPolicyStatement(props.bucket);
    if (policy) {
      resource.node.addDependency(policy);
    }
    this.storageConfigurationArn = resource.ref;
  }

  /**
   * IVS edits the bucket policy with the caller's credentials, so the handler needs bucket-policy actions on this
   * bucket only, in a policy that exists before the storage configuration is created and outlives its deletion.
   */
  private grantHandlerBucketPolicyAccess(bucket: s3.IBucket): iam.Policy {
    return IvsRealTimeProvider.getOrCreate(this).bucketPolicyAccess(bucket);
  }

  /**
   * Adds IVS's own statement to a CDK-managed bucket policy so that a later policy update keeps it; returns the
   * policy to wait for, or warns when the bucket is imported and its policy is not ours to write.
   */
  private keepIvsBucketPolicyStatement(bucket: s3.IBucket): s3.BucketPolicy | undefined {
    const region = Stack.of(this).region;
    const result = bucket.addToResourcePolicy(ivsCompositeWriteStatement(bucket, region));
    if (result.statementAdded) {
      return bucket.policy;
    }
    Annotations.of(this).addWarningV2('cdk-ivs-realtime:importedBucketPolicy',
      `IVS adds a statement to the policy of bucket ${bucket.bucketName} when this storage configuration is created. `
      + 'If that policy is managed elsewhere (another stack, Terraform, a script), add this statement there too, or '
      + `the next policy update removes it and recordings fail: ${JSON.stringify(readableIvsCompositeWriteStatement(bucket, region))}`);
    return undefined;
  }
}

const isMarkedStorageConfiguration = markClass(StorageConfiguration, 'StorageConfiguration');

function validateStorageConfigurationProps(scope: StorageConfiguration, props: StorageConfigurationProps): void {
  const validator = new PropsValidator(scope, 'StorageConfiguration');
  validator.resourceName('storageConfigurationName', props.storageConfigurationName);
  validator.tags('tags', props.tags);
  validateRecordingBucket(validator, props.bucket, Stack.of(scope).region);
  validator.throwIfInvalid();
}
