import { App, Stack } from 'aws-cdk-lib';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncoderConfiguration, EncoderVideo, IngestConfiguration, Stage, StorageConfiguration } from '../lib';

/**
 * The same N-stage app written with this library and with aws-cdk-lib's `AWS::IVS::*` L1s: one encoder configuration
 * that the app's compositions share (an account holds 20 by default: IVS Real-Time user guide, Service Quotas), and
 * per stage bundle a stage recording to one shared bucket through its own storage configuration, and an ingest
 * configuration. Used by the benchmarks (synth time, template size) and the scale tests (deploying many stages).
 */
export function libraryStack(stages: number, app = new App()): Stack {
  const stack = new Stack(app, `Library${stages}`);
  const bucket = new s3.Bucket(stack, 'Recordings');
  new EncoderConfiguration(stack, 'Encoder', { video: EncoderVideo.landscape720p() });
  for (let i = 0; i < stages; i++) {
    const storageConfiguration = new StorageConfiguration(stack, `Storage${i}`, { bucket });
    const stage = new Stage(stack, `Stage${i}`, { stageName: `stage-${i}`, autoParticipantRecording: { storageConfiguration } });
    new IngestConfiguration(stack, `Ingest${i}`, { stage });
  }
  return stack;
}

/** `libraryStack`'s app with the L1 types CloudFormation has for IVS Real-Time. */
export function l1Stack(stages: number, app = new App()): Stack {
  const stack = new Stack(app, `L1${stages}`);
  const bucket = new s3.Bucket(stack, 'Recordings');
  new ivs.CfnEncoderConfiguration(stack, 'Encoder', { video: { width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 } });
  for (let i = 0; i < stages; i++) {
    const storage = new ivs.CfnStorageConfiguration(stack, `Storage${i}`, { s3: { bucketName: bucket.bucketName } });
    const stage = new ivs.CfnStage(stack, `Stage${i}`, {
      name: `stage-${i}`,
      autoParticipantRecordingConfiguration: { storageConfigurationArn: storage.attrArn },
    });
    new ivs.CfnIngestConfiguration(stack, `Ingest${i}`, { stageArn: stage.attrArn, ingestProtocol: 'RTMPS' });
  }
  return stack;
}

/** Stages only, each recording through its own storage configuration: the scale test's stack. */
export function recordingStagesStack(stages: number, app = new App()): Stack {
  const stack = new Stack(app, `RecordingStages${stages}`);
  const bucket = new s3.Bucket(stack, 'Recordings');
  for (let i = 0; i < stages; i++) {
    const storageConfiguration = new StorageConfiguration(stack, `Storage${i}`, { bucket });
    new Stage(stack, `Stage${i}`, { autoParticipantRecording: { storageConfiguration } });
  }
  return stack;
}
