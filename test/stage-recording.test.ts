import { App, CfnElement, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StageRecordingStack } from '../examples/stage-recording';
import { IStage, ParticipantRecordingMediaType, RecordingThumbnails, Stage, StageRecording, StageRecordingProps, StorageConfiguration } from '../lib';
import { newStack, parseRenderedJson, requestOf } from './util';

const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij';
const STORAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456';

function logicalIdOf(construct: { node: any }): string {
  let element = construct;
  while (!CfnElement.isCfnElement(element)) {
    element = element.node.defaultChild;
  }
  return Stack.of(element).getLogicalId(element);
}

describe('StageRecording', () => {
  describe('the example: a stage recorded to a new bucket with one construct', () => {
    const example = new StageRecordingStack(new App(), 'Example');
    const template = Template.fromStack(example);
    const bucketId = logicalIdOf(example.recording.bucket);
    const storageId = logicalIdOf(example.recording.storageConfiguration);
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };

    test('the bucket is encrypted with SSE-S3, enforces object ownership, blocks public access, expires old recordings and is retained', () => {
      expect(template.toJSON().Resources[bucketId]).toEqual({
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          LifecycleConfiguration: { Rules: [{ Id: 'ExpireRecordings', ExpirationInDays: 90, Status: 'Enabled' }] },
        },
        UpdateReplacePolicy: 'Retain',
        DeletionPolicy: 'Retain',
      });
    });

    test("the bucket policy enforces SSL and holds IVS's own write statement", () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: [
            {
              Action: 's3:*',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
            },
            {
              Sid: 'IvsCompositeWrite',
              Effect: 'Allow',
              Principal: { Service: { 'Fn::Join': ['', ['ivs-composite.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              Action: ['s3:PutObject', 's3:PutObjectAcl'],
              Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
              Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' }, Bool: { 'aws:SecureTransport': 'true' } },
            },
          ],
          Version: '2012-10-17',
        },
      });
    });

    test('the storage configuration comes after the bucket policy and handler access, and the stage after it', () => {
      const resources = template.toJSON().Resources;
      const [policyId] = Object.keys(template.findResources('AWS::S3::BucketPolicy'));
      const [accessId] = Object.keys(template.findResources('AWS::IAM::Policy', {
        Properties: { PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:PutBucketPolicy']) })] } },
      }));

      expect(resources[storageId].DependsOn).toEqual(expect.arrayContaining([policyId, accessId]));
      expect(parseRenderedJson(resources[storageId].Properties.Request)).toEqual({ s3: { bucketName: `<Ref:${bucketId}>` } });
      // the Ref makes CloudFormation create the storage configuration before the stage and delete it after.
      expect(requestOf(example, 'Custom::IvsRealTimeStage').autoParticipantRecordingConfiguration.storageConfigurationArn)
        .toEqual(`<Ref:${storageId}>`);
    });

    test("the stage's recording configuration has every setting explicit", () => {
      expect(requestOf(example, 'Custom::IvsRealTimeStage')).toEqual({
        name: 'webinar',
        autoParticipantRecordingConfiguration: {
          storageConfigurationArn: `<Ref:${storageId}>`,
          mediaTypes: ['AUDIO_VIDEO'],
          thumbnailConfiguration: { recordingMode: 'DISABLED' },
          recordingReconnectWindowSeconds: 0,
          hlsConfiguration: { targetSegmentDurationSeconds: 6 },
          recordParticipantReplicas: true,
        },
      });
    });

    test('a queue hears each Recording End of the stage, and a role may read its recordings', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.ivs'],
          'resources': [{ Ref: logicalIdOf(example.stage) }],
          'detail-type': ['IVS Participant Recording State Change'],
          'detail': { event_name: ['Recording End'] },
        },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FinishedRecordings'), 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^RecordingProcessor') }],
        PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject' }), Match.objectLike({ Action: 's3:ListBucket' })] },
      });
    });
  });

  test('without a retention the new bucket keeps recordings; DESTROY with autoDeleteObjects empties it on delete', () => {
    const stack = newStack();
    const recording = new StageRecording(stack, 'Recording', {
      stage: new Stage(stack, 'Stage'), bucketProps: { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true },
    });
    const template = Template.fromStack(stack);

    const bucket = template.toJSON().Resources[logicalIdOf(recording.bucket)];
    expect(bucket.Properties.LifecycleConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Delete');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  test('records to a given bucket, keeping IVS statement in its policy', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'MyBucket', { enforceSSL: true });
    const recording = new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage'), storageConfigurationName: 'recordings' });
    const given = new StageRecording(stack, 'Given', { stage: new Stage(stack, 'Other'), bucket });

    expect(given.bucket).toBe(bucket);
    expect(recording.node.tryFindChild('Bucket')).toBeDefined();
    expect(given.node.tryFindChild('Bucket')).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(bucket) },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'IvsCompositeWrite' })]) },
    });
    const requests = Object.values(Template.fromStack(stack).findResources('Custom::IvsRealTimeStorageConfiguration'))
      .map((resource) => parseRenderedJson(resource.Properties.Request));
    expect(requests).toContainEqual({ name: 'recordings', s3: expect.any(Object) });
  });

  test('passes the recording options to the stage', () => {
    const stack = newStack();
    new StageRecording(stack, 'Recording', {
      stage: new Stage(stack, 'Stage'),
      mediaType: ParticipantRecordingMediaType.AUDIO_ONLY,
      thumbnails: RecordingThumbnails.interval(Duration.seconds(20)),
      recordingReconnectWindow: Duration.seconds(30),
      hlsTargetSegmentDuration: Duration.seconds(2),
      recordParticipantReplicas: false,
    });

    expect(requestOf(stack, 'Custom::IvsRealTimeStage').autoParticipantRecordingConfiguration).toEqual({
      storageConfigurationArn: expect.stringMatching(/^<Ref:RecordingStorage/),
      mediaTypes: ['AUDIO_ONLY'],
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 20, storage: ['SEQUENTIAL'] },
      recordingReconnectWindowSeconds: 30,
      hlsConfiguration: { targetSegmentDurationSeconds: 2 },
      recordParticipantReplicas: false,
    });
  });

  test('exposes the stage ID and the recording prefix, token-aware', () => {
    const stack = newStack();
    const recording = new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage') });
    const stageId = { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Stage0E8C2AF5' }] }] }] }] };

    expect(stack.resolve(recording.stageId)).toEqual(stageId);
    expect(stack.resolve(recording.recordingPrefix)).toEqual({ 'Fn::Join': ['', [stageId, '/']] });
  });

  test("grantReadRecordings allows reading the stage's prefix of the bucket, and listing that prefix only", () => {
    const stack = newStack();
    const recording = new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage') });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    recording.grantReadRecordings(role);
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(recording.bucket), 'Arn'] };
    const underPrefix = { 'Fn::Join': ['', [stack.resolve(recording.stageId), '/*']] };

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(role) }] } });
    const [policy] = Object.values(policies);
    // two statements, so that a cdk-nag acknowledgement can name the one wildcard (the objects under the prefix).
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/', stack.resolve(recording.stageId), '/*']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [underPrefix] } } },
    ]);
  });

  test('warns with the statement to keep when the given bucket is imported', () => {
    const stack = newStack();
    new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage'), bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'my-recordings') });

    Annotations.fromStack(stack).hasWarning('/TestStack/Recording/Storage',
      Match.stringLikeRegexp('^IVS adds a statement to the policy of bucket my-recordings .*"Sid":"IvsCompositeWrite"'));
  });

  test('tokens skip validation', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    expect(() => new StageRecording(stack, 'Recording', {
      stage: new Stage(stack, 'Stage'), bucketProps: { recordingRetention: Duration.days(days) },
    })).not.toThrow();
  });

  describe('validation', () => {
    test('fails once if the given bucket is encrypted with KMS, naming the storage configuration and the rule', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: new kms.Key(stack, 'Key') });
      expect(() => new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage'), bucket })).toThrow(
        new Error("StorageConfiguration 'TestStack/Recording/Storage' has invalid props:\n"
          + '- `bucket` must use SSE-S3 encryption (IVS cannot write to KMS-encrypted buckets), got aws:kms'));
    });

    test('fails if the given bucket has object ownership ObjectWriter', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER });
      expect(() => new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage'), bucket })).toThrow(
        "StorageConfiguration 'TestStack/Recording/Storage' has invalid props:\n"
        + '- `bucket` must have object ownership BucketOwnerEnforced or BucketOwnerPreferred, got ObjectWriter');
    });

    test('takes a Stage of this app only, by its type: recording is part of the stage definition, which an import is not', () => {
      const stack = newStack();
      const imported: IStage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
      // @ts-expect-error an IStage is not a Stage (tsc -p tsconfig.dev.json fails if this line compiles)
      const props: StageRecordingProps = { stage: imported };
      expect(Stage.isStage(props.stage)).toBe(false);
    });

    test('fails if both bucket and bucketProps are given, naming both', () => {
      const stack = newStack();
      expect(() => new StageRecording(stack, 'Recording', {
        stage: new Stage(stack, 'Stage'),
        bucket: new s3.Bucket(stack, 'Bucket'),
        bucketProps: { recordingRetention: Duration.days(30) },
      })).toThrow("StageRecording 'TestStack/Recording' has invalid props:\n"
        + '- `bucket` and `bucketProps` cannot both be set: `bucketProps` configures the bucket StageRecording defines when no '
        + '`bucket` is given; remove one of them');
    });

    test('fails if bucketProps break the bucket rules, naming the new bucket', () => {
      const stack = newStack();
      expect(() => new StageRecording(stack, 'Recording', {
        stage: new Stage(stack, 'Stage'), bucketProps: { recordingRetention: Duration.hours(36), autoDeleteObjects: true },
      })).toThrow("RecordingBucket 'TestStack/Recording/Bucket' has invalid props:\n"
        + '- `recordingRetention` must be a whole number of days, at least 1, got 1.5 days\n'
        + '- `autoDeleteObjects` requires `removalPolicy` DESTROY (objects are deleted with the bucket); set both or remove `autoDeleteObjects`');
    });

    test('fails if the storage configuration name breaks the API rules', () => {
      const stack = newStack();
      expect(() => new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage'), storageConfigurationName: 'my recordings' }))
        .toThrow(/StorageConfiguration 'TestStack\/Recording\/Storage' has invalid props:\n- `storageConfigurationName` must contain only letters/);
    });

    test('fails if the recording options break the API rules, naming the stage', () => {
      const stack = newStack();
      expect(() => new StageRecording(stack, 'Recording', {
        stage: new Stage(stack, 'Stage'), hlsTargetSegmentDuration: Duration.seconds(30), mediaType: ParticipantRecordingMediaType.NONE,
      })).toThrow("Stage.enableAutoParticipantRecording 'TestStack/Stage' has invalid props:\n"
        + '- `hlsTargetSegmentDuration` must be a whole number of seconds from 2 to 10, got 30 seconds\n'
        + '- `mediaType` NONE records nothing unless `thumbnails` is enabled; set thumbnails with RecordingThumbnails.interval() '
        + 'or choose another media type');
    });

    test('fails if the stage already records, by its props or another StageRecording', () => {
      const stack = newStack();
      const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
      const recorded = new Stage(stack, 'Recorded', { autoParticipantRecording: { storageConfiguration } });
      const message = /^Stage.enableAutoParticipantRecording at 'TestStack\/Recorded': the stage already records participants/;
      expect(() => new StageRecording(stack, 'Recording', { stage: recorded })).toThrow(message);

      const stage = new Stage(stack, 'Stage');
      new StageRecording(stack, 'First', { stage });
      expect(() => new StageRecording(stack, 'Second', { stage })).toThrow(/at 'TestStack\/Stage': the stage already records participants/);
    });
  });
});

describe('Stage.enableAutoParticipantRecording', () => {
  test('recording added after construction reaches the custom resource', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage', { stageName: 'later' });
    const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
    stage.enableAutoParticipantRecording({ storageConfiguration, mediaType: ParticipantRecordingMediaType.AUDIO_ONLY });

    expect(requestOf(stack, 'Custom::IvsRealTimeStage')).toEqual({
      name: 'later',
      autoParticipantRecordingConfiguration: expect.objectContaining({ storageConfigurationArn: STORAGE_ARN, mediaTypes: ['AUDIO_ONLY'] }),
    });
  });
});

// issue 21: from JavaScript, an imported stage failed with `enableAutoParticipantRecording is not a function`.
describe('StageRecording given what is not a Stage (JavaScript, loose jsii types)', () => {
  test.each([
    ['an imported stage', (stack: Stack) => Stage.fromStageArn(stack, 'Imported', 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij'),
      "the construct 'TestStack/Imported'"],
    ['nothing', () => undefined, 'undefined'],
  ])('%s fails, naming the construct, the prop and the rule', (_what, stage, got) => {
    const stack = newStack();

    expect(() => new StageRecording(stack, 'Recording', { stage: stage(stack) as any })).toThrow("StageRecording 'TestStack/Recording' "
      + 'has invalid props:\n- `stage` must be a Stage of this app (`Stage.isStage`): automatic participant recording is part of the '
      + `stage's own configuration, which an imported stage's is not, got ${got}`);
  });
});
