import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { IvsRealTimeMetrics } from './ivs-realtime-metrics';
import { alarmAtOrAbove } from './private/metrics';
import { CONCURRENT_PUBLISHERS_QUOTA, CONCURRENT_SUBSCRIPTIONS_QUOTA } from './private/quotas';
import { PropsValidator } from './private/validation';
import { IStage } from './stage';
import { StageEventMetrics } from './stage-event-metrics';

/** Properties of an `IvsRealTimeDashboard`. */
export interface IvsRealTimeDashboardProps {
  /**
   * The stages to chart one by one (participants, bitrates, dropped frames and packet loss), and whose failures the
   * failure metrics count. Imported stages (`Stage.fromStageArn`) work as well as stages of the app.
   *
   * @default - no stage charted; failures of every stage of the account and region counted
   */
  readonly stages?: IStage[];

  /**
   * The dashboard's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The account's "concurrent publishers" quota in the stack's region, if it was raised.
   *
   * @default 1000 (the default quota)
   */
  readonly concurrentPublishersQuota?: number;

  /**
   * The account's "concurrent subscriptions" quota in the stack's region, if it was raised.
   *
   * @default 20000 (the default quota)
   */
  readonly concurrentSubscriptionsQuota?: number;

  /**
   * The share of a quota (concurrent publishers, concurrent subscriptions) at which its alarm goes off: more than 0, at
   * most 1.
   *
   * @default 0.8
   */
  readonly quotaAlarmThreshold?: number;

  /**
   * How many participant publish errors within one `period` set off the publish errors alarm.
   *
   * @default 1
   */
  readonly publishErrorsThreshold?: number;

