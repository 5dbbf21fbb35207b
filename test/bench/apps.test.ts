import { Template } from 'aws-cdk-lib/assertions';
import { l1Stack, libraryStack } from '../../bench/apps';

describe('benchmark apps', () => {
  test('the library app and the L1 app define the same IVS resources: per stage, and one shared encoder configuration', () => {
    const library = Template.fromStack(libraryStack(3));
    const l1 = Template.fromStack(l1Stack(3));
    for (const [custom, native, count] of [
      ['Custom::IvsRealTimeStage', 'AWS::IVS::Stage', 3],
      ['Custom::IvsRealTimeStorageConfiguration', 'AWS::IVS::StorageConfiguration', 3],
      ['Custom::IvsRealTimeIngestConfiguration', 'AWS::IVS::IngestConfiguration', 3],
      // within the account's default quota of 20 (IVS Real-Time user guide, Service Quotas) whatever the number of stages.
      ['Custom::IvsRealTimeEncoderConfiguration', 'AWS::IVS::EncoderConfiguration', 1],
    ] as const) {
      library.resourceCountIs(custom, count);
      l1.resourceCountIs(native, count);
    }
  });
});
