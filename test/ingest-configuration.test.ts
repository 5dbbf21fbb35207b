import { CfnOutput, CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IngestConfiguration, IngestProtocol, Stage, StreamKeyStorage } from '../lib';
import { newStack, parseRenderedJson, requestOf } from './util';

const TYPE = 'Custom::IvsRealTimeIngestConfiguration';
const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh';
const INGEST_ARN = 'arn:aws:ivs:us-east-1:123456789012:ingest-configuration/AbCdEf123456';

function resourceOf(stack: Stack): { logicalId: string; properties: any; resource: any } {
  const resources = Template.fromStack(stack).findResources(TYPE);
  const [logicalId] = Object.keys(resources);
  return { logicalId, properties: resources[logicalId].Properties, resource: resources[logicalId] };
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } } | undefined): string {
  return stack.getLogicalId(construct!.node.defaultChild);
}

/** The statements of the policy CDK attached to `role`. */
function statementsOf(stack: Stack, role: iam.Role): unknown[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
  return policy.Properties.PolicyDocument.Statement;
}

/** Every statement of the stack's policies that names a Secrets Manager action, with the policy's logical ID. */
function secretStatementsOf(stack: Stack): Array<{ id: string; statement: any }> {
  return Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
    policy.Properties.PolicyDocument.Statement
      .filter((s: any) => JSON.stringify(s.Action).includes('secretsmanager:'))
      .map((statement: any) => ({ id, statement })));
}

const withSecret = { streamKeyStorage: StreamKeyStorage.secretsManager() };

