import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IStage, Stage, StageEvent } from '../lib';
import { matchesEventPattern } from '../testing/event-pattern';
import { newStack } from './util';

const STAGE_UPDATE = 'IVS Stage Update';
const RECORDING = 'IVS Participant Recording State Change';
const COMPOSITION = 'IVS Composition State Change';
const FIXTURES = path.join(__dirname, 'fixtures', 'events');

/** The name of each `StageEvent` (its static members; TypeScript leaves the private ones out). */
type EventName = Exclude<keyof typeof StageEvent, 'prototype'>;

interface Expected {
  readonly detailType: string;
  /** `detail.event_name` values of the rule; none for a whole detail-type. */
  readonly eventNames?: unknown[];
  /** Composition events name the stage in `detail.stage_arn`, not in `resources`. */
  readonly stageInDetail?: boolean;
  /** The sample event of test/fixtures/events (see SOURCES.md) that is this event. */
  readonly sample?: string;
}

/** What each event's rule adds to `source: ['aws.ivs']` and the stage's ARN; typed so that every event is listed. */
const EXPECTED: Record<EventName, Expected> = {
  STAGE_UPDATE: { detailType: STAGE_UPDATE },
  PARTICIPANT_PUBLISHED: { detailType: STAGE_UPDATE, eventNames: ['Participant Published'], sample: 'participant-published.json' },
  PARTICIPANT_UNPUBLISHED: { detailType: STAGE_UPDATE, eventNames: ['Participant Unpublished'], sample: 'participant-unpublished.json' },
  PARTICIPANT_PUBLISH_ERROR: { detailType: STAGE_UPDATE, eventNames: ['Participant Publish Error'], sample: 'participant-publish-error.json' },
  PARTICIPANT_REPLICATION_STARTED: {
    detailType: STAGE_UPDATE, eventNames: [{ wildcard: '*Replication Start*' }], sample: 'participant-replication-started.json',
  },
  PARTICIPANT_REPLICATION_ENDED: {
    detailType: STAGE_UPDATE,
    eventNames: [{ wildcard: '*Replication Stop*' }, { wildcard: '*Replication End*' }],
    sample: 'participant-replication-stopped.json',
  },
  PARTICIPANT_RECORDING_STATE_CHANGE: { detailType: RECORDING },
  PARTICIPANT_RECORDING_START: { detailType: RECORDING, eventNames: ['Recording Start'], sample: 'recording-start.json' },
  PARTICIPANT_RECORDING_END: { detailType: RECORDING, eventNames: ['Recording End'], sample: 'recording-end.json' },
  PARTICIPANT_RECORDING_START_FAILURE: { detailType: RECORDING, eventNames: ['Recording Start Failure'], sample: 'recording-start-failure.json' },
  PARTICIPANT_RECORDING_END_FAILURE: { detailType: RECORDING, eventNames: ['Recording End Failure'], sample: 'recording-end-failure.json' },
  COMPOSITION_STATE_CHANGE: { detailType: COMPOSITION, stageInDetail: true },
  COMPOSITION_SESSION_START: { detailType: COMPOSITION, stageInDetail: true, eventNames: ['Session Start'], sample: 'composition-session-start.json' },
  COMPOSITION_SESSION_END: { detailType: COMPOSITION, stageInDetail: true, eventNames: ['Session End'], sample: 'composition-session-end.json' },
  COMPOSITION_SESSION_FAILURE: {
    detailType: COMPOSITION, stageInDetail: true, eventNames: ['Session Failure'], sample: 'composition-session-failure.json',
  },
  COMPOSITION_DESTINATION_START: {
    detailType: COMPOSITION, stageInDetail: true, eventNames: ['Destination Start'], sample: 'composition-destination-start.json',
  },
  COMPOSITION_DESTINATION_END: {
    detailType: COMPOSITION, stageInDetail: true, eventNames: ['Destination End'], sample: 'composition-destination-end.json',
  },
  COMPOSITION_DESTINATION_FAILURE: {
    detailType: COMPOSITION, stageInDetail: true, eventNames: ['Destination Failure'], sample: 'composition-destination-failure.json',
  },
  COMPOSITION_DESTINATION_RECONNECTING: {
    detailType: COMPOSITION, stageInDetail: true, eventNames: ['Destination Reconnecting'], sample: 'composition-destination-reconnecting.json',
  },
};
const NAMES = Object.keys(EXPECTED) as EventName[];

