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

    // the handler and the Provider framework's function: two functions whatever the number of resources.
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('Custom::IvsRealTimeStage', 50);
    const tokens = new Set(Object.values(template.findResources('Custom::IvsRealTimeStage')).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('the handler runs on the latest Node.js, as the Provider framework does, with a bounded timeout, and every custom resource has a '
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
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('IvsRealTimeProviderOnEventHandlerServiceRole') }] },
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

  test('a stack has one drain of deferred deletes, which every IVS resource depends on, and a sweep every 5 minutes that invokes the '
    + 'handler, however many resources', () => {
    const stack = newStack();
    new Stage(stack, 'Early');
    const bucket = new s3.Bucket(stack, 'Bucket');
    for (let i = 0; i < 3; i++) {
      new StorageConfiguration(stack, `Storage${i}`, { bucket });
      new EncoderConfiguration(stack, `Encoder${i}`);
    }
    new Stage(stack, 'Late');
    const template = Template.fromStack(stack);

    const drains = template.findResources('Custom::IvsRealTimeDeferredDeletes');
    expect(Object.keys(drains)).toEqual([expect.stringMatching(/^cdkivsrealtimeIvsRealTimeProviderDeferredDeletes/)]);
    const [drainId] = Object.keys(drains);
    expect(drains[drainId].Properties).toEqual({ ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] }, ServiceTimeout: '300' });
    const ivsResources = Object.values<any>(template.toJSON().Resources).filter((r) => /^Custom::IvsRealTime(?!DeferredDeletes)/.test(r.Type));
    expect(ivsResources).toHaveLength(8);
    for (const resource of ivsResources) {
      expect(resource.DependsOn).toContain(drainId);
    }

    const handlerId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => /OnEventHandler/.test(id))!;
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [{
        Arn: { 'Fn::GetAtt': [handlerId, 'Arn'] },
        Input: { 'Fn::Join': ['', ['{"sweepDeferredDeletesOfStack":"', { Ref: 'AWS::StackId' }, '"}']] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [handlerId, 'Arn'] } });

  });

  test("the handler logs to /aws/lambda/<its name>, the log group the Provider framework's failure reasons name, which the stack "
    + 'creates before anything invokes the handler', () => {
    const stack = newStack();
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources as Record<string, any>;
    const idOf = (type: string, pattern: RegExp) => Object.keys(template.findResources(type)).find((id) => pattern.test(id))!;
    const handlerId = idOf('AWS::Lambda::Function', /OnEventHandler/);
    const logsId = idOf('AWS::Logs::LogGroup', /OnEventLogs/);

    // Lambda's default log group (no logging config of its own), kept a month and deleted with the stack.
    expect(resources[handlerId].Properties.LoggingConfig).toBeUndefined();
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: handlerId }]] }, RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
    const writingId = Object.keys(template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } })] } },
    }));
    expect(writingId).toHaveLength(1);
    // what invokes the handler (the framework's function, the sweep's schedule) waits for the log group and the permission.
    for (const invoker of [idOf('AWS::Lambda::Function', /frameworkonEvent/), idOf('AWS::Events::Rule', /SweepSchedule/)]) {
      expect(resources[invoker].DependsOn).toEqual(expect.arrayContaining([logsId, writingId[0]]));
    }
  });

  test("with aws-cdk-lib's useCdkManagedLogGroup flag on, the handler still has one log group: CloudFormation cannot create two of "
    + 'one name', () => {
    const stack = new Stack(new App({ context: { [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: true } }), 'Flagged');
    new Stage(stack, 'Stage');
    const template = Template.fromStack(stack);
    const handlerId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => /OnEventHandler/.test(id))!;

    const named = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: handlerId }]] } },
    });
    expect(Object.values(named)).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ RetentionInDays: 30 }) })]);
  });
});
