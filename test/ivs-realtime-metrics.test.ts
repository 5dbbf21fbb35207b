/**
 * IVS Real-Time's CloudWatch metrics, on `IStage` and `IvsRealTimeMetrics`, against the table of the IVS Real-Time User
 * Guide's monitoring page as `docs/metrics.md` records it: each metric alarmed on, and the alarm's namespace, metric
 * name, dimensions, unit and statistic read from the template.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IStage, IvsRealTimeMetrics, MetricMediaType, SimulcastLayer, Stage } from '../lib';
import { newStackInRegion } from './util';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh';
const STAGE_ID = 'abcdABCDefgh';

/** The alarm a metric renders to, as the template holds it. */
function alarmOf(stack: Stack, metric: cloudwatch.Metric): Record<string, unknown> {
  metric.createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1 });
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
  const { Namespace, MetricName, Dimensions, Unit, Statistic, Period } = alarms[0].Properties;
  return { Namespace, MetricName, Dimensions, Unit, Statistic, Period };
}

function dimensions(map: Record<string, string>): Array<{ Name: string; Value: string }> {
  return Object.entries(map).map(([Name, Value]) => ({ Name, Value }));
}

const NS = 'AWS/IVSRealTime';
const S = { Stage: STAGE_ID };

/** The guide's table, written out independently of lib/private/metrics.ts: [call, name, unit, statistic, dimensions]. */
const CASES: Array<[string, (stage: IStage) => cloudwatch.Metric, string, string, string, Record<string, string>]> = [
  ['IvsRealTimeMetrics.concurrentPublishers()', () => IvsRealTimeMetrics.concurrentPublishers(), 'ConcurrentPublishers', 'Count', 'Maximum', {}],
  ['IvsRealTimeMetrics.concurrentSubscriptions()', () => IvsRealTimeMetrics.concurrentSubscriptions(), 'ConcurrentSubscriptions', 'Count', 'Maximum', {}],
  ['IvsRealTimeMetrics.publishBitrate()', () => IvsRealTimeMetrics.publishBitrate(), 'PublishBitrate', 'Bits/Second', 'Average', {}],
  ['IvsRealTimeMetrics.publishBitrate({ platform })', () => IvsRealTimeMetrics.publishBitrate({ platform: 'Web' }),
    'PublishBitrate', 'Bits/Second', 'Average', { Platform: 'Web' }],
  ['IvsRealTimeMetrics.subscribeBitrate({ platform, sdkVersion })', () => IvsRealTimeMetrics.subscribeBitrate({ platform: 'Web', sdkVersion: '1.20.0' }),
    'SubscribeBitrate', 'Bits/Second', 'Average', { Platform: 'Web', SDKVersion: '1.20.0' }],
  ['IvsRealTimeMetrics.subscribeBitrate({ subscriberCountryCode })', () => IvsRealTimeMetrics.subscribeBitrate({ subscriberCountryCode: 'DE' }),
    'SubscribeBitrate', 'Bits/Second', 'Average', { SubscriberCountryCode: 'DE' }],
  ['IvsRealTimeMetrics.droppedFrames()', () => IvsRealTimeMetrics.droppedFrames(), 'DroppedFrames', 'Percent', 'Average', {}],
  ['IvsRealTimeMetrics.downloadPacketLoss({ platform })', () => IvsRealTimeMetrics.downloadPacketLoss({ platform: 'iOS' }),
    'DownloadPacketLoss', 'Percent', 'Average', { Platform: 'iOS' }],
  ['stage.metricPublishers()', (stage) => stage.metricPublishers(), 'Publishers', 'Count', 'Maximum', S],
  ['stage.metricSubscribers()', (stage) => stage.metricSubscribers(), 'Subscribers', 'Count', 'Maximum', S],
  ['stage.metricPublishBitrate()', (stage) => stage.metricPublishBitrate(), 'PublishBitrate', 'Bits/Second', 'Average', S],
  ['stage.metricPublishBitrate({ participant, layer, media type })',
    (stage) => stage.metricPublishBitrate({ participantId: 'p1', simulcastLayer: SimulcastLayer.HI, mediaType: MetricMediaType.VIDEO }),
    'PublishBitrate', 'Bits/Second', 'Average', { ...S, Participant: 'p1', SimulcastLayer: 'hi', MediaType: 'video' }],
  ['stage.metricSubscribeBitrate()', (stage) => stage.metricSubscribeBitrate(), 'SubscribeBitrate', 'Bits/Second', 'Average', S],
  ['stage.metricSubscribeBitrate({ participant, media type })',
    (stage) => stage.metricSubscribeBitrate({ participantId: 'p1', mediaType: MetricMediaType.AUDIO }),
    'SubscribeBitrate', 'Bits/Second', 'Average', { ...S, Participant: 'p1', MediaType: 'audio' }],
  ['stage.metricSubscribeBitrate({ subscriberCountryCode })', (stage) => stage.metricSubscribeBitrate({ subscriberCountryCode: 'US' }),
    'SubscribeBitrate', 'Bits/Second', 'Average', { ...S, SubscriberCountryCode: 'US' }],
  ['stage.metricDroppedFrames()', (stage) => stage.metricDroppedFrames(), 'DroppedFrames', 'Percent', 'Average', S],
  ['stage.metricDroppedFrames({ participantId })', (stage) => stage.metricDroppedFrames({ participantId: 'p1' }),
    'DroppedFrames', 'Percent', 'Average', { ...S, Participant: 'p1' }],
  ['stage.metricDownloadPacketLoss({ platform, sdkVersion })', (stage) => stage.metricDownloadPacketLoss({ platform: 'Android', sdkVersion: '1.2' }),
    'DownloadPacketLoss', 'Percent', 'Average', { ...S, Platform: 'Android', SDKVersion: '1.2' }],
  ['stage.metricPublishFramerate({ participantId })', (stage) => stage.metricPublishFramerate({ participantId: 'p1' }),
    'PublishFramerate', 'Count/Second', 'Average', { ...S, Participant: 'p1' }],
  ['stage.metricPublishFramerate({ participantId, layer, media type })',
    (stage) => stage.metricPublishFramerate({ participantId: 'p1', simulcastLayer: SimulcastLayer.NONE, mediaType: MetricMediaType.VIDEO }),
    'PublishFramerate', 'Count/Second', 'Average', { ...S, Participant: 'p1', SimulcastLayer: 'none', MediaType: 'video' }],
  ['stage.metricPublishResolution({ participantId, layer, media type })',
    (stage) => stage.metricPublishResolution({ participantId: 'p1', simulcastLayer: SimulcastLayer.LOW, mediaType: MetricMediaType.VIDEO }),
    'PublishResolution', 'Count', 'Average', { ...S, Participant: 'p1', SimulcastLayer: 'low', MediaType: 'video' }],
];

