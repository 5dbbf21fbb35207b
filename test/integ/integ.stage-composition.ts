import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CompositionDestination, RecordingBucket, Stage, StageComposition, StorageConfiguration } from '../../lib';
import participantPublished from '../fixtures/events/participant-published.json';

// What starts a composition: the rule for the stage's "Participant Published" events and the function it targets.
// A composition itself cannot be started from here: that takes a participant publishing media over WebRTC, which
// no assertion can do, and the function ignores an event whose session is not the stage's active one.
const app = new App();
const stack = new Stack(app, 'IvsRealTimeIntegStageComposition');

const bucket = new RecordingBucket(stack, 'Recordings', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
const storage = new StorageConfiguration(stack, 'Storage', { bucket });
const stage = new Stage(stack, 'Stage', { stageName: 'integ-composed' });
const composition = new StageComposition(stack, 'Composition', {
  stages: [stage],
  destinations: [CompositionDestination.s3(storage)],
});

// no update workflow: the snapshot keeps no assets to deploy the previous version from (see CONTRIBUTING.md).
const integ = new IntegTest(app, 'StageComposition', { testCases: [stack], stackUpdateWorkflow: false });

integ.assertions.awsApiCall('EventBridge', 'describeRule', { Name: composition.rule.ruleName })
  .expect(ExpectedResult.objectLike({ State: 'ENABLED' }));
integ.assertions.awsApiCall('EventBridge', 'listTargetsByRule', { Rule: composition.rule.ruleName })
  .expect(ExpectedResult.objectLike({ Targets: Match.arrayWith([Match.objectLike({ Arn: composition.handler.functionArn })]) }));

// integ-tests-alpha passes each parameter on as JSON.stringify renders it, tokens resolved inside the string: so the
// JSON strings TestEventPattern takes are JSON.stringify's too (of ARNs, which need no escaping), not Stack.toJsonString's.

/** The documented sample of the event, as IVS would send it for `stageArn` in this account and region. */
function publishedEventOf(stageArn: string): string {
  return JSON.stringify({ ...participantPublished, account: Aws.ACCOUNT_ID, region: Aws.REGION, resources: [stageArn] });
}

// EventBridge itself matches the rule's pattern, as the template renders it (not read back from the rule: integ-tests-alpha
// parses the JSON string of a response it reads an attribute of): this stage's event starts the function, another's does not.
const rulePattern = JSON.stringify(composition.rule._renderEventPattern());
integ.assertions.awsApiCall('EventBridge', 'testEventPattern', { EventPattern: rulePattern, Event: publishedEventOf(stage.stageArn) })
  .expect(ExpectedResult.objectLike({ Result: true }));
const otherStage = stack.formatArn({ service: 'ivs', resource: 'stage', resourceName: 'NotThisStage' });
integ.assertions.awsApiCall('EventBridge', 'testEventPattern', { EventPattern: rulePattern, Event: publishedEventOf(otherStage) })
  .expect(ExpectedResult.objectLike({ Result: false }));

app.synth();
