import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { defineStageEventRule } from './private/stage-event-rule';
import { PropsValidator } from './private/validation';
import { IStage } from './stage';
import { StageEvent } from './stage-event';

/** Properties of a `StageEventMetrics`. */
export interface StageEventMetricsProps {
  /**
   * The stages whose failures are counted, together (the metrics do not tell the stages apart).
   *
   * @default - every stage of the stack's account and region, also those made at run time (per-session stages)
   */
  readonly stages?: IStage[];

  /**
   * The CloudWatch namespace of the metrics. It must not start with `AWS/`. Two `StageEventMetrics` with one namespace
   * add up their counts.
   *
   * @default - `cdk-ivs-realtime/` and a name unique to this construct in the app
   */
  readonly metricNamespace?: string;

  /**
   * The log group the failure events are written to, and the metric filters read. EventBridge is allowed to write to
   * it by a CloudWatch Logs resource policy.
   *
   * @default - a new log group, kept for `retention`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long the new log group keeps the events (each names the stage, session and participant: a record to look
   * failures up in). Only without `logGroup`.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly retention?: logs.RetentionDays;
}

/** The metrics made of events, each with the `detail.event_name` that counts towards it. */
const FAILURE_METRICS = {
  publishErrors: { metricName: 'ParticipantPublishErrors', event: StageEvent.PARTICIPANT_PUBLISH_ERROR, eventName: 'Participant Publish Error' },
  compositionSessionFailures: { metricName: 'CompositionSessionFailures', event: StageEvent.COMPOSITION_SESSION_FAILURE, eventName: 'Session Failure' },
  compositionDestinationFailures: {
    metricName: 'CompositionDestinationFailures', event: StageEvent.COMPOSITION_DESTINATION_FAILURE, eventName: 'Destination Failure',
  },
  recordingStartFailures: {
    metricName: 'RecordingStartFailures', event: StageEvent.PARTICIPANT_RECORDING_START_FAILURE, eventName: 'Recording Start Failure',
  },
  recordingEndFailures: { metricName: 'RecordingEndFailures', event: StageEvent.PARTICIPANT_RECORDING_END_FAILURE, eventName: 'Recording End Failure' },
};

/** The dimension of `ParticipantPublishErrors` by error code, and the event field it is read from (not confirmed). */
const ERROR_CODE_DIMENSION = 'ErrorCode';
const ERROR_CODE_FIELD = '$.detail.error_code';

/**
 * CloudWatch metrics of what IVS reports only as EventBridge events: participants' publish errors (in all and by error
 * code), composition session and destination failures, participant recording start and end failures. Counted without
 * a Lambda function: EventBridge rules write the failure events to a CloudWatch Logs log group, and a metric filter per
 * failure counts them (Count, statistic Sum; no data while nothing fails).
 *
 * Events are best effort (IVS may send one late, twice, or not at all), so the counts are too. `IvsRealTimeDashboard`
 * defines one, with alarms on it.
 *
 * @example
 * import { Stage, StageEventMetrics } from 'cdk-ivs-realtime';
 *
 * const stage = new Stage(this, 'Stage');
 * const failures = new StageEventMetrics(this, 'Failures', { stages: [stage] });
 * failures.metricParticipantPublishErrors().createAlarm(this, 'PublishErrors', { threshold: 1, evaluationPeriods: 1 });
 */
export class StageEventMetrics extends Construct {
  /** The log group the failure events are written to. */
  public readonly logGroup: logs.ILogGroup;

