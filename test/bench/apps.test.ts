import { Template } from 'aws-cdk-lib/assertions';
import { l1Stack, libraryStack } from '../../bench/apps';

describe('benchmark apps', () => {
  test('the library app and the L1 app define the same IVS resources per stage', () => {
    const library = Template.fromStack(libraryStack(3));
    const l1 = Template.fromStack(l1Stack(3));
    for (const [custom, native] of [
      ['Custom::IvsRealTimeStage', 'AWS::IVS::Stage'],
      ['Custom::IvsRealTimeStorageConfiguration', 'AWS::IVS::StorageConfiguration'],
      ['Custom::IvsRealTimeEncoderConfiguration', 'AWS::IVS::EncoderConfiguration'],
      ['Custom::IvsRealTimeIngestConfiguration', 'AWS::IVS::IngestConfiguration'],
    ]) {
      library.resourceCountIs(custom, 3);
      l1.resourceCountIs(native, 3);
    }
  });
});