describe('metrics of the guide\'s table', () => {
  test.each(CASES)('%s: namespace, name, unit, statistic and dimensions', (_call, make, metricName, unit, statistic, dims) => {
    const stack = newStackInRegion();
    const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
    const alarm = alarmOf(stack, make(stage));
    expect(alarm).toEqual({
      Namespace: NS,
      MetricName: metricName,
      Dimensions: Object.keys(dims).length === 0 ? undefined : expect.arrayContaining(dimensions(dims)),
      Unit: unit,
      Statistic: statistic,
      Period: 300,
    });
    expect((alarm.Dimensions as unknown[] | undefined)?.length ?? 0).toBe(Object.keys(dims).length);
  });

  test('every typed method of IStage and IvsRealTimeMetrics is in the table above', () => {
    const stageMethods = Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(Stage.fromStageArn(newStackInRegion(), 'S', STAGE_ARN))))
      .filter((name) => /^metric./.test(name)).map((name) => `stage.${name}(`);
    const staticMethods = Object.getOwnPropertyNames(IvsRealTimeMetrics).filter((name) => typeof (IvsRealTimeMetrics as any)[name] === 'function'
      && name !== 'metric').map((name) => `IvsRealTimeMetrics.${name}(`);
    const covered = CASES.map(([call]) => call);
    for (const method of [...stageMethods, ...staticMethods]) {
      expect([method, covered.some((call) => call.startsWith(method))]).toEqual([method, true]);
    }
  });

  test('props override the defaults: statistic, period, label', () => {
    const stack = newStackInRegion();
    const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
    expect(alarmOf(stack, stage.metricPublishers({ statistic: 'Minimum', period: Duration.minutes(1) })))
      .toEqual(expect.objectContaining({ Statistic: 'Minimum', Period: 60, Unit: 'Count' }));
  });

  test('stage.metric(name) is any metric of the namespace with the stage\'s dimension, plus dimensionsMap', () => {
    const stack = newStackInRegion();
    const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
    expect(alarmOf(stack, stage.metric('SomethingNew', { dimensionsMap: { Extra: 'x' } }))).toEqual({
      Namespace: NS,
      MetricName: 'SomethingNew',
      Dimensions: [{ Name: 'Extra', Value: 'x' }, { Name: 'Stage', Value: STAGE_ID }],
      Unit: undefined,
      Statistic: 'Average',
      Period: 300,
    });
    expect(IvsRealTimeMetrics.metric('Other').namespace).toBe(NS);
  });
});

