import * as path from 'path';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as thisCopy from '../../lib';
import { EncoderConfiguration, IngestConfiguration, PublicKey, Stage, StorageConfiguration } from '../../lib';
import { markClass } from '../../lib/private/class-marker';
import { newStack } from '../util';

const ARN = (resource: string) => `arn:aws:ivs:us-east-1:123456789012:${resource}/AbCdEf123456`;
const PUBLIC_KEY_FILE = path.join(__dirname, '..', '..', 'examples', 'keys', 'participant-token-signing.pub.pem');

/** One instance of each resource class, defined with `lib`, whichever copy of the library that is. */
function defineEach(lib: typeof import('../../lib'), scope: Construct) {
  const stage = new lib.Stage(scope, 'Stage');
  return {
    stage,
    storageConfiguration: new lib.StorageConfiguration(scope, 'Storage', { bucket: new s3.Bucket(scope, 'Bucket') }),
    encoderConfiguration: new lib.EncoderConfiguration(scope, 'Encoder'),
    ingestConfiguration: stage.addIngestConfiguration('Ingest'),
    publicKey: new lib.PublicKey(scope, 'Key', { publicKeyMaterial: lib.PublicKeyMaterial.fromFile(PUBLIC_KEY_FILE) }),
  };
}

describe('isXxx type checks', () => {
  test('each recognizes its own class only', () => {
    const made = defineEach(thisCopy, newStack());
    const checks = {
      stage: Stage.isStage,
      storageConfiguration: StorageConfiguration.isStorageConfiguration,
      encoderConfiguration: EncoderConfiguration.isEncoderConfiguration,
      ingestConfiguration: IngestConfiguration.isIngestConfiguration,
      publicKey: PublicKey.isPublicKey,
    };

    for (const [name, check] of Object.entries(checks)) {
      for (const [other, instance] of Object.entries(made)) {
        expect([name, other, check(instance)]).toEqual([name, other, name === other]);
      }
      expect(check(undefined)).toBe(false);
      expect(check(null)).toBe(false);
      expect(check('Stage')).toBe(false);
    }
  });

  test('imported resources are not instances of the class', () => {
    const stack = newStack();
    expect(Stage.isStage(Stage.fromStageArn(stack, 'Stage', ARN('stage')))).toBe(false);
    expect(StorageConfiguration.isStorageConfiguration(
      StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', ARN('storage-configuration')))).toBe(false);
    expect(EncoderConfiguration.isEncoderConfiguration(
      EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', ARN('encoder-configuration')))).toBe(false);
    expect(IngestConfiguration.isIngestConfiguration(
      IngestConfiguration.fromIngestConfigurationArn(stack, 'Ingest', ARN('ingest-configuration')))).toBe(false);
    expect(PublicKey.isPublicKey(PublicKey.fromPublicKeyArn(stack, 'Key', ARN('public-key')))).toBe(false);
  });

  test('recognize instances made by another loaded copy of the library, which instanceof does not', () => {
    let otherCopy!: typeof import('../../lib');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of the library needs a load inside isolateModules
      otherCopy = require('../../lib');
    });
    expect(otherCopy.Stage).not.toBe(Stage);
    const made = defineEach(otherCopy, newStack());

    expect(made.stage instanceof Stage).toBe(false);
    expect(Stage.isStage(made.stage)).toBe(true);
    expect(StorageConfiguration.isStorageConfiguration(made.storageConfiguration)).toBe(true);
    expect(EncoderConfiguration.isEncoderConfiguration(made.encoderConfiguration)).toBe(true);
    expect(IngestConfiguration.isIngestConfiguration(made.ingestConfiguration)).toBe(true);
    expect(PublicKey.isPublicKey(made.publicKey)).toBe(true);
  });

  test('a marked class marks its subclasses', () => {
    class Base {}
    class Derived extends Base {}
    const isBase = markClass(Base, 'test.Base');

    expect(isBase(new Derived())).toBe(true);
    expect(isBase({})).toBe(false);
  });
});