describe('IngestConfiguration', () => {
  test('defaults to RTMPS on the given stage with redundant ingest off, and exposes its ARN and participant ID', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const ingest = new IngestConfiguration(stack, 'Ingest', { stage });

    expect(requestOf(stack, TYPE)).toEqual({
      stageArn: `<Ref:${logicalIdOf(stack, stage)}>`,
      ingestProtocol: 'RTMPS',
      redundantIngest: false,
    });
    const { logicalId } = resourceOf(stack);
    expect(stack.resolve(ingest.ingestConfigurationArn)).toEqual({ Ref: logicalId });
    expect(stack.resolve(ingest.ingestConfigurationParticipantId)).toEqual({ 'Fn::GetAtt': [logicalId, 'ParticipantId'] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('renders every field of the API request', () => {
    const stack = newStack();
    const stage = Stage.fromStageArn(stack, 'Stage', STAGE_ARN);
    new IngestConfiguration(stack, 'Ingest', {
      stage,
      ingestConfigurationName: 'studio_encoder-1',
      ingestProtocol: IngestProtocol.RTMP,
      insecureIngest: true,
      userId: 'studio',
      attributes: { role: 'host', room: 'a' },
      redundantIngest: true,
    });

    expect(requestOf(stack, TYPE)).toEqual({
      name: 'studio_encoder-1',
      stageArn: STAGE_ARN,
      userId: 'studio',
      attributes: { role: 'host', room: 'a' },
      ingestProtocol: 'RTMP',
      insecureIngest: true,
      redundantIngest: true,
    });
  });

  test('RTMP acknowledged with insecureIngest synthesizes without a warning: the acknowledgement is the safeguard', () => {
    const stack = newStack();
    new IngestConfiguration(stack, 'Ingest', {
      stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN),
      ingestProtocol: IngestProtocol.RTMP,
      insecureIngest: true,
    });

    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('Stage.addIngestConfiguration defines one on the stage, also on an imported stage', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const owned = stage.addIngestConfiguration('Ingest', { userId: 'a' });
    const imported = Stage.fromStageArn(stack, 'Imported', STAGE_ARN).addIngestConfiguration('Ingest');

    expect(owned.node.path).toBe('TestStack/Stage/Ingest');
    expect(imported.node.path).toBe('TestStack/Imported/Ingest');
    const configs = Object.values(Template.fromStack(stack).findResources(TYPE)).map((r) => parseRenderedJson(r.Properties.Request));
    expect(configs).toEqual(expect.arrayContaining([
      expect.objectContaining({ stageArn: `<Ref:${logicalIdOf(stack, stage)}>`, userId: 'a' }),
      expect.objectContaining({ stageArn: STAGE_ARN }),
    ]));
  });

  test('tags from props and Tags.of() are rendered together', () => {
    const stack = newStack();
    new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), tags: { team: 'video' } });
    Tags.of(stack).add('env', 'prod');

    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: { team: 'video', env: 'prod' } });
  });

  test('removal policy applies to the ingest configuration and its secret copy, DESTROY by default', () => {
    const stack = newStack();
    new IngestConfiguration(stack, 'Destroyed', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...withSecret });
    new IngestConfiguration(stack, 'Retained', {
      stage: Stage.fromStageArn(stack, 'Stage2', STAGE_ARN), removalPolicy: RemovalPolicy.RETAIN, ...withSecret,
    });
    const template = Template.fromStack(stack);

    // CloudFormation deletes a resource without a DeletionPolicy: the custom resource renders none by default.
    const policiesOf = (type: string) => Object.values(template.findResources(type)).map((r) => r.DeletionPolicy ?? 'Delete').sort();
    expect(policiesOf(TYPE)).toEqual(['Delete', 'Retain']);
    expect(policiesOf('AWS::SecretsManager::Secret')).toEqual(['Delete', 'Retain']);
  });

  test('forceDelete defaults to true, rendered only when false, outside the API request', () => {
    const stack = newStack();
    new IngestConfiguration(stack, 'Forced', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN) });
    new IngestConfiguration(stack, 'Careful', { stage: Stage.fromStageArn(stack, 'Stage2', STAGE_ARN), forceDelete: false });

    const forceDelete = Object.values(Template.fromStack(stack).findResources(TYPE)).map((r) => r.Properties.ForceDelete);
    expect(forceDelete).toEqual(expect.arrayContaining([false, undefined]));
  });

  test('tokens skip validation', () => {
    const stack = newStack();
    const text = new CfnParameter(stack, 'Text').valueAsString;
    expect(() => new IngestConfiguration(stack, 'Ingest', {
      stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN),
      ingestConfigurationName: text,
      userId: text,
      attributes: { key: text },
    })).not.toThrow();
  });

  describe('stream key', () => {
    test('by default IVS alone holds it: no secret, no Secrets Manager permission, no secret ARN for the handler', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN) });

      expect(ingest.hasStreamKeySecret).toBe(false);
      // issue 21: reading it gave undefined, and code that expected a secret failed reading a property of undefined.
      expect(() => ingest.streamKeySecret).toThrow(new RegExp("^IngestConfiguration 'TestStack/Ingest' has no `streamKeySecret`: it keeps "
        + 'its stream key in IVS only .*Set `streamKeyStorage: StreamKeyStorage.secretsManager\\(\\)`'));
      Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(secretStatementsOf(stack)).toEqual([]);
      expect(resourceOf(stack).properties).not.toHaveProperty('StreamKeySecretArn');
    });

    test('grantReadStreamKey allows reading this ingest configuration from IVS, and nothing else', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN) });
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

      expect(ingest.grantReadStreamKey(role).success).toBe(true);

      expect(statementsOf(stack, role)).toEqual([{
        Action: 'ivs:GetIngestConfiguration', Effect: 'Allow', Resource: { Ref: resourceOf(stack).logicalId },
      }]);
    });

    test('grantReadStreamKey works on an imported ingest configuration too', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

      IngestConfiguration.fromIngestConfigurationArn(stack, 'Imported', INGEST_ARN).grantReadStreamKey(role);

      expect(statementsOf(stack, role)).toEqual([{ Action: 'ivs:GetIngestConfiguration', Effect: 'Allow', Resource: INGEST_ARN }]);
    });

    test.each([
      ['IVS only', {}],
      ['with a copy in Secrets Manager', withSecret],
    ])('%s: no stream key, and no attribute that could hold one, is in the template', (_, storage) => {
      const stack = newStack();
      const ingest = new Stage(stack, 'Stage').addIngestConfiguration('Ingest', { redundantIngest: true, ...storage });
      new CfnOutput(stack, 'Arn', { value: ingest.ingestConfigurationArn });
      new CfnOutput(stack, 'ParticipantId', { value: ingest.ingestConfigurationParticipantId });
      const json = JSON.stringify(Template.fromStack(stack).toJSON());

      expect(json).not.toMatch(/rt_[0-9]+_/);
      expect(json).not.toMatch(/streamKey/);
      // the ARN is the Ref; the participant ID is the only attribute the construct reads.
      const ingestId = resourceOf(stack).logicalId;
      const attributes = [...json.matchAll(/"Fn::GetAtt":\["([^"]+)","([^"]+)"\]/g)].filter((m) => m[1] === ingestId).map((m) => m[2]);
      expect(attributes).toEqual(['ParticipantId']);
    });
  });

  describe('with a copy of the stream key in Secrets Manager', () => {
    test('defines a secret holding a placeholder, whose ARN the handler gets beside the API request', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...withSecret });
      const template = Template.fromStack(stack);

      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: 'Stream key of the IVS Real-Time ingest configuration TestStack/Ingest',
        SecretString: '{}',
        GenerateSecretString: Match.absent(),
      });
      const secretId = logicalIdOf(stack, ingest.streamKeySecret);
      // the construct path of the secret of earlier releases, so that opting in keeps an existing secret.
      expect(secretId).toMatch(/^IngestStreamKey[0-9A-F]{8}$/);
      expect(resourceOf(stack).properties.StreamKeySecretArn).toEqual({ Ref: secretId });
    });

    test('the provider may read and put values of this secret only, and the ingest configuration waits for that permission', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...withSecret });
      const secretId = logicalIdOf(stack, ingest.streamKeySecret);

      const secretStatements = secretStatementsOf(stack);
      expect(secretStatements).toHaveLength(1);
      expect(secretStatements[0].statement).toEqual({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Effect: 'Allow', Resource: { Ref: secretId },
      });
      expect(resourceOf(stack).resource.DependsOn).toContain(secretStatements[0].id);
    });

    test('each ingest configuration that asks for one gets its own secret and its own scoped statement', () => {
      const stack = newStack();
      const stage = Stage.fromStageArn(stack, 'Stage', STAGE_ARN);
      const a = stage.addIngestConfiguration('A', withSecret);
      const b = stage.addIngestConfiguration('B', withSecret);
      stage.addIngestConfiguration('C');

      Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 2);
      expect(secretStatementsOf(stack).map(({ statement }) => statement.Resource)).toEqual(expect.arrayContaining([
        { Ref: logicalIdOf(stack, a.streamKeySecret) }, { Ref: logicalIdOf(stack, b.streamKeySecret) },
      ]));
    });

    test('grantReadStreamKey allows reading the ingest configuration from IVS and this secret, and nothing else', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...withSecret });
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

      ingest.grantReadStreamKey(role);

      expect(statementsOf(stack, role)).toEqual([
        { Action: 'ivs:GetIngestConfiguration', Effect: 'Allow', Resource: { Ref: resourceOf(stack).logicalId } },
        {
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Effect: 'Allow',
          Resource: { Ref: logicalIdOf(stack, ingest.streamKeySecret) },
        },
      ]);
    });

    test('cdk-nag finds nothing to report on the secret: its rotation finding is acknowledged, with the reason', () => {
      const stack = newStack();
      const ingest = new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...withSecret });

      const report = new AwsSolutionsChecks().validateScope(stack);

      const onSecret = report.violations.filter((violation) =>
        violation.violatingResources.some((resource) => resource.constructPath?.startsWith(ingest.streamKeySecret.node.path)));
      expect(onSecret).toEqual([]);
    });
  });

  describe('validation', () => {
    function ingestWith(props: any) {
      const stack = newStack();
      return () => new IngestConfiguration(stack, 'Ingest', { stage: Stage.fromStageArn(stack, 'Stage', STAGE_ARN), ...props });
    }

    test('fails if RTMP is not explicitly allowed with insecureIngest, naming the construct and the fix', () => {
      expect(ingestWith({ ingestProtocol: IngestProtocol.RTMP })).toThrow(
        "IngestConfiguration 'TestStack/Ingest' has invalid props:\n"
        + '- `insecureIngest` must be true when `ingestProtocol` is RTMP, which sends the stream and its stream key unencrypted '
        + '(or use IngestProtocol.RTMPS), got undefined');
      expect(ingestWith({ ingestProtocol: IngestProtocol.RTMP, insecureIngest: false })).toThrow(/got false$/);
    });

    test('fails if insecureIngest is set with RTMPS', () => {
      expect(ingestWith({ insecureIngest: true }))
        .toThrow(/`insecureIngest` must be false or unset unless `ingestProtocol` is RTMP, got true/);
    });

    test('fails if the protocol is not one the API knows', () => {
      expect(ingestWith({ ingestProtocol: 'SRT' })).toThrow(/`ingestProtocol` must be one of RTMPS, RTMP, got "SRT"/);
    });

    test('fails if the name has characters the API rejects or is longer than 128 characters', () => {
      expect(ingestWith({ ingestConfigurationName: 'my encoder' }))
        .toThrow(/`ingestConfigurationName` must contain only letters, digits, hyphens and underscores, got "my encoder"/);
      expect(ingestWith({ ingestConfigurationName: 'a'.repeat(129) }))
        .toThrow(/`ingestConfigurationName` must be 0-128 characters long, got 129 characters/);
    });

    test('fails if the user ID is longer than 128 characters', () => {
      expect(ingestWith({ userId: 'u'.repeat(129) })).toThrow(/`userId` must be 0-128 characters long, got 129 characters/);
      expect(ingestWith({ userId: 'u'.repeat(128) })).not.toThrow();
    });

    test('fails if the attributes total more than 1 KB, counting UTF-8 bytes of keys and values', () => {
      // 4 + 1020 bytes: exactly 1 KB.
      expect(ingestWith({ attributes: { role: 'x'.repeat(1020) } })).not.toThrow();
      expect(ingestWith({ attributes: { role: 'x'.repeat(1021) } }))
        .toThrow(/`attributes` must total at most 1024 bytes \(UTF-8 keys and values\), got 1025 bytes/);
      // "é" is 2 bytes in UTF-8: 4 + 2 × 511 = 1026 bytes in 515 characters.
      expect(ingestWith({ attributes: { role: 'é'.repeat(511) } })).toThrow(/got 1026 bytes/);
    });

    test('fails if tags break the API rules', () => {
      expect(ingestWith({ tags: { 'aws:owner': 'x' } })).toThrow(/`tags` keys must not start with "aws:"/);
    });

    test('collects every error of a construct into one message', () => {
      expect(ingestWith({ ingestConfigurationName: 'bad name', ingestProtocol: IngestProtocol.RTMP, userId: 'u'.repeat(200) }))
        .toThrow(/invalid props:\n- `ingestConfigurationName`[^\n]*\n- `insecureIngest`[^\n]*\n- `userId`/);
    });
  });

  describe('imports', () => {
    test('fromIngestConfigurationArn keeps the ARN and takes the account and region from it', () => {
      const stack = newStack();
      const ingest = IngestConfiguration.fromIngestConfigurationArn(stack, 'Imported', INGEST_ARN);
      expect(ingest.ingestConfigurationArn).toBe(INGEST_ARN);
      expect(ingest.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    });

    test('fails if the ARN is not an ingest configuration ARN', () => {
      const stack = newStack();
      expect(() => IngestConfiguration.fromIngestConfigurationArn(stack, 'Imported', STAGE_ARN))
        .toThrow("IngestConfiguration.fromIngestConfigurationAttributes at 'TestStack/Imported': the ARN must look like "
          + `arn:aws:ivs:<region>:<account>:ingest-configuration/<id>, got "${STAGE_ARN}"`);
    });
  });
});

// issue 21: from JavaScript, the factory not called failed with `_defineSecret is not a function`.
describe('streamKeyStorage given what is not a StreamKeyStorage (JavaScript, loose jsii types)', () => {
  test.each([
    ['the factory, not called', StreamKeyStorage.secretsManager, 'the function secretsManager (not called)'],
    ['a string', 'secretsManager', '"secretsManager"'],
  ])('%s fails, naming the construct, the prop and the rule', (_what, streamKeyStorage, got) => {
    const stage = new Stage(newStack(), 'Stage');

    expect(() => stage.addIngestConfiguration('Encoder', { streamKeyStorage: streamKeyStorage as any })).toThrow('IngestConfiguration '
      + "'TestStack/Stage/Encoder' has invalid props:\n- `streamKeyStorage` must be a StreamKeyStorage, `StreamKeyStorage.ivsOnly()` or "
      + `\`StreamKeyStorage.secretsManager()\`, got ${got}`);
  });
});
