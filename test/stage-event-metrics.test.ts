/**
 * `StageEventMetrics`: IVS's failure events counted as CloudWatch metrics through EventBridge rules, a log group and
 * metric filters, with no Lambda function. The path is checked offline: each sample event of test/fixtures/events goes
 * through the rules' patterns (EventBridge's matching, testing/event-pattern.ts), and what reaches the log group through
 * the metric filters' patterns (CloudWatch Logs' JSON filter syntax, test/support/log-filter-pattern.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Stage, StageEventMetrics } from '../lib';
import { matchesEventPattern } from '../testing/event-pattern';
import { matchesLogFilterPattern, selectLogField } from './support/log-filter-pattern';
import { newStackInRegion } from './util';

const FIXTURES = path.join(__dirname, 'fixtures', 'events');
/** The stage of the sample events. */
const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij';

function sample(file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
}

function defineMetrics(stages: 'sample stage' | 'every stage' = 'sample stage'): { stack: Stack; metrics: StageEventMetrics; template: Template } {
  const stack = newStackInRegion('us-west-2');
  const metrics = new StageEventMetrics(stack, 'Failures', {
    stages: stages === 'sample stage' ? [Stage.fromStageArn(stack, 'Imported', STAGE_ARN)] : undefined,
  });
  return { stack, metrics, template: Template.fromStack(stack) };
}

