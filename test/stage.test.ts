import { CfnParameter, Duration, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ParticipantRecordingMediaType, RecordingThumbnails, Stage, StorageConfiguration, ThumbnailStorage,
} from '../lib';
import { ivsArns, logicalIdOf, newStack, newStackInRegion, requestOf } from './util';

const STORAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456';
const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh';

describe('Stage', () => {
  test('a stage with no props renders an empty configuration and exposes its ARN and endpoints', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');

    expect(requestOf(stack, 'Custom::IvsRealTimeStage')).toEqual({});
    expect(stack.resolve(stage.stageArn)).toEqual({ Ref: 'Stage0E8C2AF5' });
    expect(stack.resolve(stage.stageWhipEndpoint)).toEqual({ 'Fn::GetAtt': ['Stage0E8C2AF5', 'WhipEndpoint'] });
    expect(stack.resolve(stage.stageRtmpEndpoint)).toEqual({ 'Fn::GetAtt': ['Stage0E8C2AF5', 'RtmpEndpoint'] });
    expect(stack.resolve(stage.stageRtmpsEndpoint)).toEqual({ 'Fn::GetAtt': ['Stage0E8C2AF5', 'RtmpsEndpoint'] });
    expect(stack.resolve(stage.stageEventsEndpoint)).toEqual({ 'Fn::GetAtt': ['Stage0E8C2AF5', 'EventsEndpoint'] });
  });

  test('renders every recording field in the API request shape, with the API defaults made explicit', () => {
    const stack = newStack();
    const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
    new Stage(stack, 'Stage', {
      stageName: 'town-hall_1',
      autoParticipantRecording: {
        storageConfiguration,
        mediaType: ParticipantRecordingMediaType.AUDIO_ONLY,
        thumbnails: RecordingThumbnails.interval(Duration.minutes(2), { storage: [ThumbnailStorage.SEQUENTIAL, ThumbnailStorage.LATEST] }),
        recordingReconnectWindow: Duration.minutes(5),
        hlsTargetSegmentDuration: Duration.seconds(10),
        recordParticipantReplicas: false,
      },
    });

    expect(requestOf(stack, 'Custom::IvsRealTimeStage')).toEqual({
      name: 'town-hall_1',
      autoParticipantRecordingConfiguration: {
        storageConfigurationArn: STORAGE_ARN,
        mediaTypes: ['AUDIO_ONLY'],
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 120, storage: ['SEQUENTIAL', 'LATEST'] },
        recordingReconnectWindowSeconds: 300,
        hlsConfiguration: { targetSegmentDurationSeconds: 10 },
        recordParticipantReplicas: false,
      },
    });
  });

  test('recording with only a storage configuration renders the API defaults', () => {
    const stack = newStack();
    const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
    new Stage(stack, 'Stage', { autoParticipantRecording: { storageConfiguration } });

    expect(requestOf(stack, 'Custom::IvsRealTimeStage').autoParticipantRecordingConfiguration).toEqual({
      storageConfigurationArn: STORAGE_ARN,
      mediaTypes: ['AUDIO_VIDEO'],
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
      recordingReconnectWindowSeconds: 0,
      hlsConfiguration: { targetSegmentDurationSeconds: 6 },
      recordParticipantReplicas: true,
    });
  });

  test('media type NONE with thumbnails records thumbnails only', () => {
    const stack = newStack();
    const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
    new Stage(stack, 'Stage', {
      autoParticipantRecording: {
        storageConfiguration,
        mediaType: ParticipantRecordingMediaType.NONE,
        thumbnails: RecordingThumbnails.interval(Duration.seconds(10)),
      },
    });
    const recording = requestOf(stack, 'Custom::IvsRealTimeStage').autoParticipantRecordingConfiguration;
    expect(recording.mediaTypes).toEqual(['NONE']);
    expect(recording.thumbnailConfiguration).toEqual({ recordingMode: 'INTERVAL', targetIntervalSeconds: 10, storage: ['SEQUENTIAL'] });
  });

  test('tags from props and Tags.of() are rendered together', () => {
    const stack = newStack();
    new Stage(stack, 'Stage', { tags: { team: 'video' } });
    Tags.of(stack).add('env', 'prod');

    Template.fromStack(stack).hasResourceProperties('Custom::IvsRealTimeStage', { Tags: { team: 'video', env: 'prod' } });
  });

  test('removal policy defaults to DESTROY and can be RETAIN', () => {
    const stack = newStack();
    new Stage(stack, 'Destroyed');
    new Stage(stack, 'Retained', { removalPolicy: RemovalPolicy.RETAIN });
    const template = Template.fromStack(stack);

    template.hasResource('Custom::IvsRealTimeStage', { Properties: Match.objectLike({ Request: '{}' }), DeletionPolicy: Match.absent() });
    template.hasResource('Custom::IvsRealTimeStage', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the stage depends on the storage configuration it records to', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket });
    new Stage(stack, 'Stage', { autoParticipantRecording: { storageConfiguration } });

    expect(requestOf(stack, 'Custom::IvsRealTimeStage').autoParticipantRecordingConfiguration.storageConfigurationArn)
      .toEqual(`<Ref:${stack.getLogicalId(storageConfiguration.node.defaultChild as any)}>`);
  });

  test('tokens skip validation', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', Token.asString({ Ref: 'X' }));

    expect(() => new Stage(stack, 'Stage', {
      stageName: name,
      autoParticipantRecording: {
        storageConfiguration,
        recordingReconnectWindow: Duration.seconds(seconds),
        hlsTargetSegmentDuration: Duration.seconds(seconds),
        thumbnails: RecordingThumbnails.interval(Duration.seconds(seconds)),
      },
    })).not.toThrow();
  });

  describe('validation', () => {
    function stageWith(props: any) {
      const stack = newStack();
      const storageConfiguration = StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', STORAGE_ARN);
      const recording = props.autoParticipantRecording ? { storageConfiguration, ...props.autoParticipantRecording } : undefined;
      return () => new Stage(stack, 'Stage', { ...props, autoParticipantRecording: recording });
    }

    test('fails if the name has characters the API rejects, naming the construct, property, rule and value', () => {
      expect(stageWith({ stageName: 'town hall!' })).toThrow(
        "Stage 'TestStack/Stage' has invalid props:\n"
        + '- `stageName` must contain only letters, digits, hyphens and underscores, got "town hall!"');
    });

    test('fails if the name is longer than 128 characters', () => {
      expect(stageWith({ stageName: 'a'.repeat(129) })).toThrow(/`stageName` must be 0-128 characters long, got 129 characters/);
    });

    test('fails if the reconnect window is out of 0-300 seconds or not whole seconds', () => {
      expect(stageWith({ autoParticipantRecording: { recordingReconnectWindow: Duration.seconds(301) } }))
        .toThrow(/`autoParticipantRecording.recordingReconnectWindow` must be a whole number of seconds from 0 to 300, got 301 seconds/);
      expect(stageWith({ autoParticipantRecording: { recordingReconnectWindow: Duration.millis(1500) } }))
        .toThrow(/`autoParticipantRecording.recordingReconnectWindow` must be a whole number of seconds from 0 to 300, got 1.5 seconds/);
    });

    test('fails if the HLS segment duration is out of 2-10 seconds', () => {
      expect(stageWith({ autoParticipantRecording: { hlsTargetSegmentDuration: Duration.seconds(1) } }))
        .toThrow(/`autoParticipantRecording.hlsTargetSegmentDuration` must be a whole number of seconds from 2 to 10, got 1 seconds/);
      expect(stageWith({ autoParticipantRecording: { hlsTargetSegmentDuration: Duration.seconds(11) } }))
        .toThrow(/from 2 to 10, got 11 seconds/);
    });

    test('fails if the thumbnail interval is out of 1-86400 seconds or storage repeats a mode', () => {
      expect(stageWith({ autoParticipantRecording: { thumbnails: RecordingThumbnails.interval(Duration.days(2)) } }))
        .toThrow(/`autoParticipantRecording.thumbnails.interval` must be a whole number of seconds from 1 to 86400, got 172800 seconds/);
      expect(stageWith({
        autoParticipantRecording: {
          thumbnails: RecordingThumbnails.interval(Duration.seconds(5), { storage: [ThumbnailStorage.LATEST, ThumbnailStorage.LATEST] }),
        },
      })).toThrow(/`autoParticipantRecording.thumbnails.storage` must not repeat a storage mode, got \["LATEST","LATEST"\]/);
    });

    test('fails if the media type is not one the API knows', () => {
      expect(stageWith({ autoParticipantRecording: { mediaType: 'VIDEO_ONLY' } }))
        .toThrow(/`autoParticipantRecording.mediaType` must be one of AUDIO_VIDEO, AUDIO_ONLY, NONE, got "VIDEO_ONLY"/);
    });

    test('fails if media type NONE has no thumbnails, since it would record nothing', () => {
      expect(stageWith({ autoParticipantRecording: { mediaType: ParticipantRecordingMediaType.NONE } }))
        .toThrow(/`autoParticipantRecording.mediaType` NONE records nothing unless `autoParticipantRecording.thumbnails` is enabled/);
    });

    test('fails if tags break the API rules', () => {
      const tags: Record<string, string> = {};
      for (let i = 0; i < 49; i++) tags[`k${i}`] = 'v';
      expect(stageWith({ tags })).toThrow(/`tags` must have at most 48 tags \(IVS allows 50; the library adds two of its own\), got 49/);
      expect(stageWith({ tags: { 'aws:owner': 'x' } })).toThrow(/`tags` keys must not start with "aws:"/);
      expect(stageWith({ tags: { k: 'v'.repeat(257) } })).toThrow(/`tags.k` must be 0-256 characters long, got 257/);
    });

    test('fails if tags added with Tags.of() exceed 48 in all', () => {
      const stack = newStack();
      new Stage(stack, 'Stage', { tags: { own: 'tag' } });
      for (let i = 0; i < 48; i++) Tags.of(stack).add(`k${i}`, 'v');
      expect(() => Template.fromStack(stack)).toThrow(/`tags` must have at most 48 tags \(IVS allows 50; the library adds two of its own\), got 49/);
    });

    test('collects every error of a construct into one message', () => {
      expect(stageWith({
        stageName: 'bad name',
        autoParticipantRecording: { hlsTargetSegmentDuration: Duration.seconds(30), recordingReconnectWindow: Duration.seconds(400) },
      })).toThrow(/invalid props:\n- `stageName`[^\n]*\n- `autoParticipantRecording.recordingReconnectWindow`[^\n]*\n- `autoParticipantRecording.hlsTargetSegmentDuration`/);
    });
  });

  describe('imports', () => {
    test('fromStageArn keeps the ARN and takes the account and region from it', () => {
      const stack = newStack();
      const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
      expect(stage.stageArn).toBe(STAGE_ARN);
      expect(stage.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    });

    test('accepts ARNs of every partition', () => {
      const stack = newStack();
      expect(() => Stage.fromStageArn(stack, 'China', 'arn:aws-cn:ivs:cn-north-1:123456789012:stage/abc')).not.toThrow();
    });

    test('fails if the ARN is not a stage ARN', () => {
      const stack = newStack();
      expect(() => Stage.fromStageArn(stack, 'Imported', 'arn:aws:ivs:us-east-1:123456789012:channel/abc'))
        .toThrow("Stage.fromStageAttributes at 'TestStack/Imported': the ARN must look like arn:aws:ivs:<region>:<account>:stage/<id>, "
          + 'got "arn:aws:ivs:us-east-1:123456789012:channel/abc"');
    });
  });

  describe('grants', () => {
    function grantedStatements(grant: (stage: Stage, role: iam.Role) => void) {
      const stack = newStack();
      const stage = new Stage(stack, 'Stage');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      grant(stage, role);
      const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      return Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    }

    test('grantCreateParticipantToken allows ivs:CreateParticipantToken on this stage only', () => {
      const policies = grantedStatements((stage, role) => stage.grantCreateParticipantToken(role));
      const [policy] = Object.values(policies);
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        { Action: 'ivs:CreateParticipantToken', Effect: 'Allow', Resource: { Ref: 'Stage0E8C2AF5' } },
      ]);
    });

    test('grantRead allows reading the stage, its sessions and participants', () => {
      const [policy] = Object.values(grantedStatements((stage, role) => stage.grantRead(role)));
      expect(policy.Properties.PolicyDocument.Statement[0].Action).toEqual([
        'ivs:GetStage', 'ivs:GetStageSession', 'ivs:ListStageSessions', 'ivs:GetParticipant',
        'ivs:ListParticipants', 'ivs:ListParticipantEvents', 'ivs:ListParticipantReplicas',
      ]);
    });

    test('grantDisconnectParticipant allows ivs:DisconnectParticipant on this stage only', () => {
      const [policy] = Object.values(grantedStatements((stage, role) => stage.grantDisconnectParticipant(role)));
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        { Action: 'ivs:DisconnectParticipant', Effect: 'Allow', Resource: { Ref: 'Stage0E8C2AF5' } },
      ]);
    });

    test('grantParticipantReplication allows starting and stopping replication on the source and destination stages only', () => {
      const [policy] = Object.values(grantedStatements((stage, role) =>
        stage.grantParticipantReplication(role, Stage.fromStageArn(stage, 'Destination', STAGE_ARN))));
      expect(policy.Properties.PolicyDocument.Statement).toEqual([{
        Action: ['ivs:StartParticipantReplication', 'ivs:StopParticipantReplication'],
        Effect: 'Allow',
        Resource: [{ Ref: 'Stage0E8C2AF5' }, STAGE_ARN],
      }]);
    });

    test('grant works on an imported stage', () => {
      const stack = newStack();
      const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      stage.grant(role, 'ivs:DisconnectParticipant');
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'ivs:DisconnectParticipant', Effect: 'Allow', Resource: STAGE_ARN }] },
      });
    });
  });
});

