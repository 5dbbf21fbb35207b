import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import type { IvsRealTimeMetricOptions, StageMetricOptions } from '../ivs-realtime-metrics';
import { PropsValidator, ValidationError } from './validation';

/**
 * The CloudWatch metrics IVS Real-Time publishes, as data: each metric's name, unit, default statistic and the
 * dimension sets it is published with. Source: the IVS Real-Time User Guide, "Monitoring Amazon IVS Real-Time
 * Streaming" (https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/stage-health.html), as recorded in
 * `docs/metrics.md`, which marks what is not confirmed. The guide lists Average, Maximum and Minimum as the valid
 * statistics of every metric (no Sum): counts default to Maximum (the peak of the period, what a quota alarm needs),
 * rates and ratios to Average.
 */

/** The namespace of IVS Real-Time's own metrics. */
export const IVS_REALTIME_NAMESPACE = 'AWS/IVSRealTime';

/** The dimension names of the guide's table. */
export enum MetricDimension {
  STAGE = 'Stage',
  PARTICIPANT = 'Participant',
  SIMULCAST_LAYER = 'SimulcastLayer',
  MEDIA_TYPE = 'MediaType',
  PLATFORM = 'Platform',
  SDK_VERSION = 'SDKVersion',
  SUBSCRIBER_COUNTRY_CODE = 'SubscriberCountryCode',
}

/** One metric of the guide's table. */
export interface MetricSpec {
  readonly metricName: string;
  readonly unit: cloudwatch.Unit;
  readonly statistic: string;
  /** Every combination of dimensions the metric is published with; `[]` is the Region-wide metric. */
  readonly dimensionSets: readonly (readonly MetricDimension[])[];
}

const D = MetricDimension;

/** Region-wide and per-platform/per-country sets shared by the subscriber-side quality metrics. */
const QUALITY_SETS: MetricDimension[][] = [
  [], [D.PLATFORM], [D.PLATFORM, D.SDK_VERSION], [D.SUBSCRIBER_COUNTRY_CODE],
  [D.STAGE], [D.STAGE, D.PARTICIPANT], [D.STAGE, D.PLATFORM], [D.STAGE, D.PLATFORM, D.SDK_VERSION], [D.STAGE, D.SUBSCRIBER_COUNTRY_CODE],
];

export const METRICS = {
  CONCURRENT_PUBLISHERS: spec('ConcurrentPublishers', cloudwatch.Unit.COUNT, cloudwatch.Stats.MAXIMUM, []),
  CONCURRENT_SUBSCRIPTIONS: spec('ConcurrentSubscriptions', cloudwatch.Unit.COUNT, cloudwatch.Stats.MAXIMUM, []),
  PUBLISHERS: spec('Publishers', cloudwatch.Unit.COUNT, cloudwatch.Stats.MAXIMUM, [D.STAGE]),
  SUBSCRIBERS: spec('Subscribers', cloudwatch.Unit.COUNT, cloudwatch.Stats.MAXIMUM, [D.STAGE]),
  PUBLISH_BITRATE: spec('PublishBitrate', cloudwatch.Unit.BITS_PER_SECOND, cloudwatch.Stats.AVERAGE,
    [], [D.PLATFORM], [D.STAGE], [D.STAGE, D.PARTICIPANT, D.SIMULCAST_LAYER, D.MEDIA_TYPE]),
  SUBSCRIBE_BITRATE: spec('SubscribeBitrate', cloudwatch.Unit.BITS_PER_SECOND, cloudwatch.Stats.AVERAGE,
    [], [D.PLATFORM], [D.PLATFORM, D.SDK_VERSION], [D.SUBSCRIBER_COUNTRY_CODE],
    [D.STAGE], [D.STAGE, D.PARTICIPANT, D.MEDIA_TYPE], [D.STAGE, D.PLATFORM], [D.STAGE, D.PLATFORM, D.SDK_VERSION],
    [D.STAGE, D.SUBSCRIBER_COUNTRY_CODE]),
  DROPPED_FRAMES: spec('DroppedFrames', cloudwatch.Unit.PERCENT, cloudwatch.Stats.AVERAGE, ...QUALITY_SETS),
  DOWNLOAD_PACKET_LOSS: spec('DownloadPacketLoss', cloudwatch.Unit.PERCENT, cloudwatch.Stats.AVERAGE, ...QUALITY_SETS),
  PUBLISH_FRAMERATE: spec('PublishFramerate', cloudwatch.Unit.COUNT_PER_SECOND, cloudwatch.Stats.AVERAGE,
    [D.STAGE, D.PARTICIPANT], [D.STAGE, D.PARTICIPANT, D.SIMULCAST_LAYER, D.MEDIA_TYPE]),
  PUBLISH_RESOLUTION: spec('PublishResolution', cloudwatch.Unit.COUNT, cloudwatch.Stats.AVERAGE,
    [D.STAGE, D.PARTICIPANT, D.SIMULCAST_LAYER, D.MEDIA_TYPE]),
} as const;

