/**
 * `grant` and `grantRead` of the storage, encoder and ingest configurations and public keys: exactly the actions their
 * documentation lists, on that one resource, for resources of the app and imported ones.
 * (`test/reliability/iam-authorization.test.ts` checks them against the Service Authorization Reference.)
 */
import { generateKeyPairSync } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EncoderConfiguration, IngestConfiguration, PublicKey, PublicKeyMaterial, Stage, StorageConfiguration } from '../lib';
import { newStack } from './util';

const PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ARN = (resource: string) => `arn:aws:ivs:us-east-1:123456789012:${resource}/AbCdEf123456`;

interface Case {
  /** The resource defined in the stack, and its ARN as the template renders it. */
  readonly define: (scope: Construct) => { resource: Grantable; arn: unknown };
  readonly imported: (scope: Construct) => Grantable;
  readonly importedArn: string;
  readonly readActions: string;
}

interface Grantable {
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

const ref = (scope: Construct, id: string) => ({ Ref: Stack.of(scope).getLogicalId(scope.node.findChild(id) as any) });

const CASES: Record<string, Case> = {
  StorageConfiguration: {
    define: (scope) => ({
      resource: new StorageConfiguration(scope, 'It', { bucket: new s3.Bucket(scope, 'Bucket') }),
      arn: ref(scope.node.findChild('It'), 'Resource'),
    }),
    imported: (scope) => StorageConfiguration.fromStorageConfigurationArn(scope, 'Imported', ARN('storage-configuration')),
    importedArn: ARN('storage-configuration'),
    readActions: 'ivs:GetStorageConfiguration',
  },
  EncoderConfiguration: {
    define: (scope) => ({ resource: new EncoderConfiguration(scope, 'It'), arn: ref(scope.node.findChild('It'), 'Resource') }),
    imported: (scope) => EncoderConfiguration.fromEncoderConfigurationArn(scope, 'Imported', ARN('encoder-configuration')),
    importedArn: ARN('encoder-configuration'),
    readActions: 'ivs:GetEncoderConfiguration',
  },
  IngestConfiguration: {
    define: (scope) => ({ resource: new Stage(scope, 'Stage').addIngestConfiguration('It'), arn: ref(scope.node.findChild('Stage').node.findChild('It'), 'Resource') }),
    imported: (scope) => IngestConfiguration.fromIngestConfigurationArn(scope, 'Imported', ARN('ingest-configuration')),
    importedArn: ARN('ingest-configuration'),
    readActions: 'ivs:GetIngestConfiguration',
  },
  PublicKey: {
    define: (scope) => ({
      resource: new PublicKey(scope, 'It', { publicKeyMaterial: PublicKeyMaterial.fromString(PUBLIC_KEY) }),
      arn: ref(scope.node.findChild('It'), 'Resource'),
    }),
    imported: (scope) => PublicKey.fromPublicKeyArn(scope, 'Imported', ARN('public-key')),
    importedArn: ARN('public-key'),
    readActions: 'ivs:GetPublicKey',
  },
};

function statementsOf(stack: Stack, role: iam.Role): unknown[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe.each(Object.entries(CASES))('%s grants', (_, { define, imported, importedArn, readActions }) => {
  test(`grantRead allows ${readActions} on this resource only`, () => {
    const stack = newStack();
    const { resource, arn } = define(stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

    resource.grantRead(role);

    expect(statementsOf(stack, role)).toEqual([{ Action: readActions, Effect: 'Allow', Resource: arn }]);
  });

  test('grant and grantRead work on an imported one, on its ARN', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

    imported(stack).grant(role, 'ivs:ListTagsForResource');
    imported(new Construct(stack, 'Other')).grantRead(role);

    expect(statementsOf(stack, role)).toEqual([
      { Action: 'ivs:ListTagsForResource', Effect: 'Allow', Resource: importedArn },
      { Action: readActions, Effect: 'Allow', Resource: importedArn },
    ]);
  });
});
