import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RecordingBucket, StorageConfiguration } from '../lib';
import { newStack } from './util';

describe('RecordingBucket', () => {
  test('is configured the way IVS records: SSE-S3, ownership enforced, public access blocked, SSL only, retained', () => {
    const stack = newStack();
    new RecordingBucket(stack, 'Recordings');
    const template = Template.fromStack(stack);

    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      DeletionPolicy: 'Retain',
    });
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test('passes the checks a StorageConfiguration makes, and gets the IVS statement in its policy', () => {
    const stack = newStack();
    const bucket = new RecordingBucket(stack, 'Recordings', { recordingRetention: Duration.days(30) });
    expect(() => new StorageConfiguration(stack, 'Storage', { bucket })).not.toThrow();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireRecordings', ExpirationInDays: 30, Status: 'Enabled' }] },
    });
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toContain('IvsCompositeWrite');
  });

  test('writes access logs where told', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'Logs');
    new RecordingBucket(stack, 'Recordings', { serverAccessLogsBucket: logs });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(logs.node.defaultChild as s3.CfnBucket) } },
    });
  });

  test('fails if the retention is not whole days or auto-deletion lacks DESTROY, naming the construct', () => {
    const stack = newStack();
    expect(() => new RecordingBucket(stack, 'Recordings', { recordingRetention: Duration.hours(12), autoDeleteObjects: true })).toThrow(
      "RecordingBucket 'TestStack/Recordings' has invalid props:\n"
      + '- `recordingRetention` must be a whole number of days, at least 1, got 0.5 days\n'
      + '- `autoDeleteObjects` requires `removalPolicy` DESTROY (objects are deleted with the bucket); set both or remove `autoDeleteObjects`');
    expect(() => new RecordingBucket(stack, 'Ok', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true })).not.toThrow();
  });
});