describe('Stage grants for compositions', () => {
  test('grantStartComposition allows StartComposition on the stage and on the resources a request names, in its account and region, '
    + 'and tagging the compositions it starts', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    stage.grantStartComposition(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ivs:StartComposition',
            Resource: [{ Ref: logicalIdOf(stage) }, ivsArns('encoder-configuration'), ivsArns('storage-configuration'), ivsArns('channel')],
          },
          // StartComposition with tags is authorized as TagResource too (Service Authorization Reference).
          { Effect: 'Allow', Action: 'ivs:TagResource', Resource: ivsArns('composition') },
        ],
      },
    });
  });

  test("grantStopComposition allows stopping and reading compositions, and listing the stage's", () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const stage = new Stage(stack, 'Stage');

    stage.grantStopComposition(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: ['ivs:StopComposition', 'ivs:GetComposition'], Resource: ivsArns('composition') },
          // scoped to the stage it filters by (Service Authorization Reference: Stage, Encoder-Configuration).
          { Effect: 'Allow', Action: 'ivs:ListCompositions', Resource: { Ref: logicalIdOf(stage) } },
        ],
      },
    });
  });

  test('grants on an imported stage name the resources of the stage\'s own account and region', () => {
    const stack = newStackInRegion('us-east-1');
    const stage = Stage.fromStageArn(stack, 'Stage', 'arn:aws:ivs:eu-west-1:210987654321:stage/AbCdef1G2hij');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    stage.grantStopComposition(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:eu-west-1:210987654321:composition/*']] },
        })]),
      },
    });
  });
});