/** The whole detail-type each detail-type's events belong to. */
const WHOLE: Record<string, EventName> = {
  [STAGE_UPDATE]: 'STAGE_UPDATE', [RECORDING]: 'PARTICIPANT_RECORDING_STATE_CHANGE', [COMPOSITION]: 'COMPOSITION_STATE_CHANGE',
};

/**
 * A stage update of a token exchange, as such an event would look: IVS has no such EventBridge event (`TOKEN_EXCHANGED`
 * is a ListParticipantEvents name), so no named event may match it.
 */
const NO_SUCH_EVENT = 'participant-token-exchanged.json';

function sample(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
}

/** The ARN of the stage a sample event is about. */
function stageArnOf(event: any): string {
  return event.detail.stage_arn ?? event.resources[0];
}

function patternOf(stack: Stack, rule: events.Rule): any {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern;
}

/** The rendered pattern of `onEvent` and of `onStageEvent` with each event, on `stage`. */
function renderedPatterns(stack: Stack, stage: IStage): Record<EventName | 'onEvent', any> {
  const rules = [
    ['onEvent', stage.onEvent('onEvent')] as const,
    ...NAMES.map((name) => [name, stage.onStageEvent(name, StageEvent[name])] as const),
  ];
  const resources = Template.fromStack(stack).toJSON().Resources;
  return Object.fromEntries(rules.map(([name, rule]) =>
    [name, resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern])) as Record<EventName | 'onEvent', any>;
}

/** Which rules, on an imported stage with the given ARN, match `event`. */
function rulesMatching(event: any, stageArn = stageArnOf(event)): string[] {
  const stack = newStack();
  const patterns = renderedPatterns(stack, Stage.fromStageArn(stack, 'Stage', stageArn));
  return Object.entries(patterns).filter(([, pattern]) => matchesEventPattern(pattern, event)).map(([name]) => name).sort();
}

