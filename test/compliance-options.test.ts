/**
 * The options that clear cdk-nag's HIPAA.Security and NIST.800-53.R5 findings on the library's own resources: a
 * customer-managed key for the library's function log groups and for the stream key secret, versioning on a
 * RecordingBucket. Each finding is there without its option and gone with it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  FunctionLogs, ParticipantTokenIssuer, ParticipantTokenSigningKey, RecordingBucket, Stage, StageRecording, StreamKeyStorage,
} from '../lib';

/** The resources (construct paths) with an unacknowledged finding of `rule` in either pack. */
function findings(scope: IConstruct, rule: string): string[] {
  return [new HIPAASecurityChecks(), new NIST80053R5Checks()].flatMap((pack) => pack.validateScope(scope).violations)
    .filter((violation) => violation.ruleName.endsWith(`-${rule}`))
    .flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`));
}

describe('FunctionLogs.encryptWith', () => {
  function stackWithEveryFunction(encrypt: (stack: Stack, key: kms.Key) => void): Stack {
    const stack = new Stack(new App(), 'Logs');
    const key = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
    const stage = new Stage(stack, 'Stage');
    encrypt(stack, key);
    // defined after the setting: it holds for these too.
    new StageRecording(stack, 'Recording', { stage });
    new ParticipantTokenIssuer(stack, 'Tokens', { signingKey: new ParticipantTokenSigningKey(stack, 'SigningKey'), stages: [stage] });
    return stack;
  }

  test('without it, the library\'s log groups are findings of CloudWatchLogGroupEncrypted', () => {
    const stack = stackWithEveryFunction(() => {});
    // the provider's handler and the token issuer: one log group each, a finding in each pack.
    expect(findings(stack, 'CloudWatchLogGroupEncrypted').length).toBeGreaterThanOrEqual(2 * 2);
  });

  test('with it, every log group of the library, defined before or after, is encrypted with the key, which lets CloudWatch Logs use it', () => {
    const stack = stackWithEveryFunction((scope, key) => FunctionLogs.of(scope).encryptWith(key));
    const template = Template.fromStack(stack);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));

    expect(logGroups.length).toBeGreaterThanOrEqual(2);
    expect(logGroups.map((logGroup: any) => logGroup.Properties.KmsKeyId)).toEqual(logGroups.map(() => ({ 'Fn::GetAtt': [keyId, 'Arn'] })));
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Action: Match.arrayWith(['kms:Decrypt*', 'kms:GenerateDataKey*']),
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });
    expect(findings(stack, 'CloudWatchLogGroupEncrypted')).toEqual([]);
  });
});

describe('StreamKeyStorage.secretsManager({ encryptionKey })', () => {
  test('without a key, the secret is a finding of SecretsManagerUsingKMSKey; its rotation is acknowledged: IVS stream keys cannot be rotated', () => {
    const stack = new Stack(new App(), 'Secret');
    new Stage(stack, 'Stage').addIngestConfiguration('Encoder', { streamKeyStorage: StreamKeyStorage.secretsManager() });
    expect(findings(stack, 'SecretsManagerUsingKMSKey')).toEqual([
      'HIPAA.Security-SecretsManagerUsingKMSKey Secret/Stage/Encoder/StreamKey/Resource',
      'NIST.800.53.R5-SecretsManagerUsingKMSKey Secret/Stage/Encoder/StreamKey/Resource',
    ]);
    expect(findings(stack, 'SecretsManagerRotationEnabled')).toEqual([]);
  });

  test('with a key, the secret is encrypted with it, the handler may use it through Secrets Manager only, and so may the grantee', () => {
    const stack = new Stack(new App(), 'Secret');
    const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.AccountRootPrincipal() });
    const ingest = new Stage(stack, 'Stage').addIngestConfiguration('Encoder', { streamKeyStorage: StreamKeyStorage.secretsManager({ encryptionKey: key }) });
    ingest.grantReadStreamKey(backend);
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] };

    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    // in the key's policy: a key of the stack names the principals it lets use it.
    const roleId = (pattern: RegExp) => Object.keys(template.findResources('AWS::IAM::Role')).find((id) => pattern.test(id))!;
    const keyPolicy = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as any[];
    const keyStatementsFor = (id: string) => keyPolicy.filter((statement) => JSON.stringify(statement.Principal) === JSON.stringify({ AWS: { 'Fn::GetAtt': [id, 'Arn'] } }));
    const viaSecretsManager = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };
    expect(keyStatementsFor(roleId(/IvsRealTimeProviderHandlerRole/))).toEqual([
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Principal: expect.anything(), Resource: '*', Condition: viaSecretsManager },
    ]);
    expect(keyStatementsFor(roleId(/^Backend/))).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Condition: viaSecretsManager })]);
    expect(findings(stack, 'SecretsManagerUsingKMSKey')).toEqual([]);
  });
});

describe('RecordingBucket versioned', () => {
  test('without it, the bucket is a finding of S3BucketVersioningEnabled; its SSE-S3 encryption is acknowledged: IVS cannot write to KMS', () => {
    const stack = new Stack(new App(), 'Bucket');
    new RecordingBucket(stack, 'Recordings');
    expect(findings(stack, 'S3BucketVersioningEnabled')).toEqual([
      'HIPAA.Security-S3BucketVersioningEnabled Bucket/Recordings/Resource', 'NIST.800.53.R5-S3BucketVersioningEnabled Bucket/Recordings/Resource',
    ]);
    expect(findings(stack, 'S3DefaultEncryptionKMS')).toEqual([]);
  });

  test('with it, S3 keeps every version, and the retention expires the noncurrent ones too', () => {
    const stack = new Stack(new App(), 'Bucket');
    new RecordingBucket(stack, 'Recordings', { versioned: true, recordingRetention: Duration.days(30) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
    expect(findings(stack, 'S3BucketVersioningEnabled')).toEqual([]);
  });
});
