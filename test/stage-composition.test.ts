import * as fs from 'fs';
import * as path from 'path';
import { App, AssetStaging, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StageCompositionStack } from '../examples/stage-composition';
import { CompositionDestination, Stage, StageComposition } from '../lib';
import { HANDLER_BUNDLE_DIR } from '../lib/private/bundled-function';
import { matchesEventPattern } from '../testing/event-pattern';
import { compositionConfigOf } from './support/stage-composition';
import { ivsArns, logicalIdOf, newStack } from './util';

const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

/** The statements of the policy attached to a StageComposition's function role. */
function statementsOf(template: Template, composition: StageComposition): any[] {
  const roleId = logicalIdOf(composition.handler.role!);
  const policies = Object.values<any>(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/** What every composition function's role has first: writing its own log group, sending to its dead-letter queue. */
function ownLogsAndQueue(composition: StageComposition): unknown[] {
  const logsId = logicalIdOf(composition.node.findChild('Logs'));
  return [
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } },
    { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalIdOf(composition.deadLetterQueue), 'Arn'] } },
  ];
}

function sample(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', file), 'utf8'));
}

function patternOf(rule: events.Rule): any {
  const stack = Stack.of(rule);
  return Template.fromStack(stack).toJSON().Resources[logicalIdOf(rule)].Properties.EventPattern;
}