describe('Stage events', () => {
  test('onEvent filters every aws.ivs event naming this stage in resources', () => {
    const stack = newStack();
    const pattern = renderedPatterns(stack, new Stage(stack, 'Stage')).onEvent;

    expect(pattern).toEqual({ source: ['aws.ivs'], resources: [{ Ref: 'Stage0E8C2AF5' }] });
  });

  test.each(NAMES)('onStageEvent(StageEvent.%s) filters aws.ivs events of this stage by detail-type and event name', (name) => {
    const stack = newStack();
    const pattern = renderedPatterns(stack, new Stage(stack, 'Stage'))[name];
    const { detailType, eventNames, stageInDetail } = EXPECTED[name];
    const stageArn = [{ Ref: 'Stage0E8C2AF5' }];

    expect(pattern).toEqual({
      'source': ['aws.ivs'],
      ...(stageInDetail ? {} : { resources: stageArn }),
      'detail-type': [detailType],
      ...(stageInDetail || eventNames
        ? { detail: { ...(stageInDetail ? { stage_arn: stageArn } : {}), ...(eventNames ? { event_name: eventNames } : {}) } }
        : {}),
    });
  });

  test('every sample event is used here, each for one event or to show that no event matches it', () => {
    const used = [...NAMES.flatMap((name) => EXPECTED[name].sample ?? []), NO_SUCH_EVENT];

    expect(fs.readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort()).toEqual(used.sort());
  });

  test.each(NAMES.filter((name) => EXPECTED[name].sample))(
    "the sample of %s matches its rule, its detail-type's, onEvent's if it names the stage in resources, and no other", (name) => {
      const { sample: file, detailType, stageInDetail } = EXPECTED[name];

      expect(rulesMatching(sample(file!))).toEqual([name, WHOLE[detailType], ...(stageInDetail ? [] : ['onEvent'])].sort());
    });

  test('a token exchange sent as a stage update would match onEvent and STAGE_UPDATE only: there is no such event to name', () => {
    expect(rulesMatching(sample(NO_SUCH_EVENT))).toEqual(['STAGE_UPDATE', 'onEvent']);
  });

  test('no rule matches an event of another stage', () => {
    for (const file of [...NAMES.flatMap((name) => EXPECTED[name].sample ?? []), NO_SUCH_EVENT]) {
      expect([file, rulesMatching(sample(file), 'arn:aws:ivs:us-west-2:123456789012:stage/Other1234567')]).toEqual([file, []]);
    }
  });

  test('the events whose name is unconfirmed match each plausible spelling, and not the opposite event', () => {
    const base = sample('participant-published.json');
    const named = (eventName: string) => rulesMatching({ ...base, detail: { ...base.detail, event_name: eventName } });

    for (const name of ['Participant Replication Started', 'Participant Replication Start', 'Replication Started']) {
      expect(named(name)).toEqual(['PARTICIPANT_REPLICATION_STARTED', 'STAGE_UPDATE', 'onEvent']);
    }
    for (const name of ['Participant Replication Stopped', 'Participant Replication End', 'Replication Ended']) {
      expect(named(name)).toEqual(['PARTICIPANT_REPLICATION_ENDED', 'STAGE_UPDATE', 'onEvent']);
    }
  });

  test('STAGE_UPDATE with an event name in eventPattern matches that name only, as documented for a name once known', () => {
    const base = sample('participant-replication-started.json');
    const stack = newStack();
    const rule = Stage.fromStageArn(stack, 'Stage', base.resources[0]).onStageEvent('Replication', StageEvent.STAGE_UPDATE, {
      eventPattern: { detail: { event_name: ['Participant Replication Started'] } },
    });
    const pattern = patternOf(stack, rule);

    expect(matchesEventPattern(pattern, base)).toBe(true);
    expect(matchesEventPattern(pattern, { ...base, detail: { ...base.detail, event_name: 'Replication Started' } })).toBe(false);
  });

  test('options add a target and narrow the rule with a merged event pattern', () => {
    const end = sample('recording-end.json');
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Queue');
    const rule = Stage.fromStageArn(stack, 'Stage', end.resources[0]).onStageEvent('RecordingEnded', StageEvent.PARTICIPANT_RECORDING_END, {
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

  test('options are left as given, so one options object can serve several rules', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const options = { eventPattern: { detail: { participant_id: ['xYz1c2d3e4f'] } } };

    stage.onStageEvent('Published', StageEvent.PARTICIPANT_PUBLISHED, options);
    const unpublished = stage.onStageEvent('Unpublished', StageEvent.PARTICIPANT_UNPUBLISHED, options);

    expect(options).toEqual({ eventPattern: { detail: { participant_id: ['xYz1c2d3e4f'] } } });
    expect(patternOf(stack, unpublished).detail).toEqual({ participant_id: ['xYz1c2d3e4f'], event_name: ['Participant Unpublished'] });
  });

  const CONVENIENCE: Array<['onParticipantPublished' | 'onParticipantRecordingEnd' | 'onCompositionSessionEnd', EventName]> = [
    ['onParticipantPublished', 'PARTICIPANT_PUBLISHED'],
    ['onParticipantRecordingEnd', 'PARTICIPANT_RECORDING_END'],
    ['onCompositionSessionEnd', 'COMPOSITION_SESSION_END'],
  ];
  test.each(CONVENIENCE)('%s(id, options) is onStageEvent(id, StageEvent.%s, options)', (method, name) => {
    const stack = newStack();
    const stage = Stage.fromStageArn(stack, 'Stage', 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij');
    const options = { description: 'narrowed', eventPattern: { detail: { participant_id: ['xYz1c2d3e4f'] } } };
    const convenient = stage[method]('Convenient', options);
    const general = stage.onStageEvent('General', StageEvent[name], options);

    const rendered = Template.fromStack(stack).toJSON().Resources;
    const propertiesOf = (rule: events.Rule) => rendered[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties;
    expect(propertiesOf(convenient)).toEqual(propertiesOf(general));
    expect(propertiesOf(convenient).EventPattern['detail-type']).toEqual([EXPECTED[name].detailType]);
  });
});

// issue 21: from JavaScript, a string for the event failed with `e._eventNamePattern is not a function`; a pattern naming
// an event IVS never sends made a rule that never fires.
describe('what onStageEvent and onEvent are given is checked, naming the stage, the rule and the prop', () => {
  const ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij';

  test.each([
    ['a new stage', (stack: Stack) => new Stage(stack, 'Stage')],
    ['an imported stage', (stack: Stack) => Stage.fromStageArn(stack, 'Stage', ARN)],
  ])('a string for the event, on %s: the StageEvent to use instead', (_which, define) => {
    const stage = define(newStack());

    expect(() => stage.onStageEvent('X', 'Participant Published' as any)).toThrow("Stage.onStageEvent 'TestStack/Stage/X' has invalid "
      + 'props:\n- `event` must be a StageEvent, such as StageEvent.PARTICIPANT_PUBLISHED (for that event, '
      + 'StageEvent.PARTICIPANT_PUBLISHED), got "Participant Published"');
  });

  test('a string naming no event IVS sends, a factory or nothing: what IVS sends', () => {
    const stage = new Stage(newStack(), 'Stage');

    expect(() => stage.onStageEvent('X', 'Participant Joined' as any)).toThrow(/`event` must be a StageEvent, such as StageEvent.PARTICIPANT_PUBLISHED \(the events IVS sends: IVS Stage Update: Participant Published, Participant Unpublished, Participant Publish Error, names containing "Replication Start", .*; IVS Participant Recording State Change: Recording Start, .*\), got "Participant Joined"/);
    expect(() => stage.onStageEvent('Y', undefined as any)).toThrow('`event` must be a StageEvent, such as StageEvent.PARTICIPANT_PUBLISHED, got undefined');
    expect(() => stage.onStageEvent('Z', { detailType: 'IVS Stage Update' } as any)).toThrow('got an object (Object)');
  });

  test('an event name IVS never sends fails, with the names of the rule\'s detail-type', () => {
    const stage = new Stage(newStack(), 'Stage');
    const joined = { eventPattern: { detail: { event_name: ['Participant Joined'] } } };

    expect(() => stage.onStageEvent('Joined', StageEvent.STAGE_UPDATE, joined)).toThrow("Stage.onStageEvent 'TestStack/Stage/Joined' has "
      + 'invalid props:\n- `options.eventPattern.detail.event_name` must name events IVS sends, or a rule for them never fires (IVS Stage '
      + 'Update: Participant Published, Participant Unpublished, Participant Publish Error, names containing "Replication Start", names '
      + 'containing "Replication Stop", names containing "Replication End"; JOINED, LEFT and TOKEN_EXCHANGED are events of the '
      + 'ListParticipantEvents API, which IVS does not send to EventBridge), got "Participant Joined"');
    expect(() => stage.onEvent('OnEvent', joined)).toThrow(/Stage.onEvent 'TestStack\/Stage\/OnEvent' has invalid props:\n- `options.eventPattern.detail.event_name` must name events IVS sends/);
    // a name of another detail-type
    expect(() => stage.onStageEvent('Other', StageEvent.PARTICIPANT_RECORDING_STATE_CHANGE, { eventPattern: { detail: { event_name: ['Participant Published'] } } }))
      .toThrow('got "Participant Published"');
  });

  test('documented names, an unconfirmed replication spelling and Match values are accepted', () => {
    const stage = new Stage(newStack(), 'Stage');

    expect(() => {
      stage.onStageEvent('Published', StageEvent.STAGE_UPDATE, { eventPattern: { detail: { event_name: ['Participant Published', 'Participant Publish Error'] } } });
      stage.onStageEvent('Replication', StageEvent.STAGE_UPDATE, { eventPattern: { detail: { event_name: ['Participant Replication Started'] } } });
      stage.onEvent('Composition', { eventPattern: { detailType: ['IVS Composition State Change'], detail: { event_name: ['Session End'] } } });
      stage.onEvent('Prefix', { eventPattern: { detail: { event_name: events.Match.prefix('Participant') } } });
    }).not.toThrow();
  });
});
