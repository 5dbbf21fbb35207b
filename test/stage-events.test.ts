import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { IStage, Stage } from '../lib';
import { matchesEventPattern } from './support/event-pattern';
import { newStack } from './util';

type Helper =
  | 'onEvent' | 'onStageUpdate' | 'onParticipantPublished' | 'onParticipantUnpublished' | 'onParticipantPublishError'
  | 'onParticipantReplicationStarted' | 'onParticipantReplicationStopped' | 'onParticipantTokenExchanged'
  | 'onParticipantRecordingStateChange' | 'onParticipantRecordingStart' | 'onParticipantRecordingEnd'
  | 'onParticipantRecordingStartFailure' | 'onParticipantRecordingEndFailure';

const STAGE_UPDATE = 'IVS Stage Update';
const RECORDING = 'IVS Participant Recording State Change';

/** What each helper adds to `{ source: ['aws.ivs'], resources: [stage ARN] }`. */
const EXPECTED_FILTERS: Record<Helper, { detailType?: string; eventNames?: unknown[] }> = {
  onEvent: {},
  onStageUpdate: { detailType: STAGE_UPDATE },
  onParticipantPublished: { detailType: STAGE_UPDATE, eventNames: ['Participant Published'] },
  onParticipantUnpublished: { detailType: STAGE_UPDATE, eventNames: ['Participant Unpublished'] },
  onParticipantPublishError: { detailType: STAGE_UPDATE, eventNames: ['Participant Publish Error'] },
  onParticipantReplicationStarted: { detailType: STAGE_UPDATE, eventNames: [{ wildcard: '*Replication Start*' }] },
  onParticipantReplicationStopped: {
    detailType: STAGE_UPDATE, eventNames: [{ wildcard: '*Replication Stop*' }, { wildcard: '*Replication End*' }],
  },
  onParticipantTokenExchanged: { detailType: STAGE_UPDATE, eventNames: [{ wildcard: '*Token Exchange*' }] },
  onParticipantRecordingStateChange: { detailType: RECORDING },
  onParticipantRecordingStart: { detailType: RECORDING, eventNames: ['Recording Start'] },
  onParticipantRecordingEnd: { detailType: RECORDING, eventNames: ['Recording End'] },
  onParticipantRecordingStartFailure: { detailType: RECORDING, eventNames: ['Recording Start Failure'] },
  onParticipantRecordingEndFailure: { detailType: RECORDING, eventNames: ['Recording End Failure'] },
};
const HELPERS = Object.keys(EXPECTED_FILTERS) as Helper[];

/** Each sample event (test/fixtures/events, see SOURCES.md) and the one specific helper it is for. */
const SAMPLES: Record<string, Helper> = {
  'participant-published.json': 'onParticipantPublished',
  'participant-unpublished.json': 'onParticipantUnpublished',
  'participant-publish-error.json': 'onParticipantPublishError',
  'participant-replication-started.json': 'onParticipantReplicationStarted',
  'participant-replication-stopped.json': 'onParticipantReplicationStopped',
  'participant-token-exchanged.json': 'onParticipantTokenExchanged',
  'recording-start.json': 'onParticipantRecordingStart',
  'recording-end.json': 'onParticipantRecordingEnd',
  'recording-start-failure.json': 'onParticipantRecordingStartFailure',
  'recording-end-failure.json': 'onParticipantRecordingEndFailure',
};

function sample(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'events', file), 'utf8'));
}

/** The rendered `EventPattern` of every helper's rule on `stage`, by helper. */
function renderedPatterns(stack: Stack, stage: IStage): Record<Helper, any> {
  const rules = HELPERS.map((helper) => [helper, stage[helper](helper)] as const);
  const resources = Template.fromStack(stack).toJSON().Resources;
  return Object.fromEntries(rules.map(([helper, rule]) =>
    [helper, resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern])) as Record<Helper, any>;
}

/** The helpers whose rule, on a stage with the sample's ARN, matches the sample. */
function helpersMatching(event: any): Helper[] {
  const stack = newStack();
  const patterns = renderedPatterns(stack, Stage.fromStageArn(stack, 'Stage', event.resources[0]));
  return HELPERS.filter((helper) => matchesEventPattern(patterns[helper], event));
}

