import { App } from 'aws-cdk-lib';
import { IvsRealTimePlatformStack } from './ivs-realtime-platform';
import { ParticipantTokensStack } from './participant-tokens';
import { StageCompositionStack } from './stage-composition';
import { StageRecordingStack } from './stage-recording';
import { StageWithRecordingStack } from './stage-with-recording';

// environment-agnostic stacks: `cdk synth` needs no AWS account or credentials.
const app = new App();
new StageWithRecordingStack(app, 'StageWithRecording');
new StageRecordingStack(app, 'StageRecording');
new StageCompositionStack(app, 'StageComposition');
new IvsRealTimePlatformStack(app, 'IvsRealTimePlatform');
new ParticipantTokensStack(app, 'ParticipantTokens');
app.synth();
