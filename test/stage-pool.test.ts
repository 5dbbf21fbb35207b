import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CompositionDestination, ParticipantTokenIssuer, ParticipantTokenSigningKey, Stage, StageComposition, StagePool, StagePoolProps,
  StorageConfiguration,
} from '../lib';
import { POOL_TAG, STAGE_POOL_CONFIG_ENV, STAGE_POOL_RESOURCE_TYPE } from '../lib/private/stage-pool-contract';
import { newStack, parseRenderedJson } from './util';

function poolStack(props: StagePoolProps = {}, stack = newStack()) {
  return { stack, pool: new StagePool(stack, 'Pool', props) };
}

const functionOf = (stack: Stack, description: string): [string, any] => Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
  .find(([, fn]) => fn.Properties.Description?.includes(description))!;
const configOf = (stack: Stack) => parseRenderedJson(functionOf(stack, 'Makes the')[1].Properties.Environment.Variables[STAGE_POOL_CONFIG_ENV]);
const statementsOf = (stack: Stack, roleId: string) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
  Properties: { Roles: [{ Ref: roleId }] },
})).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
const roleOf = (stack: Stack, description: string) => functionOf(stack, description)[1].Properties.Role['Fn::GetAtt'][0];

describe('StagePool', () => {
  test('the session function gets the stage settings rendered as Stage renders them, and the timeouts', () => {
    const stack = newStack();
    const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
    poolStack({
      autoParticipantRecording: { storageConfiguration, recordingReconnectWindow: Duration.seconds(30) },
      tags: { team: 'live' },
      emptyTimeout: Duration.minutes(2),
      maxStages: 10,
    }, stack);

    expect(configOf(stack)).toMatchObject({
      stage: {
        autoParticipantRecordingConfiguration: {
          mediaTypes: ['AUDIO_VIDEO'], recordingReconnectWindowSeconds: 30, hlsConfiguration: { targetSegmentDurationSeconds: 6 },
        },
      },
      tags: { team: 'live' },
      maxStages: 10,
      emptyTimeoutSeconds: 120,
      departureTimeoutSeconds: 20,
    });
  });

  test('the session function may create only stages that carry the pool\'s tag, and read only those', () => {
    const { stack, pool } = poolStack({ tags: { team: 'live' } });
    const statements = statementsOf(stack, roleOf(stack, 'Makes the'));

    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['ivs:CreateStage', 'ivs:TagResource'],
        Condition: {
          'StringEquals': { [`aws:RequestTag/${POOL_TAG}`]: pool.poolId },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG, 'cdk-ivs-realtime:session', 'cdk-ivs-realtime:created-at', 'team'] },
        },
      }),
      expect.objectContaining({ Action: 'ivs:GetStage', Condition: { StringEquals: { [`aws:ResourceTag/${POOL_TAG}`]: pool.poolId } } }),
      expect.objectContaining({ Action: 'events:EnableRule' }),
    ]));
    expect(statements.filter((s: any) => String(s.Action).includes('ivs:') && !s.Condition)).toEqual([]);
  });

  test('the cleanup function deletes only the pool\'s stages; ListStages, which names no stage, is the one unconditioned action', () => {
    const { stack, pool } = poolStack();
    const ivsStatements = statementsOf(stack, roleOf(stack, 'Deletes the')).filter((s: any) => JSON.stringify(s.Action).includes('ivs:'));

    expect(ivsStatements).toEqual([
      expect.objectContaining({
        Action: ['ivs:GetStage', 'ivs:ListStageSessions', 'ivs:DeleteStage'],
        Condition: { StringEquals: { [`aws:ResourceTag/${POOL_TAG}`]: pool.poolId } },
      }),
      expect.not.objectContaining({ Condition: expect.anything() }),
    ]);
    expect(ivsStatements[1].Action).toBe('ivs:ListStages');
  });

  test('both functions may only read and write items of the pool\'s table: no Scan, which only the provider\'s sweep needs', () => {
    const { stack } = poolStack();
    for (const description of ['Makes the', 'Deletes the']) {
      const dynamoDb = statementsOf(stack, roleOf(stack, description)).filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:'));
      expect(dynamoDb.map((s: any) => s.Action)).toEqual([['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']]);
    }
  });

  test('the reconcile starts disabled and the stack\'s delete removes the stages, before the session function goes', () => {
    const { stack } = poolStack();
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED', ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ivs'], 'detail-type': ['IVS Stage Update'], 'detail': { event_name: ['Participant Unpublished'] } },
    });
    const drains = template.findResources(STAGE_POOL_RESOURCE_TYPE);
    expect(Object.values(drains).map((drain) => drain.Properties.DeleteStages)).toEqual(['true']);
    const [sessionFunctionId, sessionFunction] = functionOf(stack, 'Makes the');
    expect(sessionFunctionId).toBeDefined();
    expect(sessionFunction.DependsOn).toEqual(expect.arrayContaining(Object.keys(drains)));
  });

  test('RemovalPolicy.RETAIN keeps the stages with the stack', () => {
    const { stack } = poolStack({ stageRemovalPolicy: RemovalPolicy.RETAIN });
    const drains = Template.fromStack(stack).findResources(STAGE_POOL_RESOURCE_TYPE);
    expect(Object.values(drains).map((drain) => drain.Properties.DeleteStages)).toEqual(['false']);
  });

  test('with a ParticipantTokenIssuer of the pool, the session function may invoke it for first tokens; a second issuer is refused', () => {
    const { stack, pool } = poolStack();
    const signingKey = new ParticipantTokenSigningKey(stack, 'SigningKey');
    const issuer = new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stagePool: pool });
    const issuerId = stack.getLogicalId(issuer.handler.node.defaultChild as any);

    expect(configOf(stack).tokenIssuerFunctionArn).toBe(`<GetAtt:${issuerId}.Arn>`);
    expect(statementsOf(stack, roleOf(stack, 'Makes the'))).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [issuerId, 'Arn'] } }),
    ]));
    expect(() => new ParticipantTokenIssuer(stack, 'More', { signingKey, stagePool: pool }))
      .toThrow(/the pool's first tokens already come from TestStack\/Tokens/);
  });

  test('grantCreateSession lets the backend invoke the session function', () => {
    const { stack, pool } = poolStack();
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    pool.grantCreateSession(backend);

    expect(statementsOf(stack, stack.getLogicalId(backend.node.defaultChild as any))).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: expect.anything() }),
    ]);
  });

  test('the stage count alarm goes off at a share of maxStages', () => {
    const { stack, pool } = poolStack({ maxStages: 50 });

    pool.addStageCountAlarm('Full', { threshold: 0.9 });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'cdk-ivs-realtime',
      MetricName: 'PoolStages',
      Threshold: 45,
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'StagePool', Value: pool.poolId }],
      TreatMissingData: 'notBreaching',
    });
  });

  test('invalid settings fail at synth, every one named', () => {
    expect(() => poolStack({
      maxStages: 0,
      emptyTimeout: Duration.millis(1500),
      tags: { 'cdk-ivs-realtime:mine': 'x' },
      stageRemovalPolicy: RemovalPolicy.SNAPSHOT,
    })).toThrow(new RegExp(['`tags` keys must not start with "cdk-ivs-realtime:"', '`maxStages` must be', '`emptyTimeout` must be a whole number',
      '`stageRemovalPolicy` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.snapshot'].join('[\\s\\S]*')));
  });
});