describe('Stage events', () => {
  test.each(HELPERS)('%s filters aws.ivs events of this stage, by detail-type and event name', (helper) => {
    const stack = newStack();
    const pattern = renderedPatterns(stack, new Stage(stack, 'Stage'))[helper];
    const { detailType, eventNames } = EXPECTED_FILTERS[helper];

    expect(pattern).toEqual({
      'source': ['aws.ivs'],
      'resources': [{ Ref: 'Stage0E8C2AF5' }],
      ...(detailType ? { 'detail-type': [detailType] } : {}),
      ...(eventNames ? { detail: { event_name: eventNames } } : {}),
    });
  });

  test.each(Object.entries(SAMPLES))('the sample %s matches onEvent, its detail-type\'s rule and %s, and no other rule', (file, helper) => {
    const event = sample(file);
    const group: Helper = event['detail-type'] === STAGE_UPDATE ? 'onStageUpdate' : 'onParticipantRecordingStateChange';

    expect(helpersMatching(event).sort()).toEqual(['onEvent', group, helper].sort());
  });

  test('no rule matches an event of another stage', () => {
    for (const file of Object.keys(SAMPLES)) {
      const event = sample(file);
      const stack = newStack();
      const patterns = renderedPatterns(stack, Stage.fromStageArn(stack, 'Stage', 'arn:aws:ivs:us-west-2:123456789012:stage/Other1234567'));
      expect(HELPERS.filter((helper) => matchesEventPattern(patterns[helper], event))).toEqual([]);
    }
  });

  test('rules whose event name is unconfirmed match each plausible spelling, and not the opposite event', () => {
    const base = sample('participant-published.json');
    const named = (eventName: string) => helpersMatching({ ...base, detail: { ...base.detail, event_name: eventName } });

    for (const name of ['Participant Replication Started', 'Participant Replication Start', 'Replication Started']) {
      expect(named(name)).toContain('onParticipantReplicationStarted');
      expect(named(name)).not.toContain('onParticipantReplicationStopped');
    }
    for (const name of ['Participant Replication Stopped', 'Participant Replication End', 'Replication Ended']) {
      expect(named(name)).toContain('onParticipantReplicationStopped');
      expect(named(name)).not.toContain('onParticipantReplicationStarted');
    }
    for (const name of ['Participant Token Exchanged', 'Token Exchanged', 'Participant Token Exchange']) {
      expect(named(name)).toContain('onParticipantTokenExchanged');
    }
  });

  test('options add a target and narrow the rule with a merged event pattern', () => {
    const end = sample('recording-end.json');
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue');
    const rule = Stage.fromStageArn(stack, 'Stage', end.resources[0]).onParticipantRecordingEnd('RecordingEnded', {
      target: new targets.SqsQueue(queue),
      description: 'recordings to process',
      eventPattern: { detail: { participant_id: ['xYz1c2d3e4f'] } },
    });
    const rendered = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties;

    expect(rendered.Description).toBe('recordings to process');
    const queueId = stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue);
    expect(rendered.Targets).toEqual([{ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, Id: 'Target0' }]);
    expect(rendered.EventPattern).toEqual({
      'source': ['aws.ivs'],
      'resources': [end.resources[0]],
      'detail-type': [RECORDING],
      'detail': { participant_id: ['xYz1c2d3e4f'], event_name: ['Recording End'] },
    });
    expect(matchesEventPattern(rendered.EventPattern, end)).toBe(true);
    expect(matchesEventPattern(rendered.EventPattern, { ...end, detail: { ...end.detail, participant_id: 'someone-else' } })).toBe(false);
  });

  test('works on an imported stage, filtering by its ARN', () => {
    const stack = newStack();
    const arn = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij';
    Stage.fromStageArn(stack, 'Imported', arn).onParticipantPublished('Published');

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ivs'], 'resources': [arn], 'detail-type': [STAGE_UPDATE], 'detail': { event_name: ['Participant Published'] } },
    });
  });
});
