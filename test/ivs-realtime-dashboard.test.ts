import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IvsRealTimeDashboard, Stage } from '../lib';
import { newStackInRegion } from './util';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh';

/** Each alarm of the template as `<metric or expression> <operator> <threshold>`. */
function alarms(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(({ Properties: p }) => {
    const what = p.MetricName ? `${p.Namespace}/${p.MetricName} ${p.Statistic}`
      : p.Metrics.find((m: any) => m.Expression).Expression;
    return `${what} ${p.ComparisonOperator} ${p.Threshold} ${p.TreatMissingData}`;
  }).sort();
}

describe('IvsRealTimeDashboard', () => {
  test('by default: quota alarms at 80% of 1,000 publishers and 20,000 subscriptions, and alarms on any failure', () => {
    const stack = newStackInRegion();
    new IvsRealTimeDashboard(stack, 'Monitoring');
    const template = Template.fromStack(stack);
    const ge = 'GreaterThanOrEqualToThreshold';
    expect(alarms(template)).toEqual([
      `AWS/IVSRealTime/ConcurrentPublishers Maximum ${ge} 800 notBreaching`,
      `AWS/IVSRealTime/ConcurrentSubscriptions Maximum ${ge} 16000 notBreaching`,
      `FILL(a, 0) + FILL(b, 0) ${ge} 1 notBreaching`,
      `FILL(a, 0) + FILL(b, 0) ${ge} 1 notBreaching`,
      expect.stringMatching(new RegExp(`^cdk-ivs-realtime/TestStackMonitoringEventMetrics[0-9A-F]{8}/ParticipantPublishErrors Sum ${ge} 1 notBreaching$`)),
    ].sort());
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('quotas, share and threshold as props', () => {
    const stack = newStackInRegion();
    new IvsRealTimeDashboard(stack, 'Monitoring', {
      concurrentPublishersQuota: 5000,
      concurrentSubscriptionsQuota: 100000,
      quotaAlarmThreshold: 0.5,
      publishErrorsThreshold: 10,
      period: Duration.minutes(1),
      dashboardName: 'ivs',
    });
    const template = Template.fromStack(stack);
    expect(alarms(template).filter((a) => /Concurrent|Publish/.test(a)).map((a) => a.split(' ').slice(-2, -1)[0]).sort())
      .toEqual(['10', '2500', '50000']);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'ivs' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ConcurrentPublishers', Period: 60 });
  });

  test("charts each stage, an imported one too, by its resource ID; the failure rules count the stages' events", () => {
    const stack = newStackInRegion();
    const imported = Stage.fromStageArn(stack, 'Imported', STAGE_ARN);
    new IvsRealTimeDashboard(stack, 'Monitoring', { stages: [imported, new Stage(stack, 'Town-hall')] });
    const template = Template.fromStack(stack);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const metricName of ['Publishers', 'Subscribers', 'PublishBitrate', 'SubscribeBitrate', 'DroppedFrames', 'DownloadPacketLoss']) {
      expect(body).toContain(`\\"AWS/IVSRealTime\\",\\"${metricName}\\",\\"Stage\\",\\"abcdABCDefgh\\"`);
    }
    expect(body).toContain('Imported: participants');
    expect(body).toContain('Town-hall: bitrate');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: [STAGE_ARN, { Ref: Match.stringLikeRegexp('^Townhall') }] }),
    });
  });

  test('addAlarmAction adds the action to every alarm', () => {
    const stack = newStackInRegion();
    const topic = new sns.Topic(stack, 'OnCall');
    const dashboard = new IvsRealTimeDashboard(stack, 'Monitoring');
    dashboard.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    const template = Template.fromStack(stack);
    const actions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmActions);
    expect(actions).toHaveLength(5);
    const topicRef = [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }];
    expect(actions.every((a) => JSON.stringify(a) === JSON.stringify(topicRef))).toBe(true);
  });

  test('invalid props are reported together, naming the construct', () => {
    const stack = newStackInRegion();
    expect(() => new IvsRealTimeDashboard(stack, 'Monitoring', {
      concurrentPublishersQuota: 0, quotaAlarmThreshold: 1.5, publishErrorsThreshold: 0.5, stages: [],
    })).toThrow("IvsRealTimeDashboard 'TestStack/Monitoring' has invalid props:\n"
      + '- `concurrentPublishersQuota` must be a whole number of at least 1, got 0\n'
      + '- `quotaAlarmThreshold` must be a share of the quota, more than 0 and at most 1, got 1.5\n'
      + '- `publishErrorsThreshold` must be a whole number of at least 1, got 0.5\n'
      + '- `stages` must list at least one stage, or be left out to chart none, got []');
  });
});
