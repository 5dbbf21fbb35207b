import { CfnElement, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import * as thisCopy from '../lib';
import { ParticipantTokenSigningKey, ParticipantTokenSigningKeyProps, PublicKey } from '../lib';
import { newStack, parseRenderedJson } from './util';

const TYPE = 'Custom::IvsRealTimeKmsPublicKey';
const PUBLIC_KEY_ARN = 'arn:aws:ivs:us-east-1:123456789012:public-key/abcdABCDefgh';
const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh';

function signingKeyStack(props?: ParticipantTokenSigningKeyProps): { stack: Stack; key: ParticipantTokenSigningKey; template: Template } {
  const stack = newStack();
  const key = new ParticipantTokenSigningKey(stack, 'TokenSigningKey', props);
  // synthesized on first use, so that a test can still add to the stack.
  return { stack, key, get template() { return Template.fromStack(stack); } };
}

/** Logical IDs of each generation's KMS key and public key, by construct ID (`Generation<n>`). */
function generationsOf(stack: Stack): Record<string, { key?: string; publicKey: string }> {
  const signingKey = stack.node.findChild('TokenSigningKey');
  const logicalId = (id: string, scope: IConstruct) => {
    const child = scope.node.tryFindChild(id);
    const element = child && (CfnElement.isCfnElement(child) ? child : child.node.defaultChild) as CfnElement | undefined;
    return element && stack.resolve(element.logicalId);
  };
  return Object.fromEntries(signingKey.node.children.filter((child) => child.node.id.startsWith('Generation'))
    .map((generation) => [generation.node.id, { key: logicalId('Key', generation), publicKey: logicalId('Resource', generation) }]));
}

function signStatements(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: any) => [].concat(statement.Action).includes('kms:Sign' as never));
}