function spec(metricName: string, unit: cloudwatch.Unit, statistic: string, ...dimensionSets: MetricDimension[][]): MetricSpec {
  return { metricName, unit, statistic, dimensionSets };
}

/** The metric of the guide's table named `metricName`, if it is one. */
export function metricSpecOf(metricName: string): MetricSpec | undefined {
  return Object.values(METRICS).find((m) => m.metricName === metricName);
}

/**
 * Why `dimensions` is not a set `metric` is published with, or `undefined` when it is one: CloudWatch would accept the
 * query, and chart and alarm on a metric that never has data.
 */
export function dimensionSetError(metric: MetricSpec, dimensions: readonly string[]): string | undefined {
  const given = [...dimensions].sort().join('+');
  if (metric.dimensionSets.some((set) => [...set].sort().join('+') === given)) {
    return undefined;
  }
  const show = (set: readonly string[]) => (set.length === 0 ? '(none: the Region)' : set.join('+'));
  return `${metric.metricName} is published with the dimensions ${metric.dimensionSets.map(show).join('; ')}, `
    + `got ${show(dimensions)}`;
}

/** A Region-wide metric; a dimension set the metric does not have throws (no construct to name: a static method). */
export function regionMetric(metric: MetricSpec, method: string, props: IvsRealTimeMetricOptions): cloudwatch.Metric {
  const dimensions = dimensionsOf(props);
  const error = dimensionSetError(metric, Object.keys(dimensions));
  if (error) {
    throw new ValidationError(`${method}: ${error}`);
  }
  return renderMetric(metric, dimensions, props);
}

/**
 * A stage's metric (the `Stage` dimension set to `stageId`), checked against the dimension sets of the guide's table;
 * an error names the stage's construct path and the method.
 */
export function stageMetric(stage: IConstruct, method: string, stageId: string, metric: MetricSpec,
  props: StageMetricOptions): cloudwatch.Metric {
  const dimensions = { [MetricDimension.STAGE]: stageId, ...dimensionsOf(props) };
  const validator = new PropsValidator(stage, `Stage.${method}`);
  const error = dimensionSetError(metric, Object.keys(dimensions));
  validator.check(error === undefined, `the metric options must name a dimension set of the metric: ${error}`);
  validator.throwIfInvalid();
  return renderMetric(metric, dimensions, props);
}

/** The dimensions the typed options name (the escape hatch `dimensionsMap` comes on top). */
function dimensionsOf(props: StageMetricOptions): Record<string, string> {
  const named: Array<[MetricDimension, string | undefined]> = [
    [MetricDimension.PARTICIPANT, props.participantId],
    [MetricDimension.SIMULCAST_LAYER, props.simulcastLayer?.value],
    [MetricDimension.MEDIA_TYPE, props.mediaType?.value],
    [MetricDimension.PLATFORM, props.platform],
    [MetricDimension.SDK_VERSION, props.sdkVersion],
    [MetricDimension.SUBSCRIBER_COUNTRY_CODE, props.subscriberCountryCode],
  ];
  const given = named.filter((entry): entry is [MetricDimension, string] => entry[1] !== undefined);
  return { ...Object.fromEntries(given), ...props.dimensionsMap };
}

function renderMetric(metric: MetricSpec, dimensions: Record<string, string>, props: StageMetricOptions): cloudwatch.Metric {
  const {
    participantId: _participant, simulcastLayer: _layer, mediaType: _media, platform: _platform, sdkVersion: _sdk,
    subscriberCountryCode: _country, dimensionsMap: _dimensions, ...options
  } = props;
  return new cloudwatch.Metric({
    namespace: IVS_REALTIME_NAMESPACE,
    metricName: metric.metricName,
    unit: metric.unit,
    statistic: metric.statistic,
    ...options,
    dimensionsMap: dimensions,
  });
}

/**
 * An alarm at or above `threshold` in one period. Missing data is no breach: IVS publishes nothing while nobody publishes
 * or subscribes, a metric filter publishes only when a failure event comes, and a `StagePool` writes its count only while
 * it holds stages.
 */
export function alarmAtOrAbove(threshold: number): cloudwatch.CreateAlarmOptions {
  return {
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
}