  /**
   * The period of every chart and alarm.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * A CloudWatch dashboard and alarms for IVS Real-Time in one construct: the account's concurrent publishers and
 * subscriptions against their quotas, participants' publish errors, failed compositions and recordings (counted from
 * IVS's events by a `StageEventMetrics`), and a row of charts per stage given.
 *
 * Alarms (`alarms`, each with no action until you add one, `addAlarmAction`): concurrent publishers and concurrent
 * subscriptions at `quotaAlarmThreshold` of their quota, publish errors at `publishErrorsThreshold` a period, and any
 * composition (session or destination) or recording (start or end) failure. A period without data is not a breach.
 *
 * @example
 * import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
 * import * as sns from 'aws-cdk-lib/aws-sns';
 * import { IvsRealTimeDashboard, Stage } from 'cdk-ivs-realtime';
 *
 * declare const onCall: sns.ITopic;
 * const stage = new Stage(this, 'Stage');
 * new IvsRealTimeDashboard(this, 'Monitoring', { stages: [stage] })
 *   .addAlarmAction(new cloudwatchActions.SnsAction(onCall));
 */
export class IvsRealTimeDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The failure metrics made from IVS's events. */
  public readonly eventMetrics: StageEventMetrics;
  /** Concurrent publishers at `quotaAlarmThreshold` of the quota. */
  public readonly concurrentPublishersAlarm: cloudwatch.Alarm;
  /** Concurrent subscriptions at `quotaAlarmThreshold` of the quota. */
  public readonly concurrentSubscriptionsAlarm: cloudwatch.Alarm;
  /** Participant publish errors at `publishErrorsThreshold` a period. */
  public readonly publishErrorsAlarm: cloudwatch.Alarm;
  /** Any composition session or destination failure. */
  public readonly compositionFailuresAlarm: cloudwatch.Alarm;
  /** Any participant recording start or end failure. */
  public readonly recordingFailuresAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IvsRealTimeDashboardProps = {}) {
    super(scope, id);
    const validator = new PropsValidator(this, 'IvsRealTimeDashboard');
    validator.integerAtLeast('concurrentPublishersQuota', props.concurrentPublishersQuota, 1);
    validator.integerAtLeast('concurrentSubscriptionsQuota', props.concurrentSubscriptionsQuota, 1);
    validator.check(props.quotaAlarmThreshold === undefined || (props.quotaAlarmThreshold > 0 && props.quotaAlarmThreshold <= 1),
      `\`quotaAlarmThreshold\` must be a share of the quota, more than 0 and at most 1, got ${props.quotaAlarmThreshold}`);
    validator.integerAtLeast('publishErrorsThreshold', props.publishErrorsThreshold, 1);
    validator.check(props.stages === undefined || props.stages.length > 0,
      '`stages` must list at least one stage, or be left out to chart none, got []');
    validator.throwIfInvalid();

    const period = props.period ?? Duration.minutes(5);
    const share = props.quotaAlarmThreshold ?? 0.8;
    const stages = props.stages ?? [];
    this.eventMetrics = new StageEventMetrics(this, 'EventMetrics', { stages: props.stages });

    const publishers = IvsRealTimeMetrics.concurrentPublishers({ period });
    const publishersQuota = props.concurrentPublishersQuota ?? CONCURRENT_PUBLISHERS_QUOTA.defaultLimit;
    this.concurrentPublishersAlarm = publishers.createAlarm(this, 'ConcurrentPublishersAlarm', {
      alarmDescription: `IVS Real-Time: concurrent publishers at ${share * 100}% of the Region's quota (${publishersQuota})`,
      ...alarmAtOrAbove(share * publishersQuota),
    });
    const subscriptions = IvsRealTimeMetrics.concurrentSubscriptions({ period });
    const subscriptionsQuota = props.concurrentSubscriptionsQuota ?? CONCURRENT_SUBSCRIPTIONS_QUOTA.defaultLimit;
    this.concurrentSubscriptionsAlarm = subscriptions.createAlarm(this, 'ConcurrentSubscriptionsAlarm', {
      alarmDescription: `IVS Real-Time: concurrent subscriptions at ${share * 100}% of the Region's quota (${subscriptionsQuota})`,
      ...alarmAtOrAbove(share * subscriptionsQuota),
    });

    const events = this.eventMetrics;
    const publishErrors = events.metricParticipantPublishErrors({ period });
    this.publishErrorsAlarm = publishErrors.createAlarm(this, 'PublishErrorsAlarm', {
      alarmDescription: 'IVS Real-Time: participants failed to publish to a stage (Participant Publish Error events)',
      ...alarmAtOrAbove(props.publishErrorsThreshold ?? 1),
    });
    const sessionFailures = events.metricCompositionSessionFailures({ period, label: 'Session failures' });
    const destinationFailures = events.metricCompositionDestinationFailures({ period, label: 'Destination failures' });
    this.compositionFailuresAlarm = sumOf(period, 'Composition failures', sessionFailures, destinationFailures)
      .createAlarm(this, 'CompositionFailuresAlarm', {
        alarmDescription: 'IVS Real-Time: a composition or its output to a destination failed (Session Failure, Destination Failure events)',
        ...alarmAtOrAbove(1),
      });
    const startFailures = events.metricRecordingStartFailures({ period, label: 'Start failures' });
    const endFailures = events.metricRecordingEndFailures({ period, label: 'End failures' });
    this.recordingFailuresAlarm = sumOf(period, 'Recording failures', startFailures, endFailures)
      .createAlarm(this, 'RecordingFailuresAlarm', {
        alarmDescription: 'IVS Real-Time: a participant recording failed to start or end (Recording Start/End Failure events)',
        ...alarmAtOrAbove(1),
      });

    const quotaGraph = (title: string, metric: cloudwatch.IMetric, quota: number) => new cloudwatch.GraphWidget({
      title,
      left: [metric],
      width: 8,
      leftYAxis: { min: 0 },
      leftAnnotations: [{ value: quota, label: 'Quota' }, { value: share * quota, label: 'Alarm', color: cloudwatch.Color.ORANGE }],
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          quotaGraph('Concurrent publishers (Region)', publishers, publishersQuota),
          quotaGraph('Concurrent subscriptions (Region)', subscriptions, subscriptionsQuota),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
        ],
        [
          failureGraph('Participant publish errors', publishErrors),
          failureGraph('Composition failures', sessionFailures, destinationFailures),
          failureGraph('Recording failures', startFailures, endFailures),
        ],
        ...stages.map((stage) => stageRow(stage, period)),
      ],
    });
  }

  /** Every alarm of the construct. */
  public get alarms(): cloudwatch.Alarm[] {
    return [this.concurrentPublishersAlarm, this.concurrentSubscriptionsAlarm, this.publishErrorsAlarm, this.compositionFailuresAlarm,
      this.recordingFailuresAlarm];
  }

  /** Adds `actions` (an SNS topic, ...) to every alarm, for when it goes off. */
  public addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(...actions);
    }
  }
}

/** The sum of counts that may each have no data in a period (FILL: a missing term would drop the period's sum). */
function sumOf(period: Duration, label: string, a: cloudwatch.IMetric, b: cloudwatch.IMetric): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({ expression: 'FILL(a, 0) + FILL(b, 0)', usingMetrics: { a, b }, label, period });
}

function failureGraph(title: string, ...metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 8, leftYAxis: { min: 0 } });
}

/** One stage's row: participants, bitrates, and what its subscribers lose. */
function stageRow(stage: IStage, period: Duration): cloudwatch.IWidget[] {
  const name = stage.node.id;
  return [
    new cloudwatch.GraphWidget({
      title: `${name}: participants`,
      width: 8,
      leftYAxis: { min: 0 },
      left: [stage.metricPublishers({ period, label: 'Publishers' }), stage.metricSubscribers({ period, label: 'Subscribers' })],
    }),
    new cloudwatch.GraphWidget({
      title: `${name}: bitrate`,
      width: 8,
      leftYAxis: { min: 0 },
      left: [stage.metricPublishBitrate({ period, label: 'Publish' }), stage.metricSubscribeBitrate({ period, label: 'Subscribe' })],
    }),
    new cloudwatch.GraphWidget({
      title: `${name}: subscriber losses (%)`,
      width: 8,
      leftYAxis: { min: 0 },
      left: [stage.metricDroppedFrames({ period, label: 'Dropped frames' }), stage.metricDownloadPacketLoss({ period, label: 'Download packet loss' })],
    }),
  ];
}