describe('ParticipantTokenSigningKey', () => {
  test('defines a P-384 KMS key for signing and imports its public half by ARN: no key material in the template', () => {
    const { stack, key, template } = signingKeyStack();
    const [[keyId, kmsKey]] = Object.entries(template.findResources('AWS::KMS::Key'));
    const [[publicKeyId, publicKey]] = Object.entries(template.findResources(TYPE));

    expect(kmsKey).toMatchObject({
      Properties: { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Delete',
    });
    expect(kmsKey.Properties.EnableKeyRotation).toBeUndefined();
    expect(parseRenderedJson(publicKey.Properties.Request)).toEqual({ kmsKeyArn: `<GetAtt:${keyId}.Arn>` });
    expect(publicKey.Properties.ServiceTimeout).toBeDefined();
    expect(stack.resolve(key.publicKeyArn)).toEqual({ Ref: publicKeyId });
    expect(stack.resolve(key.publicKeyFingerprint)).toEqual({ 'Fn::GetAtt': [publicKeyId, 'Fingerprint'] });
    expect(stack.resolve(key.kmsKey.keyArn)).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.generation).toBe(1);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/BEGIN|PRIVATE|publicKeyMaterial/);
  });

  test('the provider may read that key\'s public half, and nothing else of KMS', () => {
    const { template } = signingKeyStack();
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const kmsStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: any) => JSON.stringify(statement.Action).includes('kms:'));

    expect(kmsStatements).toEqual([{ Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }]);
  });

  test('grantSign gives kms:Sign on the key only, with the ECDSA_SHA_384 algorithm only', () => {
    const { stack, key } = signingKeyStack();
    const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    key.grantSign(role);

    expect(signStatements(stack)).toEqual([{
      Action: 'kms:Sign',
      Effect: 'Allow',
      Resource: stack.resolve(key.kmsKey.keyArn),
      Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_384' } },
    }]);
  });

  test('grantRead gives ivs:GetPublicKey on the current public key only, as for a PublicKey', () => {
    const { stack, key } = signingKeyStack({ generation: 2 });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    key.grantRead(role);

    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId) }] },
    })).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: 'ivs:GetPublicKey', Effect: 'Allow', Resource: { Ref: generationsOf(stack).Generation2.publicKey } }]);
  });

  describe('rotation', () => {
    test('raising the generation adds a key pair beside the previous one, whose logical IDs do not change; new tokens use the new one', () => {
      const first = signingKeyStack();
      const second = signingKeyStack({ generation: 2 });

      const generations = generationsOf(second.stack);
      expect(Object.keys(generations).sort()).toEqual(['Generation1', 'Generation2']);
      expect(generations.Generation1).toEqual(generationsOf(first.stack).Generation1);
      expect(second.stack.resolve(second.key.publicKeyArn)).toEqual({ Ref: generations.Generation2.publicKey });
      expect(second.stack.resolve(second.key.kmsKey.keyArn)).toEqual({ 'Fn::GetAtt': [generations.Generation2.key, 'Arn'] });
      expect(second.key.generation).toBe(2);
    });

    test('grantSign covers every generation still accepted, so that a function not yet updated keeps signing', () => {
      const { stack, key } = signingKeyStack({ generation: 2 });
      const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

      key.grantSign(role);

      const generations = generationsOf(stack);
      expect(signStatements(stack)).toEqual([expect.objectContaining({
        Resource: [{ 'Fn::GetAtt': [generations.Generation1.key, 'Arn'] }, { 'Fn::GetAtt': [generations.Generation2.key, 'Arn'] }],
      })]);
    });

    test('oldestGeneration retires the generations before it; the one before the current stays unless cutting off is allowed', () => {
      expect(Object.keys(generationsOf(signingKeyStack({ generation: 3, oldestGeneration: 2 }).stack)).sort()).toEqual(['Generation2', 'Generation3']);
      expect(Object.keys(generationsOf(signingKeyStack({ generation: 3, oldestGeneration: 1 }).stack)).sort())
        .toEqual(['Generation1', 'Generation2', 'Generation3']);
      expect(Object.keys(generationsOf(signingKeyStack({ generation: 2, oldestGeneration: 2, allowCuttingOffTokens: true }).stack)))
        .toEqual(['Generation2']);
    });

    // issue 22: a rotation must not delete a public key whose tokens can still be unexpired.
    test('a rotation retires nothing by itself: generation 2 keeps generation 1, and from generation 3 on the oldest must be chosen', () => {
      // 1 → 2: generation 1 was current until this deployment, and stays.
      expect(Object.keys(generationsOf(signingKeyStack({ generation: 2 }).stack)).sort()).toEqual(['Generation1', 'Generation2']);
      // 2 → 3 (or a jump, 3 → 5) with the default: earlier releases retired generation 1 (or the current 3) in the same
      // deployment, unexpired tokens or not. Now synth fails, saying what to choose and how long to wait.
      for (const generation of [3, 5]) {
        expect(() => signingKeyStack({ generation })).toThrow(
          `- \`oldestGeneration\` must be set from generation 3 on, got generation ${generation} without it: set it to ${generation - 1} `
          + 'to keep the previous generation and retire the older ones (earlier releases did so by default), but only if the longest '
          + `token lifetime (the issuers' \`maxDuration\`, 12 hours by default) has passed since generation ${generation - 1} was deployed; `
          + `else to ${generation - 2} or lower, and raise it in a later deployment`);
      }
    });

    test('retiring the generation before the current one (a rotation that cuts its tokens short) fails synth unless allowed', () => {
      // 1 → 2 retiring 1 at once, or 3 → 5 retiring 3 and 4: the generation just before the current must stay.
      expect(() => signingKeyStack({ generation: 2, oldestGeneration: 2 })).toThrow([
        "ParticipantTokenSigningKey 'TestStack/TokenSigningKey' has invalid props:",
        '- `oldestGeneration` must be below `generation` (2), got 2: it retires generation 1, whose unexpired tokens IVS would then '
          + 'refuse. Keep it (retire it with the next rotation, once the longest token lifetime has passed since this generation was '
          + 'deployed), or set `allowCuttingOffTokens: true` to cut its tokens off',
      ].join('\n'));
      expect(() => signingKeyStack({ generation: 5, oldestGeneration: 5 })).toThrow('got 5: it retires generation 4');
      expect(() => signingKeyStack({ generation: 5, oldestGeneration: 5, allowCuttingOffTokens: true })).not.toThrow();
      expect(() => signingKeyStack({ oldestGeneration: 1 })).not.toThrow();
    });
  });

  test('pendingWindow and RETAIN apply to the KMS keys; the public keys are deleted whatever the policy', () => {
    const { template } = signingKeyStack({ pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.RETAIN });

    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ PendingWindowInDays: 7 }), DeletionPolicy: 'Retain' });
    // CloudFormation's default, Delete, rendered as no policy at all.
    expect(Object.values(template.findResources(TYPE)).map((resource) => resource.DeletionPolicy)).toEqual([undefined]);
  });

  test('tags from props and Tags.of() reach the public keys and the KMS keys', () => {
    const stack = newStack();
    new ParticipantTokenSigningKey(stack, 'TokenSigningKey', { generation: 2, tags: { team: 'video' } });
    Tags.of(stack).add('env', 'prod');
    const template = Template.fromStack(stack);

    expect(Object.values(template.findResources(TYPE)).map((r) => r.Properties.Tags)).toEqual([{ team: 'video', env: 'prod' }, { team: 'video', env: 'prod' }]);
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'video' }, { Key: 'env', Value: 'prod' }]));
    }
  });

  test('a KMS key of your own: its public half is imported, no key is defined, and the provider may read that key only', () => {
    const stack = newStack();
    const own = kms.Key.fromKeyArn(stack, 'Own', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');

    const key = new ParticipantTokenSigningKey(stack, 'TokenSigningKey', { kmsKey: own });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(parseRenderedJson(Object.values(template.findResources(TYPE))[0].Properties.Request)).toEqual({ kmsKeyArn: own.keyArn });
    expect(key.kmsKey).toBe(own);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: own.keyArn },
        ]),
      },
    });
  });

  test('invalid props fail synth with every error at once, naming the construct', () => {
    const attempt = (props: ParticipantTokenSigningKeyProps) => () => signingKeyStack(props);

    expect(attempt({ generation: 0, pendingWindow: Duration.days(5) })).toThrow([
      "ParticipantTokenSigningKey 'TestStack/TokenSigningKey' has invalid props:",
      '- `generation` must be a whole number of at least 1, got 0',
      '- `pendingWindow` must be a whole number of days from 7 to 30, got 5 days',
    ].join('\n'));
    expect(attempt({ generation: 1.5 })).toThrow('`generation` must be a whole number of at least 1, got 1.5');
    expect(attempt({ generation: 2, oldestGeneration: 3 })).toThrow('`oldestGeneration` must be a whole number from 1 to 2, got 3');
    expect(attempt({ pendingWindow: Duration.hours(200) })).toThrow('`pendingWindow` must be a whole number of days from 7 to 30, got 8.333333333333334 days');
  });

  test('with a KMS key of your own, the props of defined keys are refused, and a key of this app must be P-384 for signing', () => {
    const stack = newStack();
    const encryption = new kms.Key(stack, 'Encryption');
    const p256 = new kms.Key(stack, 'P256', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    const p384 = new kms.Key(stack, 'P384', { keySpec: kms.KeySpec.ECC_NIST_P384, keyUsage: kms.KeyUsage.SIGN_VERIFY });

    expect(() => new ParticipantTokenSigningKey(stack, 'Cut', { kmsKey: p384, allowCuttingOffTokens: true }))
      .toThrow('`allowCuttingOffTokens` applies only to KMS keys this construct defines');
    expect(() => new ParticipantTokenSigningKey(stack, 'Rotated', { kmsKey: p384, generation: 2, removalPolicy: RemovalPolicy.RETAIN }))
      .toThrow(/- `generation` applies only to KMS keys this construct defines, not to `kmsKey` \(to rotate an own key, define another ParticipantTokenSigningKey with the new key\), got both\n- `removalPolicy` applies only/);
    expect(() => new ParticipantTokenSigningKey(stack, 'Encrypting', { kmsKey: encryption }))
      .toThrow('`kmsKey` must have key spec ECC_NIST_P384 and usage SIGN_VERIFY (IVS verifies participant tokens signed with ES384), '
        + 'got SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT (TestStack/Encryption)');
    expect(() => new ParticipantTokenSigningKey(stack, 'Small', { kmsKey: p256 })).toThrow('got ECC_NIST_P256 for SIGN_VERIFY (TestStack/P256)');
    expect(() => new ParticipantTokenSigningKey(stack, 'Right', { kmsKey: p384 })).not.toThrow();
  });

  test('fromParticipantTokenSigningKeyAttributes: grantSign on the given key; a malformed ARN is refused', () => {
    const stack = newStack();
    const own = kms.Key.fromKeyArn(stack, 'Own', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const imported = ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes(stack, 'Imported', { publicKeyArn: PUBLIC_KEY_ARN, kmsKey: own });
    const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    imported.grantSign(role);

    expect(imported.publicKeyArn).toBe(PUBLIC_KEY_ARN);
    expect(signStatements(stack)).toEqual([expect.objectContaining({ Resource: own.keyArn })]);
    expect(() => ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes(stack, 'Bad', { publicKeyArn: 'arn:aws:ivs:us-east-1:123456789012:stage/x', kmsKey: own }))
      .toThrow(/ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes at 'TestStack\/Bad': the ARN must look like arn:aws:ivs:<region>:<account>:public-key\/<id>/);
  });

  test('isParticipantTokenSigningKey: its own instances, also from another loaded copy of the library; not imported ones or public keys', () => {
    let otherCopy!: typeof thisCopy;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of the library needs a load inside isolateModules
      otherCopy = require('../lib');
    });
    const stack = newStack();
    const own = new ParticipantTokenSigningKey(stack, 'Own');
    const other = new otherCopy.ParticipantTokenSigningKey(stack, 'Other');
    const imported = ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes(stack, 'Imported', {
      publicKeyArn: PUBLIC_KEY_ARN, kmsKey: own.kmsKey,
    });

    expect(other instanceof ParticipantTokenSigningKey).toBe(false);
    expect([own, other, imported, PublicKey.fromPublicKeyArn(stack, 'Key', PUBLIC_KEY_ARN), undefined]
      .map((x) => ParticipantTokenSigningKey.isParticipantTokenSigningKey(x))).toEqual([true, true, false, false, false]);
  });

  // issue 22: "offer the tighter key policy as an option": any principal the account allows kms:Sign can mint tokens.
  describe('restrictSigningTo', () => {
    const denyStatements = (template: Template) => Object.values(template.findResources('AWS::KMS::Key'))
      .map((key: any) => key.Properties.KeyPolicy.Statement.filter((statement: any) => statement.Effect === 'Deny'));

    test('every kept generation\'s key policy denies kms:Sign to all but the signers\' roles, one statement however often it is called', () => {
      const { stack, key } = signingKeyStack({ generation: 2 });
      const issuer = new thisCopy.ParticipantTokenIssuer(stack, 'Issuer', { signingKey: key, stages: [thisCopy.Stage.fromStageArn(stack, 'S', STAGE_ARN)] });
      const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });

      key.restrictSigningTo(issuer.handler);
      key.restrictSigningTo(operator);

      const roleArn = (construct: IConstruct) => ({ 'Fn::GetAtt': [stack.resolve((construct.node.defaultChild as CfnElement).logicalId), 'Arn'] });
      const template = Template.fromStack(stack);
      expect(denyStatements(template)).toEqual([0, 1].map(() => [{
        Sid: 'OnlyTheTokenIssuersSign',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn(issuer.handler.role!), roleArn(operator)] } },
      }]));
      // the signers keep their own grant: the deny names everyone else.
      expect(signStatements(stack)).toHaveLength(1);
    });

    test('without it, the key policies deny nothing: the account\'s IAM policies decide (the default)', () => {
      expect(denyStatements(signingKeyStack().template)).toEqual([[]]);
    });

    test('refused for an own kmsKey, whose policy is not the app\'s, and for a grantee that is not a role', () => {
      const own = signingKeyStack({ kmsKey: kms.Key.fromKeyArn(newStack(), 'K', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') });
      expect(() => own.key.restrictSigningTo(new iam.Role(own.stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })))
        .toThrow(/^ParticipantTokenSigningKey 'TestStack\/TokenSigningKey': `restrictSigningTo` applies to the KMS keys the construct defines/);
      const { key } = signingKeyStack();
      expect(() => key.restrictSigningTo(new iam.AccountRootPrincipal()))
        .toThrow(/`restrictSigningTo` takes grantees whose principal is an IAM role \(a function, a role\), got /);
    });
  });
});
