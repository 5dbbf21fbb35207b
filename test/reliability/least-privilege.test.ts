/**
 * Least privilege: the provider's roles, for a stack that uses every resource type and StageRecording, hold exactly
 * these statements. Each IVS statement names one resource type's ARNs in the stack's account and region (IVS assigns
 * IDs at creation, so the ID part is a wildcard), with only the actions the handler calls for that type; everything
 * else names one resource. No statement has `ivs:*`, and only the List actions, which take no resource, have
 * `Resource: *`.
 */
import { generateKeyPairSync } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  EncoderConfiguration, IngestConfiguration, PublicKey, PublicKeyMaterial, Stage, StageRecording, StorageConfiguration, StreamKeyStorage,
} from '../../lib';

const PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

function allResourceTypes(): { stack: Stack; template: Template } {
  const stack = new Stack(new App(), 'Everything');
  const bucket = new s3.Bucket(stack, 'Recordings');
  const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket });
  const recordedStage = new Stage(stack, 'Recorded', { autoParticipantRecording: { storageConfiguration } });
  new StorageConfiguration(stack, 'SecondStorage', { bucket });
  const stage = new Stage(stack, 'Stage');
  new StageRecording(stack, 'Recording', { stage });
  new IngestConfiguration(stack, 'Encoder', { stage: recordedStage });
  stage.addIngestConfiguration('Backup', { streamKeyStorage: StreamKeyStorage.secretsManager() });
  new EncoderConfiguration(stack, 'Composition');
  new PublicKey(stack, 'TokenKey', { publicKeyMaterial: PublicKeyMaterial.fromString(PUBLIC_KEY) });
  return { stack, template: Template.fromStack(stack) };
}

const ivsArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/*`]],
});
const getAtt = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const TAGGING = ['ivs:TagResource', 'ivs:UntagResource'];

describe('the provider roles of a stack using every resource type', () => {
  const { template } = allResourceTypes();
  const resources = template.toJSON().Resources as Record<string, any>;
  const idOf = (type: string, pattern: RegExp) => {
    const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
    expect(ids).toHaveLength(1);
    return ids[0];
  };
  const handlerId = idOf('AWS::Lambda::Function', /IvsRealTimeProviderHandler/);
  const handlerRoleId = resources[handlerId].Properties.Role['Fn::GetAtt'][0];
  const statementsOf = (roleId: string) => Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  })).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
  const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
  const bucketIds = Object.keys(template.findResources('AWS::S3::Bucket'));

  test("the handler's role: its log group, each resource type's actions on that type's ARNs, each stream key copy's secret, each bucket's policy", () => {
    const statements = statementsOf(handlerRoleId);

    const expected = [
      // its logs.
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(idOf('AWS::Logs::LogGroup', /HandlerLogs/)) },
      // its create-request table: deliveries of a create request take turns there.
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
        Resource: getAtt(idOf('AWS::DynamoDB::Table', /CreateRequests/)),
      },
      // its sweep schedule, armed when a delete is deferred and disarmed when none is left.
      {
        Effect: 'Allow',
        Action: ['events:EnableRule', 'events:DisableRule'],
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
            ':rule/cdk-ivs-realtime-sweep-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
        },
      },
      // deletes that compositions hold find those compositions and read their stages; a create whose attempt went
      // unanswered finds what its request made.
      {
        Effect: 'Allow',
        Action: ['ivs:ListCompositions', 'ivs:ListStorageConfigurations', 'ivs:ListEncoderConfigurations', 'ivs:ListIngestConfigurations',
          'ivs:ListPublicKeys'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'ivs:GetComposition', Resource: ivsArn('composition') },
      {
        Effect: 'Allow',
        Action: ['ivs:GetStage', 'ivs:ListParticipants', 'ivs:CreateStage', 'ivs:UpdateStage', 'ivs:DeleteStage', 'ivs:ListStages', ...TAGGING],
        Resource: ivsArn('stage'),
      },
      {
        Effect: 'Allow',
        Action: ['ivs:CreateStorageConfiguration', 'ivs:GetStorageConfiguration', 'ivs:DeleteStorageConfiguration', ...TAGGING],
        Resource: ivsArn('storage-configuration'),
      },
      {
        Effect: 'Allow',
        Action: ['ivs:CreateEncoderConfiguration', 'ivs:GetEncoderConfiguration', 'ivs:DeleteEncoderConfiguration', ...TAGGING],
        Resource: ivsArn('encoder-configuration'),
      },
      {
        Effect: 'Allow',
        Action: ['ivs:CreateIngestConfiguration', 'ivs:GetIngestConfiguration', 'ivs:UpdateIngestConfiguration', 'ivs:DeleteIngestConfiguration',
          ...TAGGING],
        Resource: ivsArn('ingest-configuration'),
      },
      { Effect: 'Allow', Action: ['ivs:ImportPublicKey', 'ivs:GetPublicKey', 'ivs:DeletePublicKey', ...TAGGING], Resource: ivsArn('public-key') },
      // the handler writes the keys of each ingest configuration that keeps a copy (one of the two) to its secret, and reads
      // that secret only, to tell whose keys it holds.
      ...secretIds.map((id) => ({
        Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: id },
      })),
      // IVS edits the recording bucket's policy with the caller's credentials: one statement per bucket, however many
      // storage configurations record to it (here two to one bucket, one to StageRecording's).
      ...bucketIds.map((id) => ({
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
        Resource: getAtt(id),
      })),
    ];
    expect(secretIds).toHaveLength(1);
    expect(bucketIds).toHaveLength(2);
    expect(statements).toHaveLength(expected.length);
    expect(statements).toEqual(expect.arrayContaining(expected));
  });

  test('no managed policies (AWSLambdaBasicExecutionRole would allow every log group), no ivs:*, no Resource: * but for List actions', () => {
    for (const roleId of [handlerRoleId]) {
      expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      expect(resources[roleId].Properties.Policies).toBeUndefined();
      for (const statement of statementsOf(roleId)) {
        for (const action of [statement.Action].flat()) {
          expect(action).not.toMatch(/\*/);
        }
        if ([statement.Resource].flat().includes('*')) {
          expect([statement.Action].flat().every((action: string) => action.startsWith('ivs:List'))).toBe(true);
        }
      }
    }
  });
});
