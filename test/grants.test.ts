/**
 * `grant` and `grantRead` of the storage, encoder and ingest configurations and public keys: exactly the actions their
 * documentation lists, on that one resource, for resources of the app and imported ones.
 * (`test/reliability/iam-authorization.test.ts` checks them against the Service Authorization Reference.)
 */
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EncoderConfiguration, IngestConfiguration, PublicKey, PublicKeyMaterial, Stage, StorageConfiguration, StreamKeyStorage } from '../lib';
import { INGEST_CONFIGURATION_READ_ACTIONS } from '../lib/private/iam';
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

// issue 21: the README's Grants table listed only the Secrets Manager actions of grantReadStreamKey, and said imported
// ingest configurations lacked it.
describe("the README's Grants table: grantReadStreamKey", () => {
  const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const row = README.split('\n').find((line) => line.startsWith('| `ingestConfiguration.grantReadStreamKey(grantee)`')) ?? '';
  const actionsOf = (text: string) => [...new Set(text.match(/`[a-z0-9-]+:[A-Za-z]+`/g) ?? [])].map((a) => a.slice(1, -1)).sort();

  /** Every action the grant allows the role: in the role's policies, and in key policies naming the role. */
  function granted(define: (stack: Stack) => IngestConfiguration | ReturnType<typeof IngestConfiguration.fromIngestConfigurationArn>): string[] {
    const stack = newStack();
    const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.AccountRootPrincipal() });
    define(stack).grantReadStreamKey(role);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const template = Template.fromStack(stack);
    const statements = [
      ...Object.values<any>(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement),
      ...Object.values<any>(template.findResources('AWS::KMS::Key'))
        .flatMap((key) => key.Properties.KeyPolicy.Statement)
        .filter((statement: any) => JSON.stringify(statement.Principal).includes(roleId)),
    ];
    return [...new Set(statements.flatMap((statement: any) => [statement.Action].flat() as string[]))].sort();
  }

  test('the row lists exactly the actions the grant adds, with every storage and encryption', () => {
    const all = granted((stack) => new Stage(stack, 'Stage').addIngestConfiguration('Encoder', {
      streamKeyStorage: StreamKeyStorage.secretsManager({ encryptionKey: new kms.Key(stack, 'Key') }),
    }));

    expect(all).toEqual(actionsOf(row));
    expect(all).toEqual(expect.arrayContaining(INGEST_CONFIGURATION_READ_ACTIONS));
  });

  test('on an imported ingest configuration it grants reading from IVS, which the table says', () => {
    expect(granted((stack) => IngestConfiguration.fromIngestConfigurationArn(stack, 'Imported', ARN('ingest-configuration'))))
      .toEqual(INGEST_CONFIGURATION_READ_ACTIONS);
    expect(README).not.toMatch(/except `grantReadStreamKey`/);
    expect(row).toContain('imported');
  });
});
