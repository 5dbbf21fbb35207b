import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IVS_REALTIME_NAMESPACE, METRICS, regionMetric } from './private/metrics';

/**
 * A simulcast layer, the `SimulcastLayer` dimension of IVS Real-Time's per-participant metrics. The user guide lists
 * `hi`, `mid`, `low`, `none` and `disabled`.
 */
export class SimulcastLayer {
  /** The highest layer of a simulcast publisher. */
  public static readonly HI = new SimulcastLayer('hi');
  /** The middle layer of a simulcast publisher. */
  public static readonly MID = new SimulcastLayer('mid');
  /** The lowest layer of a simulcast publisher. */
  public static readonly LOW = new SimulcastLayer('low');
  /** The one layer of a publisher that does not simulcast. */
  public static readonly NONE = new SimulcastLayer('none');
  /** The layer value of a publisher with simulcast disabled. */
  public static readonly DISABLED = new SimulcastLayer('disabled');

  /** A layer by its dimension value, for one this library does not name. */
  public static of(value: string): SimulcastLayer {
    return new SimulcastLayer(value);
  }

  private constructor(
    /** The dimension value. */
    public readonly value: string) {}
}

/**
 * A media type, the `MediaType` dimension of IVS Real-Time's per-participant metrics. The values are not confirmed by
 * the user guide (see `docs/metrics.md`): `MetricMediaType.of()` takes any other.
 */
export class MetricMediaType {
  /** The participant's audio. */
  public static readonly AUDIO = new MetricMediaType('audio');
  /** The participant's video. */
  public static readonly VIDEO = new MetricMediaType('video');

  /** A media type by its dimension value. */
  public static of(value: string): MetricMediaType {
    return new MetricMediaType(value);
  }

  private constructor(
    /** The dimension value. */
    public readonly value: string) {}
}

/**
 * Options of the Region-wide IVS Real-Time metrics (`IvsRealTimeMetrics`): CloudWatch's metric options, and the
 * dimensions that narrow a metric to one platform, SDK version or subscriber country, where the metric has them.
 *
 * Each metric is published with a few combinations of dimensions only (see `docs/metrics.md`); a combination it is not
 * published with is an error at synth, rather than a chart or alarm that never has data.
 */
export interface IvsRealTimeMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The `Platform` dimension: the participants' platform, as the broadcast SDK reports it.
   *
   * @default - every platform
   */
  readonly platform?: string;

  /**
   * The `SDKVersion` dimension: the broadcast SDK's version; only with `platform`.
   *
   * @default - every version
   */
  readonly sdkVersion?: string;

  /**
   * The `SubscriberCountryCode` dimension: the subscribers' country.
   *
   * @default - every country
   */
  readonly subscriberCountryCode?: string;
}

/** Options of a stage's metrics (`IStage.metricPublishBitrate()`, ...): those of every metric, and one participant's. */
export interface StageMetricOptions extends IvsRealTimeMetricOptions {
  /**
   * The `Participant` dimension: one participant's ID. Participant metrics need the Web broadcast SDK 1.5.2 or later.
   *
   * @default - every participant of the stage
   */
  readonly participantId?: string;

  /**
   * The `SimulcastLayer` dimension, with `participantId`.
   *
   * @default - no layer dimension
   */
  readonly simulcastLayer?: SimulcastLayer;

  /**
   * The `MediaType` dimension, with `participantId`.
   *
   * @default - no media type dimension
   */
  readonly mediaType?: MetricMediaType;
}

/**
 * IVS Real-Time's Region-wide CloudWatch metrics (namespace `AWS/IVSRealTime`), for the account and Region of the stack
 * that uses them. A stage's own metrics are methods of `IStage` (`stage.metricPublishers()`, ...).
 *
 * @example
 * import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
 * import { IvsRealTimeMetrics } from 'cdk-ivs-realtime';
 *
 * IvsRealTimeMetrics.concurrentPublishers().createAlarm(this, 'NearPublisherQuota', {
 *   threshold: 800,
 *   evaluationPeriods: 1,
 * });
 */
export class IvsRealTimeMetrics {
  /** The namespace of IVS Real-Time's metrics. */
  public static readonly NAMESPACE = IVS_REALTIME_NAMESPACE;

  /**
   * Any metric of the namespace, with the dimensions given in `props.dimensionsMap`, unchecked.
   *
   * @default - statistic Average, period 5 minutes
   */
  public static metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: IVS_REALTIME_NAMESPACE, metricName, ...props });
  }

  /**
   * Participants publishing at once in the account and Region (`ConcurrentPublishers`, Count), the figure the
   * "concurrent publishers" quota limits.
   *
   * @default - statistic Maximum, period 5 minutes
   */
  public static concurrentPublishers(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.CONCURRENT_PUBLISHERS, 'IvsRealTimeMetrics.concurrentPublishers', props);
  }

  /**
   * Subscriptions at once in the account and Region (`ConcurrentSubscriptions`, Count), the figure the "concurrent
   * subscriptions" quota limits.
   *
   * @default - statistic Maximum, period 5 minutes
   */
  public static concurrentSubscriptions(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.CONCURRENT_SUBSCRIPTIONS, 'IvsRealTimeMetrics.concurrentSubscriptions', props);
  }

  /**
   * The bitrate participants publish at, over the Region or by `platform` (`PublishBitrate`, Bits/Second).
   *
   * @default - statistic Average, period 5 minutes
   */
  public static publishBitrate(props: IvsRealTimeMetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.PUBLISH_BITRATE, 'IvsRealTimeMetrics.publishBitrate', props);
  }

  /**
   * The bitrate subscribers receive, over the Region or by platform (and SDK version) or subscriber country
   * (`SubscribeBitrate`, Bits/Second).
   *
   * @default - statistic Average, period 5 minutes
   */
  public static subscribeBitrate(props: IvsRealTimeMetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.SUBSCRIBE_BITRATE, 'IvsRealTimeMetrics.subscribeBitrate', props);
  }

  /**
   * The share of video frames subscribers dropped (`DroppedFrames`, Percent).
   *
   * @default - statistic Average, period 5 minutes
   */
  public static droppedFrames(props: IvsRealTimeMetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.DROPPED_FRAMES, 'IvsRealTimeMetrics.droppedFrames', props);
  }

  /**
   * The share of packets subscribers lost downloading (`DownloadPacketLoss`, Percent).
   *
   * @default - statistic Average, period 5 minutes
   */
  public static downloadPacketLoss(props: IvsRealTimeMetricOptions = {}): cloudwatch.Metric {
    return regionMetric(METRICS.DOWNLOAD_PACKET_LOSS, 'IvsRealTimeMetrics.downloadPacketLoss', props);
  }

  private constructor() {}
}
