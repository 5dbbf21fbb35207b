import { App, AppProps } from 'aws-cdk-lib';
import { IvsRealTimePlatformStack } from './ivs-realtime-platform';
import { ParticipantTokensStack } from './participant-tokens';
import { RecordingPlaybackStack } from './recording-playback';
import { StageCompositionStack } from './stage-composition';
import { StageMonitoringStack } from './stage-monitoring';
import { StagePoolStack } from './stage-pool';
import { StageRecordingStack } from './stage-recording';
import { StageWithRecordingStack } from './stage-with-recording';

/** Every example stack in one app: environment-agnostic, so `cdk synth` needs no AWS account or credentials. */
export function exampleApp(props: AppProps = {}): App {
  const app = new App(props);
  new StageWithRecordingStack(app, 'StageWithRecording');
  new StageRecordingStack(app, 'StageRecording');
  new StageCompositionStack(app, 'StageComposition');
  new IvsRealTimePlatformStack(app, 'IvsRealTimePlatform');
  new ParticipantTokensStack(app, 'ParticipantTokens');
  new StageMonitoringStack(app, 'StageMonitoring');
  new RecordingPlaybackStack(app, 'RecordingPlayback');
  new StagePoolStack(app, 'StagePool');
  return app;
}
