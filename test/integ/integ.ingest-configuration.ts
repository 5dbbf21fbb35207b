import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Stage } from '../../lib';

// Who can read an ingest configuration's stream key: a function granted one ingest configuration reads its key, and
// is refused the key of another one of the same stage.
const app = new App();
const stack = new Stack(app, 'IvsRealTimeIntegIngestConfiguration');

const stage = new Stage(stack, 'Stage', { stageName: 'integ-ingest' });
const granted = stage.addIngestConfiguration('Granted', { userId: 'granted-encoder' });
const notGranted = stage.addIngestConfiguration('NotGranted', { userId: 'other-encoder' });

// The reader answers whether it got a key, never the key: an assertion's result lands in the assertion stack's
// custom resource attributes and logs (which is also why no awsApiCall reads the ingest configuration itself).
const reader = new lambda.Function(stack, 'StreamKeyReader', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  // deleted with the stack, unlike the log group a function gets by default.
  logGroup: new logs.LogGroup(stack, 'StreamKeyReaderLogs', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY }),
  code: lambda.Code.fromInline(`
const { IVSRealTimeClient, GetIngestConfigurationCommand } = require('@aws-sdk/client-ivs-realtime');
const ivs = new IVSRealTimeClient({});
exports.handler = async ({ ingestConfigurationArn }) => {
  try {
    const { ingestConfiguration } = await ivs.send(new GetIngestConfigurationCommand({ arn: ingestConfigurationArn }));
    return { streamKeyRead: (ingestConfiguration?.streamKey ?? '').length > 0 };
  } catch (error) {
    return { refused: error.name };
  }
};`),
});
granted.grantReadStreamKey(reader);

// no update workflow: the snapshot keeps no assets to deploy the previous version from (see CONTRIBUTING.md).
const integ = new IntegTest(app, 'IngestConfiguration', { testCases: [stack], stackUpdateWorkflow: false });

// the grant is enough: the action and the resource it names are the ones IVS authorizes GetIngestConfiguration against.
// Asked again for up to two minutes: a new IAM policy takes a while to apply everywhere (IAM is eventually consistent).
integ.assertions.invokeFunction({
  functionName: reader.functionName,
  payload: JSON.stringify({ ingestConfigurationArn: granted.ingestConfigurationArn }),
}).expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ streamKeyRead: true }) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

// and no more than that: it names that one ingest configuration, not every ingest configuration of the account.
integ.assertions.invokeFunction({
  functionName: reader.functionName,
  payload: JSON.stringify({ ingestConfigurationArn: notGranted.ingestConfigurationArn }),
}).expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ refused: 'AccessDeniedException' }) }));

app.synth();
