import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
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
});