  /** The CloudWatch namespace of the metrics. */
  public readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: StageEventMetricsProps = {}) {
    super(scope, id);
    const validator = new PropsValidator(this, 'StageEventMetrics');
    validator.check(props.stages === undefined || props.stages.length > 0,
      '`stages` must list at least one stage, or be left out for every stage of the account and region, got []');
    validator.check(props.logGroup === undefined || props.retention === undefined,
      '`retention` applies to the log group this construct defines: give `logGroup` or `retention`, not both');
    validator.pattern('metricNamespace', props.metricNamespace, /^(?!AWS\/)[^:]{1,255}$/,
      'be 1-255 characters, without ":", and not start with "AWS/" (reserved for AWS services)');
    validator.throwIfInvalid();

    this.metricNamespace = props.metricNamespace ?? `cdk-ivs-realtime/${Names.uniqueId(this)}`;
    this.logGroup = props.logGroup ?? new logs.LogGroup(this, 'Events', { retention: props.retention ?? logs.RetentionDays.THREE_MONTHS });
    // EventBridge writes to a log group only where its resource policy allows. aws-cdk-lib's CloudWatchLogGroup target
    // sets that policy with a Lambda-backed custom resource; AWS::Logs::ResourcePolicy does it natively.
    this.logGroup.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      resources: [this.logGroup.logGroupArn],
    }));

    const target = new LogGroupTarget(this.logGroup);
    const stageArns = props.stages?.map((stage) => stage.stageArn);
    // one rule per detail-type (a rule's pattern cannot pair each detail-type with its own event names).
    const f = FAILURE_METRICS;
    defineStageEventRule(this, 'PublishErrorRule', stageArns, { target, description: 'IVS participant publish errors, to CloudWatch Logs' },
      f.publishErrors.event);
    defineStageEventRule(this, 'CompositionFailureRule', stageArns,
      { target, description: 'IVS composition session and destination failures, to CloudWatch Logs' },
      f.compositionSessionFailures.event, f.compositionDestinationFailures.event);
    defineStageEventRule(this, 'RecordingFailureRule', stageArns,
      { target, description: 'IVS participant recording start and end failures, to CloudWatch Logs' },
      f.recordingStartFailures.event, f.recordingEndFailures.event);

    for (const [key, failure] of Object.entries(FAILURE_METRICS)) {
      this.countEvents(`${key[0].toUpperCase()}${key.slice(1)}`, failure.metricName, failure.eventName);
    }
    this.countEvents('PublishErrorsByCode', f.publishErrors.metricName, f.publishErrors.eventName, { [ERROR_CODE_DIMENSION]: ERROR_CODE_FIELD });
  }

  /**
   * Participants' failed attempts to publish to the stages (`Participant Publish Error` events), every error code.
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricParticipantPublishErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.publishErrors.metricName, props);
  }

  /**
   * Participants' failed attempts to publish with one error code (the `ErrorCode` dimension, read from the event's
   * `detail.error_code`, a field name the user guide does not confirm), such as `INSUFFICIENT_CAPABILITIES`.
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricParticipantPublishErrorsByCode(errorCode: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.publishErrors.metricName, {
      ...props, dimensionsMap: { ...props.dimensionsMap, [ERROR_CODE_DIMENSION]: errorCode },
    });
  }

  /**
   * Compositions of the stages that failed (`Session Failure` events).
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricCompositionSessionFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.compositionSessionFailures.metricName, props);
  }

  /**
   * Compositions' outputs to a destination (a channel, an S3 bucket) that failed (`Destination Failure` events).
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricCompositionDestinationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.compositionDestinationFailures.metricName, props);
  }

  /**
   * Participant recordings that could not start (`Recording Start Failure` events).
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricRecordingStartFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.recordingStartFailures.metricName, props);
  }

  /**
   * Participant recordings that ended with an error (`Recording End Failure` events).
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metricRecordingEndFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(FAILURE_METRICS.recordingEndFailures.metricName, props);
  }

  private metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace, metricName, statistic: cloudwatch.Stats.SUM, unit: cloudwatch.Unit.COUNT, ...props,
    }).attachTo(this);
  }

  /** A metric filter that counts the logged events named `eventName`: 1 for each. */
  private countEvents(id: string, metricName: string, eventName: string, dimensions?: Record<string, string>): logs.MetricFilter {
    return new logs.MetricFilter(this, id, {
      logGroup: this.logGroup,
      // event names are unique across IVS's detail-types, and only failure events reach the log group.
      filterPattern: logs.FilterPattern.stringValue('$.detail.event_name', '=', eventName),
      metricNamespace: this.metricNamespace,
      metricName,
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
      dimensions,
    });
  }
}

/**
 * A log group as a rule's target, without the Lambda-backed custom resource aws-cdk-lib's `CloudWatchLogGroup` target
 * adds for the log group's resource policy (`StageEventMetrics` sets it with AWS::Logs::ResourcePolicy).
 */
class LogGroupTarget implements events.IRuleTarget {
  constructor(private readonly logGroup: logs.ILogGroup) {}

  public bind(): events.RuleTargetConfig {
    // the log group's ARN without the `:*` of its `Arn` attribute, as EventBridge takes it.
    const arn = Stack.of(this.logGroup).formatArn({
      service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: this.logGroup.logGroupName,
    });
    return { arn, targetResource: this.logGroup };
  }
}
