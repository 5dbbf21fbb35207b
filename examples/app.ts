import { App } from 'aws-cdk-lib';
import { StageRecordingStack } from './stage-recording';
import { StageWithRecordingStack } from './stage-with-recording';

// environment-agnostic stacks: `cdk synth` needs no AWS account or credentials.
const app = new App();
new StageWithRecordingStack(app, 'StageWithRecording');
new StageRecordingStack(app, 'StageRecording');
app.synth();
