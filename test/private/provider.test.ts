import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { EncoderConfiguration, Stage, StorageConfiguration } from '../../lib';
import { newStack } from '../util';

describe('the shared provider', () => {
  test('a stack with 50 stages and their storage configurations has exactly one provider and one handler function', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    for (let i = 0; i < 50; i++) {
      const storageConfiguration = new StorageConfiguration(stack, `Storage${i}`, { bucket });
      new Stage(stack, `Stage${i}`, { autoParticipantRecording: { storageConfiguration } });
    }
    const template = Template.fromStack(stack);

    // the handler itself is every custom resource's ServiceToken: one function whatever the number of resources.
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::IvsRealTimeStage', 50);
    const [handlerId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    const tokens = new Set(Object.values(template.findResources('Custom::IvsRealTimeStage')).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect([...tokens]).toEqual([JSON.stringify({ 'Fn::GetAtt': [handlerId, 'Arn'] })]);
  });

  test('the handler runs on the latest Node.js, with a bounded timeout, and every custom resource has a '
    + 'service timeout', () => {
    const stack = newStack();
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);

    const runtimes = Object.values(template.findResources('AWS::Lambda::Function')).map((fn: any) => fn.Properties.Runtime);
    expect(new Set(runtimes).size).toBe(1);
    expect(Number(/^nodejs(\d+)\.x$/.exec(runtimes[0])?.[1])).toBeGreaterThanOrEqual(22);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: Duration.minutes(3).toSeconds() });
    template.hasResourceProperties('Custom::IvsRealTimeStage', { ServiceTimeout: '300' });
  });

  test("the handler's IVS permissions are scoped per resource type to this account and region, never ivs:*, and * only for List "
    + 'actions', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket });
    new Stage(stack, 'Stage', { autoParticipantRecording: { storageConfiguration } });
    new Stage(stack, 'Stage2');
    const template = Template.fromStack(stack);

    const arnOf = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/*`]],
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('IvsRealTimeProviderHandlerRole') }] },
    });
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const tagging = ['ivs:TagResource', 'ivs:UntagResource'];
    expect(statements).toEqual(expect.arrayContaining([
      {
        Effect: 'Allow',
        Action: ['ivs:CreateStorageConfiguration', 'ivs:GetStorageConfiguration', 'ivs:DeleteStorageConfiguration', ...tagging],
        Resource: arnOf('storage-configuration'),
      },
      // deletes that compositions hold read the stages of those compositions.
      {
        Effect: 'Allow',
        Action: ['ivs:GetStage', 'ivs:ListParticipants', 'ivs:CreateStage', 'ivs:UpdateStage', 'ivs:DeleteStage', 'ivs:ListStages', ...tagging],
        Resource: arnOf('stage'),
      },
    ]));
    // one statement per resource type, however many stages.
    expect(statements.filter((s: any) => JSON.stringify(s.Resource).includes(':stage/*'))).toHaveLength(1);
    for (const statement of statements) {
      expect([statement.Action].flat()).not.toContain('ivs:*');
      // only List actions, which take no resource, are on `*`.
      if (statement.Resource === '*') {
        expect([statement.Action].flat()).toEqual(['ivs:ListCompositions', 'ivs:ListStorageConfigurations', 'ivs:ListEncoderConfigurations',
          'ivs:ListIngestConfigurations', 'ivs:ListPublicKeys']);
      }
    }
  });

  test('a stack with configurations that compositions hold has one drain of deferred deletes, which each of them depends on, and a '
    + 'sweep every 5 minutes that starts disabled', () => {
    const stack = newStack();
    new Stage(stack, 'Early');
    const bucket = new s3.Bucket(stack, 'Bucket');
    for (let i = 0; i < 3; i++) {
      new StorageConfiguration(stack, `Storage${i}`, { bucket });
      new EncoderConfiguration(stack, `Encoder${i}`);
    }
    new Stage(stack, 'Late');
    const template = Template.fromStack(stack);
    const [handlerId] = Object.keys(template.findResources('AWS::Lambda::Function'));

    const drains = template.findResources('Custom::IvsRealTimeDeferredDeletes');
    expect(Object.keys(drains)).toEqual([expect.stringMatching(/^cdkivsrealtimeIvsRealTimeProviderDeferredDeletes/)]);
    const [drainId] = Object.keys(drains);
    expect(drains[drainId].Properties).toEqual({ ServiceToken: { 'Fn::GetAtt': [handlerId, 'Arn'] }, ServiceTimeout: '300' });
    const resources = Object.values<any>(template.toJSON().Resources);
    const held = resources.filter((r) => /^Custom::IvsRealTime(Storage|Encoder)Configuration$/.test(r.Type));
    expect(held).toHaveLength(6);
    for (const resource of held) {
      expect(resource.DependsOn).toContain(drainId);
    }
    // IVS never refuses a stage's delete for a composition: stages do not wait for the drain.
    for (const stage of resources.filter((r) => r.Type === 'Custom::IvsRealTimeStage')) {
      expect(stage.DependsOn ?? []).not.toContain(drainId);
    }

    template.resourceCountIs('AWS::Events::Rule', 1);
    const stackSuffix = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    const ruleName = { 'Fn::Join': ['', ['cdk-ivs-realtime-sweep-', stackSuffix]] };
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: ruleName,
      ScheduleExpression: 'rate(5 minutes)',
      // armed by the handler when it first defers a delete, disarmed by the sweep that finds none left.
      State: 'DISABLED',
      Targets: [{
        Arn: { 'Fn::GetAtt': [handlerId, 'Arn'] },
        Input: { 'Fn::Join': ['', ['{"sweepDeferredDeletesOfStack":"', { Ref: 'AWS::StackId' }, '"}']] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [handlerId, 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['events:EnableRule', 'events:DisableRule'],
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
              ':rule/cdk-ivs-realtime-sweep-', stackSuffix]],
          },
        }]),
      },
    });
  });

  test('a stack with no configuration that compositions hold has neither drain nor sweep: five fixed resources in all', () => {
    const stack = newStack();
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);

    template.resourceCountIs('Custom::IvsRealTimeDeferredDeletes', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    const fixed = Object.values<any>(template.toJSON().Resources).map((r) => r.Type).filter((type) => type !== 'Custom::IvsRealTimeStage').sort();
    expect(fixed).toEqual(['AWS::DynamoDB::Table', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup']);
  });

  test("the create-request table: on demand, its records expiring, deleted with the stack, named in the handler's environment, and "
    + 'the handler may only read and write its items', () => {
    const stack = newStack();
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::Table'));

    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'token', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { CREATE_REQUESTS_TABLE: { Ref: tableId } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        }]),
      },
    });
  });

  test('the handler logs to a log group of its own, kept a month and deleted with the stack, which it may write and nothing else of '
    + 'CloudWatch Logs', () => {
    const stack = newStack();
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);
    const [handlerId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    const [logsId] = Object.keys(template.findResources('AWS::Logs::LogGroup'));

    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logsId } } });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
    const logActions = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((statement) => [statement.Action].flat().some((a: string) => a.startsWith('logs:')));
    expect(logActions).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } }]);
    expect(handlerId).toMatch(/IvsRealTimeProviderHandler/);
  });

  test("with aws-cdk-lib's useCdkManagedLogGroup flag on, the handler still has one log group", () => {
    const stack = new Stack(new App({ context: { [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: true } }), 'Flagged');
    new Stage(stack, 'Stage');
    Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 1);
  });
});
