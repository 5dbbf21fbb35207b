import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ParticipantRecordingMediaType, RecordingBucket, Stage, StorageConfiguration } from '../../lib';

// A stage that records every participant to S3, and assertions that read back from IVS what the custom resources set.
const app = new App();
const stack = new Stack(app, 'IvsRealTimeIntegStageRecording');

// the test leaves nothing behind: the bucket and whatever IVS wrote to it go with the stack.
const bucket = new RecordingBucket(stack, 'Recordings', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
const storage = new StorageConfiguration(stack, 'Storage', { bucket, storageConfigurationName: 'integ-recordings' });
const stage = new Stage(stack, 'Stage', {
  stageName: 'integ-recorded',
  autoParticipantRecording: { storageConfiguration: storage, mediaType: ParticipantRecordingMediaType.AUDIO_ONLY },
  tags: { purpose: 'integ' },
});

// no update workflow: the snapshot keeps no assets to deploy the previous version from (see CONTRIBUTING.md).
const integ = new IntegTest(app, 'StageRecording', { testCases: [stack], stackUpdateWorkflow: false });

// fields of the 2024-06 recording release only: the assertion runs with the Lambda runtime's SDK, which drops
// response fields it does not know yet.
integ.assertions.awsApiCall('IVSRealTime', 'getStage', { arn: stage.stageArn }).expect(ExpectedResult.objectLike({
  stage: {
    arn: stage.stageArn,
    name: 'integ-recorded',
    autoParticipantRecordingConfiguration: {
      storageConfigurationArn: storage.storageConfigurationArn,
      mediaTypes: ['AUDIO_ONLY'],
    },
    tags: { purpose: 'integ' },
  },
}));

integ.assertions.awsApiCall('IVSRealTime', 'getStorageConfiguration', { arn: storage.storageConfigurationArn })
  .expect(ExpectedResult.objectLike({
    storageConfiguration: { name: 'integ-recordings', s3: { bucketName: bucket.bucketName } },
  }));

app.synth();