describe('StageComposition', () => {
  describe('the example: a stage recorded to S3 and another broadcast to a channel, one construct each', () => {
    const example = new StageCompositionStack(new App(), 'Example');
    const template = Template.fromStack(example);
    const [studioId, showId] = [logicalIdOf(example.studio), logicalIdOf(example.show)];
    const [storageId, encoderId, channelId] = ['Storage', 'FullHd', 'Channel'].map((id) => logicalIdOf(example.node.findChild(id)));

    test('each construct has a rule for its stage\'s Participant Published events (and Unpublished with stopOnSessionEnd)', () => {
      expect(patternOf(example.studioRecording.rule)).toEqual({
        'source': ['aws.ivs'],
        'resources': [{ Ref: studioId }],
        'detail-type': ['IVS Stage Update'],
        'detail': { event_name: ['Participant Published'] },
      });
      expect(patternOf(example.showBroadcast.rule)).toEqual({
        'source': ['aws.ivs'],
        'resources': [{ Ref: showId }],
        'detail-type': ['IVS Stage Update'],
        'detail': { event_name: ['Participant Published', 'Participant Unpublished'] },
      });
    });

    test('the rule targets the function, with the dead-letter queue for events it cannot deliver', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { resources: [{ Ref: studioId }] },
        Targets: [{
          Arn: { 'Fn::GetAtt': [logicalIdOf(example.studioRecording.handler), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(example.studioRecording.deadLetterQueue), 'Arn'] } },
        }],
      });
    });

    test('the function is the bundled handler, on the latest Node.js (22 or newer) and ARM, retried twice, then dead-lettered', () => {
      const functionId = logicalIdOf(example.studioRecording.handler);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9][0-9])\\.x$'),
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 120,
        Description: Match.stringLikeRegexp('^Starts Amazon IVS Real-Time compositions'),
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(example.studioRecording.deadLetterQueue), 'Arn'] } },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: functionId }, MaximumRetryAttempts: 2 });
      const staging = example.studioRecording.handler.node.findChild('Code').node.findChild('Stage') as AssetStaging;
      expect(staging.sourcePath).toBe(path.join(HANDLER_BUNDLE_DIR, 'composition'));
    });

    test('the dead-letter queue is encrypted, refuses plain HTTP and keeps messages 14 days', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(example.studioRecording.deadLetterQueue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });

    test('the function is configured with the stage, layout, destinations and tags, ARNs resolved at deployment', () => {
      expect(compositionConfigOf(example, 0)).toEqual({
        key: example.studioRecording.node.addr,
        stageArns: [`<Ref:${studioId}>`],
        layout: { grid: { featuredParticipantAttribute: 'featured', gridGap: 4 } },
        destinations: [{
          s3: {
            storageConfigurationArn: `<Ref:${storageId}>`,
            encoderConfigurationArns: [`<Ref:${encoderId}>`],
            thumbnailConfigurations: [{ targetIntervalSeconds: 10, storage: ['SEQUENTIAL'] }],
          },
        }],
        tags: {},
        stopOnSessionEnd: false,
      });
      expect(compositionConfigOf(example, 1)).toMatchObject({
        stageArns: [`<Ref:${showId}>`],
        layout: { pip: { pipParticipantAttribute: 'guest', pipPosition: 'TOP_RIGHT', pipOffset: 24 } },
        destinations: [{ channel: { channelArn: `<Ref:${channelId}>`, encoderConfigurationArn: `<Ref:${encoderId}>` } }],
        stopOnSessionEnd: true,
      });
    });

    test('the recording function may start compositions of its stage, with its storage and encoder configurations only', () => {
      expect(statementsOf(template, example.studioRecording)).toEqual([
        ...ownLogsAndQueue(example.studioRecording),
        { Effect: 'Allow', Action: ['ivs:GetStage', 'ivs:ListCompositions'], Resource: { Ref: studioId } },
        { Effect: 'Allow', Action: 'ivs:StartComposition', Resource: [{ Ref: studioId }, { Ref: encoderId }, { Ref: storageId }] },
        { Effect: 'Allow', Action: 'ivs:TagResource', Resource: ivsArns('composition') },
      ]);
    });

    test('the broadcast function may start compositions to its channel, and stop compositions and list publishers (stopOnSessionEnd)', () => {
      expect(statementsOf(template, example.showBroadcast)).toEqual([
        ...ownLogsAndQueue(example.showBroadcast),
        { Effect: 'Allow', Action: ['ivs:GetStage', 'ivs:ListCompositions', 'ivs:ListParticipants'], Resource: { Ref: showId } },
        { Effect: 'Allow', Action: 'ivs:StartComposition', Resource: [{ Ref: showId }, { Ref: encoderId }, { Ref: channelId }] },
        { Effect: 'Allow', Action: ['ivs:TagResource', 'ivs:StopComposition'], Resource: ivsArns('composition') },
      ]);
    });

    test('composite recording reuses the storage configuration\'s bucket-policy statement: one IvsCompositeWrite, nothing added', () => {
      const policies = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'));
      const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(statements.filter((statement) => statement.Sid === 'IvsCompositeWrite')).toHaveLength(1);
    });

    test('passes cdk-nag\'s AwsSolutions checks: the function\'s wildcards, which are by design, are acknowledged with reasons', () => {
      const app = new App();
      new StageCompositionStack(app, 'Checked');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

      expect(() => app.synth()).not.toThrow();
    });

    test('one function per StageComposition, each with its own role, which has no managed policy', () => {
      const compositions = [example.studioRecording, example.showBroadcast];
      const roles = compositions.map((composition) => template.toJSON().Resources[logicalIdOf(composition.handler.role!)]);

      expect(new Set(compositions.map((composition) => logicalIdOf(composition.handler))).size).toBe(2);
      expect(roles.map((role) => role.Properties.ManagedPolicyArns)).toEqual([undefined, undefined]);
    });
  });

  describe('its rule, checked against sample events with EventBridge\'s matching', () => {
    const published = sample('participant-published.json');
    const unpublished = { ...published, detail: { ...published.detail, event_name: 'Participant Unpublished' } };

    function ruleOf(stopOnSessionEnd: boolean, stageArn = published.resources[0]): any {
      const stack = newStack();
      const stages = [Stage.fromStageArn(stack, 'Stage', stageArn), Stage.fromStageArn(stack, 'Other', stageArn.replace(/\/.*$/, '/Other1234567'))];
      return patternOf(new StageComposition(stack, 'Composition', {
        stages, destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN)], stopOnSessionEnd,
      }).rule);
    }

    test('matches Participant Published of any of its stages, and Unpublished only with stopOnSessionEnd', () => {
      expect(matchesEventPattern(ruleOf(false), published)).toBe(true);
      expect(matchesEventPattern(ruleOf(false), unpublished)).toBe(false);
      expect(matchesEventPattern(ruleOf(true), unpublished)).toBe(true);
      expect(matchesEventPattern(ruleOf(false, 'arn:aws:ivs:us-west-2:123456789012:stage/Zzzzzzzzzzzz'), published)).toBe(false);
    });

    test('matches no composition event, so a composition it starts cannot trigger it', () => {
      expect(matchesEventPattern(ruleOf(true), sample('composition-session-start.json'))).toBe(false);
    });
  });

  test('tags from the props and from Tags.of() reach the compositions (and the function)', () => {
    const stack = newStack();
    const composition = new StageComposition(stack, 'Composition', {
      stages: [new Stage(stack, 'Stage')], destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN)], tags: { show: 'weekly' },
    });
    Tags.of(stack).add('team', 'video');

    expect(compositionConfigOf(stack).tags).toEqual({ show: 'weekly', team: 'video' });
    expect(composition.tags.tagValues()).toEqual({ show: 'weekly', team: 'video' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Tags: Match.arrayWith([{ Key: 'team', Value: 'video' }]),
    });
  });

  test('a given dead-letter queue is used instead of a new one', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Failures');
    const composition = new StageComposition(stack, 'Composition', {
      stages: [new Stage(stack, 'Stage')], destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN)], deadLetterQueue: queue,
    });

    expect(composition.deadLetterQueue).toBe(queue);
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 1);
  });

  test('warns when several stages broadcast to one channel, which takes one broadcast at a time', () => {
    const stack = newStack();
    new StageComposition(stack, 'Composition', {
      stages: [new Stage(stack, 'A'), new Stage(stack, 'B')], destinations: [CompositionDestination.channelFromArn(CHANNEL_ARN)],
    });

    Annotations.fromStack(stack).hasWarning('/TestStack/Composition', Match.stringLikeRegexp('same channel, and a channel takes one broadcast'));
  });
});
