import { generateKeyPairSync } from 'crypto';
import { App, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncoderConfiguration, PublicKey, PublicKeyMaterial, Stage, StageRecording, StorageConfiguration } from '../lib';
import { newStack } from './util';

/** The storage configuration resource's deletion and update-replace policies, as rendered. */
function policiesOf(stack: Stack): Array<[string | undefined, string | undefined]> {
  return Object.values<any>(Template.fromStack(stack).findResources('Custom::IvsRealTimeStorageConfiguration'))
    .map((resource) => [resource.DeletionPolicy, resource.UpdateReplacePolicy]);
}

describe('no removal policy combination makes a stack undeletable', () => {
  describe('StageRecording keeps its storage configuration when the stage is kept (IVS refuses to delete one a stage records to)', () => {
    test.each([
      ['given in the props', (stack: Stack) => new Stage(stack, 'Stage', { removalPolicy: RemovalPolicy.RETAIN }), undefined, 'Retain'],
      ['applied after the StageRecording', (stack: Stack) => new Stage(stack, 'Stage'),
        (stage: Stage) => stage.applyRemovalPolicy(RemovalPolicy.RETAIN), 'Retain'],
      ['by RemovalPolicies', (stack: Stack) => new Stage(stack, 'Stage'), (stage: Stage) => RemovalPolicies.of(stage).retain(), 'Retain'],
      ['kept on update or delete', (stack: Stack) => new Stage(stack, 'Stage', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }),
        undefined, 'RetainExceptOnCreate'],
    ])('%s: the storage configuration gets the stage\'s deletion policy only (a replaced one is free, and deleted)',
      (_how, define, after, policy) => {
        const stack = newStack();
        const stage = define(stack);
        new StageRecording(stack, 'Recording', { stage });
        after?.(stage);

        expect(policiesOf(stack)).toEqual([[policy, undefined]]);
      });

    test('a stage that is deleted leaves its storage configuration to be deleted too', () => {
      const stack = newStack();
      new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage') });

      expect(policiesOf(stack)).toEqual([[undefined, undefined]]);
    });
  });

  describe('a kept stage recording to a StorageConfiguration of the app that is not kept fails synth, naming both and the fix', () => {
    const message = (stagePath: string, storagePath: string) => new RegExp(`\\[${stagePath}\\] \`removalPolicy\` must not keep the stage `
      + `when deleted while storage configuration '${storagePath}', which it records to, is not kept: IVS refuses to delete a `
      + 'storage configuration that a stage records to, so every delete of the stack would fail. Give that storage configuration '
      + '`removalPolicy: RemovalPolicy.RETAIN` too, or let the stage be deleted');

    test('in the props, with enableAutoParticipantRecording, and with the storage configuration in another stack', () => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      const bucket = new s3.Bucket(stack, 'Bucket');
      const storageConfiguration = new StorageConfiguration(stack, 'Storage', { bucket });
      new Stage(stack, 'Stage', { removalPolicy: RemovalPolicy.RETAIN, autoParticipantRecording: { storageConfiguration } });
      const enabled = new Stage(stack, 'Enabled');
      enabled.enableAutoParticipantRecording({ storageConfiguration });
      enabled.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const other = new Stack(app, 'Other');
      new Stage(other, 'Stage', { removalPolicy: RemovalPolicy.RETAIN, autoParticipantRecording: { storageConfiguration } });

      const synth = () => app.synth();

      expect(synth).toThrow(message('Stack/Stage', 'Stack/Storage'));
      expect(synth).toThrow(message('Stack/Enabled', 'Stack/Storage'));
      expect(synth).toThrow(message('Other/Stage', 'Stack/Storage'));
    });

    test('kept together, deleted together, a deleted stage recording to a kept storage configuration, or an imported one: no error', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      const kept = new StorageConfiguration(stack, 'Kept', { bucket, removalPolicy: RemovalPolicy.RETAIN });
      const deleted = new StorageConfiguration(stack, 'Deleted', { bucket });
      const imported = StorageConfiguration.fromStorageConfigurationArn(stack, 'Imported',
        'arn:aws:ivs:us-east-1:123456789012:storage-configuration/abcdABCDefgh');
      new Stage(stack, 'KeptWithKept', { removalPolicy: RemovalPolicy.RETAIN, autoParticipantRecording: { storageConfiguration: kept } });
      new Stage(stack, 'DeletedWithDeleted', { autoParticipantRecording: { storageConfiguration: deleted } });
      new Stage(stack, 'DeletedWithKept', { autoParticipantRecording: { storageConfiguration: kept } });
      new Stage(stack, 'KeptWithImported', {
        removalPolicy: RemovalPolicy.RETAIN, autoParticipantRecording: { storageConfiguration: imported },
      });

      expect(() => Template.fromStack(stack)).not.toThrow();
    });
  });
});

// issue 21: IVS keeps no snapshot, and CloudFormation treats a custom resource's Snapshot policy as Delete.
describe('RemovalPolicy.SNAPSHOT fails synth on every IVS resource', () => {
  const P384_PEM = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const MESSAGE = '`removalPolicy` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN (IVS keeps no snapshot: CloudFormation '
    + 'would delete the resource), got RemovalPolicy.SNAPSHOT';
  const DEFINE: Array<[string, (stack: Stack, removalPolicy?: RemovalPolicy) => { applyRemovalPolicy(policy: RemovalPolicy): void }]> = [
    ['Stage', (stack, removalPolicy) => new Stage(stack, 'Resource', { removalPolicy })],
    ['StorageConfiguration', (stack, removalPolicy) => new StorageConfiguration(stack, 'Resource', { bucket: new s3.Bucket(stack, 'Bucket'), removalPolicy })],
    ['IngestConfiguration', (stack, removalPolicy) => new Stage(stack, 'Stage').addIngestConfiguration('Ingest', { removalPolicy })],
    ['EncoderConfiguration', (stack, removalPolicy) => new EncoderConfiguration(stack, 'Resource', { removalPolicy })],
    ['PublicKey', (stack, removalPolicy) => new PublicKey(stack, 'Resource', { publicKeyMaterial: PublicKeyMaterial.fromString(P384_PEM), removalPolicy })],
  ];

  test.each(DEFINE)('%s, in the props and from applyRemovalPolicy, naming the construct', (_name, define) => {
    const inProps = new Stack(new App(), 'Stack');
    const defined = define(inProps, RemovalPolicy.SNAPSHOT);
    const path = (defined as unknown as { node: { path: string } }).node.path;
    const applied = new Stack(new App(), 'Stack');
    define(applied).applyRemovalPolicy(RemovalPolicy.SNAPSHOT);

    expect(() => (inProps.node.root as App).synth()).toThrow(`[${path}] ${MESSAGE}`);
    expect(() => (applied.node.root as App).synth()).toThrow(`[${path}] ${MESSAGE}`);
  });

  test.each([RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('%s is accepted', (policy) => {
    const stack = new Stack(new App(), 'Stack');
    new Stage(stack, 'Stage', { removalPolicy: policy });

    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});