describe('StageComposition of a StagePool', () => {
  test('the rule takes every stage\'s events, the function may compose only the pool\'s stages, and the stages go first', () => {
    const stack = newStack();
    const { pool } = poolStack({}, stack);
    const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
    const composition = new StageComposition(stack, 'Composition', { stagePool: pool, destinations: [CompositionDestination.s3(storageConfiguration)] });
    const template = Template.fromStack(stack);

    const rule = template.toJSON().Resources[stack.getLogicalId(composition.rule.node.defaultChild as any)];
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ivs'], 'detail-type': ['IVS Stage Update'], 'detail': { event_name: ['Participant Published'] },
    });
    const functionId = stack.getLogicalId(composition.handler.node.defaultChild as any);
    const roleId = template.toJSON().Resources[functionId].Properties.Role['Fn::GetAtt'][0];
    expect(statementsOf(stack, roleId)).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: ['ivs:GetStage', 'ivs:ListCompositions', 'ivs:StartComposition'],
      Condition: { StringEquals: { [`aws:ResourceTag/${POOL_TAG}`]: pool.poolId } },
    })]));
    const [drain] = Object.values(template.findResources(STAGE_POOL_RESOURCE_TYPE));
    expect(drain.DependsOn).toEqual(expect.arrayContaining([functionId]));
  });

  test('takes either stages or a stage pool', () => {
    const { stack, pool } = poolStack();
    const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
    expect(() => new StageComposition(stack, 'Composition', {
      stagePool: pool, stages: [new Stage(stack, 'Stage')], destinations: [CompositionDestination.s3(storageConfiguration)],
    })).toThrow(/give either `stages` \(at least one stage\) or `stagePool`, got 1 stages and a stage pool/);
  });
});
