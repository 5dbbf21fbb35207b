import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StorageConfiguration } from '../lib';
import { requestOf, newStack, newStackInRegion } from './util';

const STORAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456';

function logicalIdOf(stack: Stack, construct: { node: any }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('StorageConfiguration', () => {
  test('renders the bucket name and name in the API request shape', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const storage = new StorageConfiguration(stack, 'Storage', { bucket, storageConfigurationName: 'recordings', tags: { a: 'b' } });

    expect(requestOf(stack, 'Custom::IvsRealTimeStorageConfiguration')).toEqual({
      name: 'recordings',
      s3: { bucketName: `<Ref:${logicalIdOf(stack, bucket)}>` },
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IvsRealTimeStorageConfiguration', { Tags: { a: 'b' } });
    expect(storage.bucket).toBe(bucket);
    expect(stack.resolve(storage.storageConfigurationArn)).toEqual({ Ref: 'Storage07F31EBC' });
  });

  test("keeps IVS's own statement in a CDK-managed bucket policy, and is created after that policy", () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    new StorageConfiguration(stack, 'Storage', { bucket });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'IvsCompositeWrite',
          Effect: 'Allow',
          Principal: { Service: { 'Fn::Join': ['', ['ivs-composite.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Action: ['s3:PutObject', 's3:PutObjectAcl'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack, bucket), 'Arn'] }, '/*']] },
          Condition: {
            StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
            Bool: { 'aws:SecureTransport': 'true' },
          },
        }]),
      },
    });
    const [storage] = Object.values(template.findResources('Custom::IvsRealTimeStorageConfiguration'));
    const [policyId] = Object.keys(template.findResources('AWS::S3::BucketPolicy'));
    expect(storage.DependsOn).toContain(policyId);
  });

  test('lets the handler edit the policy of this bucket only, in a policy the storage configuration depends on', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    new StorageConfiguration(stack, 'Storage', { bucket });
    const template = Template.fromStack(stack);

    const access = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:PutBucketPolicy']) })] } },
    });
    const [accessId] = Object.keys(access);
    expect(access[accessId].Properties.PolicyDocument.Statement).toEqual([{
      Action: ['s3:GetBucketLocation', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [logicalIdOf(stack, bucket), 'Arn'] },
    }]);
    const [storage] = Object.values(template.findResources('Custom::IvsRealTimeStorageConfiguration'));
    expect(storage.DependsOn).toContain(accessId);
  });

  test('warns with the exact statement to keep when the bucket is imported', () => {
    const stack = newStackInRegion('eu-west-1');
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'my-recordings');
    new StorageConfiguration(stack, 'Storage', { bucket });

    const [warning] = Annotations.fromStack(stack).findWarning('/TestStack/Storage', Match.anyValue());
    const text = warning.entry.data as string;
    expect(text).toMatch(/^IVS adds a statement to the policy of bucket my-recordings when this storage configuration is created/);
    expect(JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1))).toEqual({
      Sid: 'IvsCompositeWrite',
      Effect: 'Allow',
      Principal: { Service: 'ivs-composite.eu-west-1.amazonaws.com' },
      Action: ['s3:PutObject', 's3:PutObjectAcl'],
      Resource: 'arn:aws:s3:::my-recordings/*',
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' }, Bool: { 'aws:SecureTransport': 'true' } },
    });
  });

  test('removal policy defaults to DESTROY', () => {
    const stack = newStack();
    new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket'), removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::IvsRealTimeStorageConfiguration', { DeletionPolicy: 'Retain' });
  });

  describe('validation', () => {
    test('fails once if the bucket is encrypted with a KMS key, seen in its key and its template', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: new kms.Key(stack, 'Key') });
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket })).toThrow(
        new Error("StorageConfiguration 'TestStack/Storage' has invalid props:\n"
          + '- `bucket` must use SSE-S3 encryption (IVS cannot write to KMS-encrypted buckets), got aws:kms'));
    });

    test('fails if an imported bucket has a KMS key', () => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'recordings', encryptionKey: new kms.Key(stack, 'Key') });
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket })).toThrow(
        "StorageConfiguration 'TestStack/Storage' has invalid props:\n"
        + '- `bucket` must use SSE-S3 encryption (IVS cannot write to KMS-encrypted buckets), got a bucket with a KMS key');
    });

    test('fails if the bucket uses the AWS-managed KMS key', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS_MANAGED });
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket }))
        .toThrow(/`bucket` must use SSE-S3 encryption \(IVS cannot write to KMS-encrypted buckets\), got aws:kms/);
    });

    test('fails if the bucket uses KMS, also when it comes from another loaded copy of aws-cdk-lib', () => {
      const stack = newStack();
      let bucket!: s3.Bucket;
      jest.isolateModules(() => {
        // defined here, so that aws-cdk-lib's lazily loaded classes (the bucket's CfnBucket) come from the other copy.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of aws-cdk-lib needs a load inside isolateModules
        const otherS3: typeof s3 = require('aws-cdk-lib/aws-s3');
        bucket = new otherS3.Bucket(stack, 'Bucket', { encryption: otherS3.BucketEncryption.KMS_MANAGED });
      });
      expect(bucket.node.defaultChild).not.toBeInstanceOf(s3.CfnBucket);
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket }))
        .toThrow(/`bucket` must use SSE-S3 encryption \(IVS cannot write to KMS-encrypted buckets\), got aws:kms/);
    });

    test('fails if object ownership is ObjectWriter', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER });
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket }))
        .toThrow(/`bucket` must have object ownership BucketOwnerEnforced or BucketOwnerPreferred, got ObjectWriter/);
    });

    test('fails if the bucket is in another region', () => {
      const stack = newStackInRegion('us-east-1');
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'recordings', region: 'eu-west-1' });
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket }))
        .toThrow(/`bucket` must be in the stack's region us-east-1 \(IVS records only to buckets in the stage's region\), got eu-west-1/);
    });

    test('fails if the name breaks the API rules', () => {
      const stack = newStack();
      expect(() => new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket'), storageConfigurationName: 'a b' }))
        .toThrow(/`storageConfigurationName` must contain only letters, digits, hyphens and underscores, got "a b"/);
    });
  });

  describe('imports', () => {
    test('fromStorageConfigurationArn keeps the ARN', () => {
      const stack = newStack();
      expect(StorageConfiguration.fromStorageConfigurationArn(stack, 'S', STORAGE_ARN).storageConfigurationArn).toBe(STORAGE_ARN);
    });

    test('fails if the ARN is not a storage configuration ARN', () => {
      const stack = newStack();
      expect(() => StorageConfiguration.fromStorageConfigurationArn(stack, 'S', 'arn:aws:ivs:us-east-1:123456789012:stage/abc'))
        .toThrow(/the ARN must look like arn:aws:ivs:<region>:<account>:storage-configuration\/<id>/);
    });
  });
});