/** What one event does: the rules it matches (by logical ID), and the metrics the logged event counts towards. */
function countsOf(template: Template, event: Record<string, any>): { rules: string[]; metrics: string[] } {
  const rules = Object.entries(template.findResources('AWS::Events::Rule'))
    .filter(([, rule]) => matchesEventPattern(rule.Properties.EventPattern, event));
  const logGroupTargeted = rules.every(([, rule]) => rule.Properties.Targets.length === 1
    && JSON.stringify(rule.Properties.Targets[0].Arn).includes('log-group'));
  expect(logGroupTargeted).toBe(true);
  if (rules.length === 0) {
    return { rules: [], metrics: [] };
  }
  // EventBridge logs the whole event as the log event's message, as JSON.
  const logged = JSON.parse(JSON.stringify(event));
  const metrics = Object.values(template.findResources('AWS::Logs::MetricFilter'))
    .filter((filter) => matchesLogFilterPattern(filter.Properties.FilterPattern, logged))
    .map((filter) => {
      const [transformation] = filter.Properties.MetricTransformations;
      const dimensions = (transformation.Dimensions ?? []).map((d: any) => `${d.Key}=${selectLogField(d.Value, logged)}`);
      return [transformation.MetricName, ...dimensions].join(' ');
    });
  return { rules: rules.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')), metrics: metrics.sort() };
}

describe('the event-to-metric path, with the sample events', () => {
  const { template } = defineMetrics();

  test.each([
    ['participant-publish-error.json', 'FailuresPublishErrorRule',
      ['ParticipantPublishErrors', 'ParticipantPublishErrors ErrorCode=INSUFFICIENT_CAPABILITIES']],
    ['composition-session-failure.json', 'FailuresCompositionFailureRule', ['CompositionSessionFailures']],
    ['composition-destination-failure.json', 'FailuresCompositionFailureRule', ['CompositionDestinationFailures']],
    ['recording-start-failure.json', 'FailuresRecordingFailureRule', ['RecordingStartFailures']],
    ['recording-end-failure.json', 'FailuresRecordingFailureRule', ['RecordingEndFailures']],
  ])('%s reaches the log group by %s and counts towards %j', (file, rule, metrics) => {
    expect(countsOf(template, sample(file))).toEqual({ rules: [rule], metrics });
  });

  test.each(['participant-published.json', 'participant-unpublished.json', 'recording-start.json', 'recording-end.json',
    'composition-session-start.json', 'composition-session-end.json', 'composition-destination-reconnecting.json'])(
    '%s is no failure: no rule sends it to the log group', (file) => {
      expect(countsOf(template, sample(file))).toEqual({ rules: [], metrics: [] });
    });

  test("another stage's failures are not counted", () => {
    const other = (event: Record<string, any>) => JSON.parse(JSON.stringify(event).replace(/stage\/AbCdef1G2hij/g, 'stage/OtherStage12'));
    expect(countsOf(template, other(sample('participant-publish-error.json'))).rules).toEqual([]);
    expect(countsOf(template, other(sample('composition-session-failure.json'))).rules).toEqual([]);
  });

  test('without stages, every stage\'s failures are counted', () => {
    const everyStage = defineMetrics('every stage').template;
    const other = JSON.parse(JSON.stringify(sample('recording-end-failure.json')).replace(/stage\/AbCdef1G2hij/g, 'stage/OtherStage12'));
    expect(countsOf(everyStage, other)).toEqual({ rules: ['FailuresRecordingFailureRule'], metrics: ['RecordingEndFailures'] });
    for (const rule of Object.values(everyStage.findResources('AWS::Events::Rule'))) {
      expect(Object.keys(rule.Properties.EventPattern).sort()).toEqual(['detail', 'detail-type', 'source']);
      expect(Object.keys(rule.Properties.EventPattern.detail)).toEqual(['event_name']);
    }
  });
});

describe('the resources', () => {
  test('no Lambda function: the log group\'s resource policy is AWS::Logs::ResourcePolicy, for EventBridge only', () => {
    const { template } = defineMetrics();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.resourceCountIs('AWS::Logs::MetricFilter', 6);
    const [policy] = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
    const document = JSON.parse(JSON.stringify(policy.Properties.PolicyDocument));
    expect(JSON.stringify(document)).toContain('events.amazonaws.com');
    expect(JSON.stringify(document)).toContain('logs:PutLogEvents');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the metric methods read what the metric filters write: namespace, name, unit; statistic Sum', () => {
    const { stack, metrics, template } = defineMetrics();
    const written = Object.values(template.findResources('AWS::Logs::MetricFilter'))
      .map((filter) => filter.Properties.MetricTransformations[0])
      .map((t) => `${stack.resolve(t.MetricNamespace)} ${t.MetricName} ${t.Unit} ${(t.Dimensions ?? []).map((d: any) => d.Key).join(',')}`);
    const read = [
      metrics.metricParticipantPublishErrors(), metrics.metricParticipantPublishErrorsByCode('INSUFFICIENT_CAPABILITIES'),
      metrics.metricCompositionSessionFailures(), metrics.metricCompositionDestinationFailures(),
      metrics.metricRecordingStartFailures(), metrics.metricRecordingEndFailures(),
    ].map((m) => {
      expect(m.statistic).toBe('Sum');
      return `${m.namespace} ${m.metricName} ${m.unit} ${Object.keys(m.dimensions ?? {}).join(',')}`;
    });
    expect(read.sort()).toEqual(written.sort());
    expect(metrics.metricNamespace).toMatch(/^cdk-ivs-realtime\/TestStackFailures[0-9A-F]{8}$/);
  });

  test('a log group and namespace of your own', () => {
    const stack = newStackInRegion();
    const logGroup = new logs.LogGroup(stack, 'Mine');
    const metrics = new StageEventMetrics(stack, 'Failures', { logGroup, metricNamespace: 'MyApp/IVS' });
    expect(metrics.logGroup).toBe(logGroup);
    Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [{ MetricNamespace: 'MyApp/IVS', MetricName: 'RecordingEndFailures', MetricValue: '1', Unit: 'Count' }],
    });
  });

  test('invalid props are reported together, naming the construct', () => {
    const stack = newStackInRegion();
    expect(() => new StageEventMetrics(stack, 'Failures', {
      stages: [], metricNamespace: 'AWS/Mine', logGroup: new logs.LogGroup(stack, 'Mine'), retention: logs.RetentionDays.ONE_DAY,
    })).toThrow("StageEventMetrics 'TestStack/Failures' has invalid props:\n"
      + '- `stages` must list at least one stage, or be left out for every stage of the account and region, got []\n'
      + '- `retention` applies to the log group this construct defines: give `logGroup` or `retention`, not both\n'
      + '- `metricNamespace` must be 1-255 characters, without ":", and not start with "AWS/" (reserved for AWS services), got "AWS/Mine"');
  });
});

describe('the log filter pattern matcher of the tests', () => {
  test('matches the subset it implements, and refuses the rest', () => {
    const event = { detail: { event_name: 'Session Failure', n: 3 }, resources: ['arn:x'] };
    expect(matchesLogFilterPattern('{ $.detail.event_name = "Session Failure" }', event)).toBe(true);
    expect(matchesLogFilterPattern('{ $.detail.event_name = "Session*" }', event)).toBe(true);
    expect(matchesLogFilterPattern('{ $.detail.event_name != "Session Failure" }', event)).toBe(false);
    expect(matchesLogFilterPattern('{ ($.resources[0] = "arn:x") && ($.detail.n = 3) }', event)).toBe(true);
    expect(matchesLogFilterPattern('{ $.detail.missing = "x" }', event)).toBe(false);
    expect(() => matchesLogFilterPattern('{ $.detail.n > 2 }', event)).toThrow(/unsupported/);
    expect(() => matchesLogFilterPattern('ERROR', event)).toThrow(/unsupported/);
  });
});
