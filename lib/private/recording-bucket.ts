import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PropsValidator } from './validation';

/** The statement IVS adds to a recording bucket's policy (Sid `CompositeWrite-<id>` in the service's own version). */
export function ivsCompositeWriteStatement(bucket: s3.IBucket, region: string): iam.PolicyStatement {
  return iam.PolicyStatement.fromJson(compositeWriteStatementJson(`ivs-composite.${region}.amazonaws.com`, bucket.arnForObjects('*')));
}

/** The same statement as a person would paste it, with placeholders for what is only known at deploy time. */
export function readableIvsCompositeWriteStatement(bucket: s3.IBucket, region: string): Record<string, unknown> {
  const known = (value: string, placeholder: string) => Token.isUnresolved(value) ? placeholder : value;
  return compositeWriteStatementJson(`ivs-composite.${known(region, '<region>')}.amazonaws.com`,
    `arn:aws:s3:::${known(bucket.bucketName, '<bucket>')}/*`);
}

function compositeWriteStatementJson(principalService: string, objectsArn: string): Record<string, unknown> {
  return {
    Sid: 'IvsCompositeWrite',
    Effect: 'Allow',
    Principal: { Service: principalService },
    Action: ['s3:PutObject', 's3:PutObjectAcl'],
    Resource: objectsArn,
    Condition: {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
      Bool: { 'aws:SecureTransport': 'true' },
    },
  };
}

/**
 * Checks what can be known at synth of IVS's bucket requirements: an IVS-style name, same region, no KMS encryption,
 * no `ObjectWriter` ownership. For `StorageConfiguration`, the one construct that hands a bucket to IVS.
 */
export function validateRecordingBucket(validator: PropsValidator, bucket: s3.IBucket, region: string): void {
  // S3 still serves some legacy names (capitals, underscores) that IVS refuses: an imported bucket may have one.
  validator.stringLength('bucket.bucketName', bucket.bucketName, 3, 63);
  validator.pattern('bucket.bucketName', bucket.bucketName, /^[a-z0-9.-]*$/, 'contain only lowercase letters, digits, periods and hyphens '
    + '(IVS records only to buckets named so)');
  const bucketRegion = bucket.env.region;
  if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(region)) {
    validator.check(bucketRegion === region,
      `\`bucket\` must be in the stack's region ${region} (IVS records only to buckets in the stage's region), got ${bucketRegion}`);
  }
  const cfnBucket = s3.CfnBucket.isCfnBucket(bucket.node.defaultChild) ? bucket.node.defaultChild : undefined;
  // a bucket of this app shows KMS in its template (KMS_MANAGED gives it no key object); an imported one only by its key.
  const kmsAlgorithms = cfnBucket ? encryptionAlgorithms(cfnBucket).filter((a) => a.startsWith('aws:kms')) : [];
  validator.check(bucket.encryptionKey === undefined && kmsAlgorithms.length === 0, '`bucket` must use SSE-S3 encryption (IVS cannot '
    + `write to KMS-encrypted buckets), got ${kmsAlgorithms.length > 0 ? kmsAlgorithms.join(', ') : 'a bucket with a KMS key'}`);
  const ownership = cfnBucket && objectOwnership(cfnBucket);
  validator.check(ownership !== s3.ObjectOwnership.OBJECT_WRITER,
    `\`bucket\` must have object ownership BucketOwnerEnforced or BucketOwnerPreferred, got ${ownership}`);
}

function encryptionAlgorithms(bucket: s3.CfnBucket): string[] {
  const encryption = Stack.of(bucket).resolve(bucket.bucketEncryption);
  const rules: any[] = encryption?.serverSideEncryptionConfiguration ?? [];
  return rules.map((rule) => rule?.serverSideEncryptionByDefault?.sseAlgorithm).filter((a): a is string => typeof a === 'string');
}

function objectOwnership(bucket: s3.CfnBucket): string | undefined {
  const controls = Stack.of(bucket).resolve(bucket.ownershipControls);
  return controls?.rules?.[0]?.objectOwnership;
}