describe('the Stage dimension', () => {
  test('of a stage of the app is the last part of its ARN, taken apart at deployment (Fn::Split, Fn::Select)', () => {
    const stack = newStackInRegion();
    const stage = new Stage(stack, 'Stage');
    alarmOf(stack, stage.metricPublishers());
    const stageRef = { Ref: Match.stringLikeRegexp('^Stage') };
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{
        Name: 'Stage',
        Value: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', stageRef] }] }] }] },
      }],
    });
  });

  test('of an imported stage in another region, the metric is that region\'s (for cross-region dashboards)', () => {
    const stack = newStackInRegion('us-east-1');
    const stage = Stage.fromStageArn(stack, 'Imported', 'arn:aws:ivs:eu-west-1:123456789012:stage/xyzXYZxyzXYZ');
    const metric = stage.metricSubscribers();
    expect([metric.region, metric.dimensions]).toEqual(['eu-west-1', { Stage: 'xyzXYZxyzXYZ' }]);
    // an alarm must be in its metric's region.
    expect(() => metric.createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1 })).toThrow(/region/);
  });

  test("of a stage of the app, the metric is the stack's account and region", () => {
    const stack = newStackInRegion('us-east-1');
    const metric = new Stage(stack, 'Stage').metricSubscribers();
    expect([metric.account, metric.region]).toEqual(['123456789012', 'us-east-1']);
  });
});

describe('dimension sets the metric is not published with fail at synth', () => {
  test('a stage metric names the construct path, the method and the sets the guide lists', () => {
    const stack = newStackInRegion();
    const stage = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
    expect(() => stage.metricPublishBitrate({ participantId: 'p1' })).toThrow(
      "Stage.metricPublishBitrate 'TestStack/Imported' has invalid props:\n- the metric options must name a dimension set of the metric: "
      + 'PublishBitrate is published with the dimensions (none: the Region); Platform; Stage; Stage+Participant+SimulcastLayer+MediaType, '
      + 'got Stage+Participant');
    expect(() => stage.metricPublishers({ dimensionsMap: { Participant: 'p1' } })).toThrow(/Publishers is published with the dimensions Stage, got Stage\+Participant/);
    expect(() => stage.metricPublishResolution({ participantId: 'p1' })).toThrow(/PublishResolution .* got Stage\+Participant$/);
    expect(() => stage.metricPublishFramerate({})).toThrow(/PublishFramerate .* got Stage$/);
  });

  test('a Region metric names the method', () => {
    expect(() => IvsRealTimeMetrics.publishBitrate({ subscriberCountryCode: 'DE' }))
      .toThrow(/^IvsRealTimeMetrics.publishBitrate: PublishBitrate is published with the dimensions .*, got SubscriberCountryCode$/);
  });

  test('SimulcastLayer and MetricMediaType take values the library does not name', () => {
    expect([SimulcastLayer.of('x').value, MetricMediaType.of('y').value, SimulcastLayer.DISABLED.value, SimulcastLayer.MID.value])
      .toEqual(['x', 'y', 'disabled', 'mid']);
  });
});
