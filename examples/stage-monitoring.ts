import { Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IvsRealTimeDashboard, Stage } from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

/**
 * A dashboard and alarms for IVS Real-Time in one construct: the Region's concurrent publishers and subscriptions
 * against their quotas, publish errors and failed compositions and recordings (from IVS's events, with no Lambda
 * function), and a row of charts for a stage of the app and for one deployed elsewhere. Alarms notify an SNS topic.
 */
export class StageMonitoringStack extends Stack {
  public readonly monitoring: IvsRealTimeDashboard;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);

    const stage = new Stage(this, 'Stage', { stageName: 'town-hall' });
    // a stage made by another stack or by hand: its metrics need only its ARN.
    const lobby = Stage.fromStageArn(this, 'Lobby', this.formatArn({ service: 'ivs', resource: 'stage', resourceName: 'abcdABCDefgh' }));

    this.monitoring = new IvsRealTimeDashboard(this, 'Monitoring', {
      stages: [stage, lobby],
      dashboardName: 'ivs-real-time',
      // the account's raised quota in this region; alarms at 90% of it.
      concurrentSubscriptionsQuota: 50000,
      quotaAlarmThreshold: 0.9,
    });

    // encrypted at rest with a key CloudWatch may use to publish alarms to the topic.
    const key = new kms.Key(this, 'AlarmsKey', { enableKeyRotation: true });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const alarms = new sns.Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    this.monitoring.addAlarmAction(new cloudwatchActions.SnsAction(alarms));
  }
}
