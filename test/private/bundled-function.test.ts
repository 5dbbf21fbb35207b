import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { defineBundledFunction, HANDLER_BUNDLE_DIR } from '../../lib/private/bundled-function';
import { newStack } from '../util';

describe('defineBundledFunction', () => {
  const stack = newStack();
  const fn = defineBundledFunction(stack, 'Fn', {
    bundle: 'provider', logGroupId: 'FnLogs', roleId: 'FnRole', description: 'test', timeout: Duration.seconds(30),
  });
  const template = Template.fromStack(stack);
  const logsId = stack.getLogicalId(stack.node.findChild('FnLogs').node.defaultChild as any);
  const roleId = stack.getLogicalId(stack.node.findChild('FnRole').node.defaultChild as any);

  test('runs the handler of the bundle on arm64 and the latest Node.js, with 256 MB and the options given', () => {
    const staging = fn.node.findAll().find((c): c is any => (c as any).sourcePath !== undefined);
    expect(staging.sourcePath).toBe(path.join(HANDLER_BUNDLE_DIR, 'provider'));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: lambda.determineLatestNodeRuntime(stack).name,
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Description: 'test',
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logsId } },
    });
  });

  test('logs to its own log group, kept a month and deleted with the stack, and may write there only', () => {
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } }],
      },
    });
    const [role] = Object.values(template.findResources('AWS::IAM::Role'));
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
