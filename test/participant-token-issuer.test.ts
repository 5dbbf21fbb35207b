import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  ParticipantTokenCapability, ParticipantTokenIssuer, ParticipantTokenIssuerProps, ParticipantTokenSigningKey, Stage, StagePool,
} from '../lib';
import { HANDLER_BUNDLE_DIR } from '../lib/private/bundled-function';
import { TOKEN_ISSUER_CONFIG_ENV } from '../lib/private/participant-token-contract';
import { newStack, parseRenderedJson } from './util';

function issuerStack(props: Partial<ParticipantTokenIssuerProps> = {}, stack = newStack()) {
  const stage = new Stage(stack, 'Stage');
  const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey');
  const issuer = new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stages: [stage], ...props });
  return { stack, stage, signingKey, issuer };
}

const issuerFunction = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
  .find((fn) => fn.Properties.Description?.includes('ParticipantTokenIssuer'))!;
const configOf = (stack: Stack) => parseRenderedJson(issuerFunction(stack).Properties.Environment.Variables[TOKEN_ISSUER_CONFIG_ENV]);
const statementsOf = (stack: Stack, roleLogicalId: string) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
  Properties: { Roles: [{ Ref: roleLogicalId }] },
})).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);

describe('ParticipantTokenIssuer', () => {
  test('a bundled Node.js function configured with its stages, bounds, KMS key and IVS public key, as JSON', () => {
    const { stack, stage, signingKey } = issuerStack();
    const fn = issuerFunction(stack);

    expect(fn.Properties).toMatchObject({
      Runtime: expect.stringMatching(/^nodejs(2[2-9]|[3-9]\d)\.x$/),
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 10,
    });
    const bundle = new s3assets.Asset(newStack(), 'Bundle', { path: path.join(HANDLER_BUNDLE_DIR, 'participant-token-issuer') });
    expect(fn.Properties.Code.S3Key).toBe(`${bundle.assetHash}.zip`);
    expect(configOf(stack)).toEqual({
      stageArns: [`<Ref:${stack.resolve(stage.stageArn).Ref}>`],
      capabilities: ['PUBLISH', 'SUBSCRIBE'],
      maxDurationMinutes: 720,
      kmsKeyArn: `<GetAtt:${stack.resolve(signingKey.kmsKey.keyArn)['Fn::GetAtt'].join('.')}>`,
      publicKeyArn: `<Ref:${stack.resolve(signingKey.publicKeyArn).Ref}>`,
    });
  });

  test('the props bound what the function grants', () => {
    const { stack } = issuerStack({ capabilities: [ParticipantTokenCapability.SUBSCRIBE], maxDuration: Duration.hours(2) });

    expect(configOf(stack)).toMatchObject({ capabilities: ['SUBSCRIBE'], maxDurationMinutes: 120 });
  });

  test("the function's role: kms:Sign on the signing key with ECDSA_SHA_384, GetStage on its stages, its own logs; nothing else", () => {
    const { stack, stage, signingKey } = issuerStack();
    const roleId = issuerFunction(stack).Properties.Role['Fn::GetAtt'][0];

    const statements = statementsOf(stack, roleId);

    expect(statements).toEqual(expect.arrayContaining([
      {
        Action: 'kms:Sign',
        Effect: 'Allow',
        Resource: stack.resolve(signingKey.kmsKey.keyArn),
        Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_384' } },
      },
      { Action: 'ivs:GetStage', Effect: 'Allow', Resource: stack.resolve(stage.stageArn) },
    ]));
    const others = statements.filter((s: any) => ![].concat(s.Action).every((a: string) => a.startsWith('logs:')));
    expect(others).toHaveLength(2);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|ivs:\*|kms:\*/);
  });

  test('grantInvoke: lambda:InvokeFunction on the function only, no version or alias wildcard', () => {
    const { stack, issuer } = issuerStack();
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    issuer.grantInvoke(backend);

    const fnArn = stack.resolve(issuer.handler.functionArn);
    expect(statementsOf(stack, stack.resolve((backend.node.defaultChild as iam.CfnRole).logicalId))).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fnArn },
    ]);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Url', 0);
  });

  test('functionUrl: a URL with IAM authorization, and grantInvoke grants calling it', () => {
    const { stack, issuer } = issuerStack({ functionUrl: true });
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    issuer.grantInvoke(backend);

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    expect(issuer.functionUrl).toBeDefined();
    const actions = statementsOf(stack, stack.resolve((backend.node.defaultChild as iam.CfnRole).logicalId)).map((s: any) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']));
  });

  test('after a rotation the function signs with the new generation, and may still sign with the previous one', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey', { generation: 2 });
    new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stages: [stage] });

    expect(configOf(stack).kmsKeyArn).toContain('Generation2');
    const roleId = issuerFunction(stack).Properties.Role['Fn::GetAtt'][0];
    const sign = statementsOf(stack, roleId).find((s: any) => s.Action === 'kms:Sign');
    expect(sign.Resource.map((r: any) => r['Fn::GetAtt'][0])).toEqual([expect.stringContaining('Generation1'), expect.stringContaining('Generation2')]);
  });

  test('the template holds no token and no key material', () => {
    const { stack } = issuerStack();

    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/eyJ|BEGIN|PRIVATE KEY|publicKeyMaterial/);
  });

  test('invalid props fail synth with every error at once', () => {
    const stack = newStack();
    const stage = new Stage(stack, 'Stage');
    const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey');

    expect(() => new ParticipantTokenIssuer(stack, 'Tokens', {
      signingKey,
      stages: [stage, stage],
      capabilities: [ParticipantTokenCapability.PUBLISH, ParticipantTokenCapability.PUBLISH],
      maxDuration: Duration.days(15),
    })).toThrow([
      "ParticipantTokenIssuer 'TestStack/Tokens' has invalid props:",
      '- `stages` must not repeat a stage, got TestStack/Stage more than once',
      '- `capabilities` must list PUBLISH, SUBSCRIBE or both, each once, got [PUBLISH, PUBLISH]',
      '- `maxDuration` must be a whole number of minutes from 1 to 20160 (14 days), got 21600 minutes',
    ].join('\n'));
    expect(() => new ParticipantTokenIssuer(stack, 'None', { signingKey, stages: [], capabilities: [] }))
      .toThrow(/`stages` must have 1-25 item\(s\), got 0\n- `capabilities` must list PUBLISH, SUBSCRIBE or both, each once, got \[\]/);
    const many = Array.from({ length: 26 }, (_, i) => Stage.fromStageArn(stack, `S${i}`, `arn:aws:ivs:us-east-1:123456789012:stage/s${i}`));
    expect(() => new ParticipantTokenIssuer(stack, 'Many', { signingKey, stages: many })).toThrow('`stages` must have 1-25 item(s), got 26');
    expect(() => new ParticipantTokenIssuer(stack, 'Fraction', { signingKey, stages: [stage], maxDuration: Duration.seconds(90) }))
      .toThrow('got 1.5 minutes');
  });

  test('a stage of another region than the signing key is refused: IVS verifies a token with its stage\'s public keys', () => {
    const stack = new Stack(new App(), 'Pinned', { env: { account: '123456789012', region: 'us-east-1' } });
    const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey');
    const remote = Stage.fromStageArn(stack, 'Remote', 'arn:aws:ivs:eu-west-1:123456789012:stage/abcdABCDefgh');

    expect(() => new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stages: [remote] }))
      .toThrow("`stages[0]` must be in the signing key's region us-east-1 (IVS verifies a token with its stage's public keys), got eu-west-1");
  });

  test('of a stage pool: GetStage only on the stages that carry the pool\'s tag, and the pool\'s tag in its configuration', () => {
    const stack = newStack();
    const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey');
    const pool = new StagePool(stack, 'Pool');
    new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stagePool: pool });

    expect(configOf(stack)).toMatchObject({ stageArns: [], stageTag: { key: StagePool.POOL_TAG, value: pool.poolId } });
    const statements = statementsOf(stack, issuerFunction(stack).Properties.Role['Fn::GetAtt'][0]);
    expect(statements.filter((statement: any) => statement.Action === 'ivs:GetStage')).toEqual([expect.objectContaining({
      Condition: { StringEquals: { [`aws:ResourceTag/${StagePool.POOL_TAG}`]: pool.poolId } },
    })]);
    expect(() => new ParticipantTokenIssuer(stack, 'Neither', { signingKey }))
      .toThrow('give `stages` (1-25 stages), `stagePool` or both, got neither');
  });
});
