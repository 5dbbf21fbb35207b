/**
 * Quotas: synth warns, and never fails, when an app defines more resources of a limited type for one account and region
 * than IVS allows by default (IVS Real-Time User Guide, "Service Quotas": 20 encoder configurations per account,
 * adjustable; all quotas per region). Stacks count together per account and region, environment-agnostic ones together.
 */
import { Annotations as CoreAnnotations, App, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { CompositionDestination, EncoderConfiguration, Stage, StageComposition } from '../../lib';

const WARNING = Match.stringLikeRegexp('IVS allows 20 per account and region by default \\(quota "EncoderConfigurations", adjustable\\)');
const US = { account: '123456789012', region: 'us-east-1' };

function withEncoders(app: App, id: string, count: number, props: StackProps = {}): Stack {
  const stack = new Stack(app, id, props);
  for (let i = 0; i < count; i++) {
    new EncoderConfiguration(stack, `Encoder${i}`);
  }
  return stack;
}

function quotaWarnings(stack: Stack) {
  return Annotations.fromStack(stack).findWarning('*', WARNING);
}

describe('the encoder configuration quota', () => {
  test('20 in an account and region: no warning', () => {
    const app = new App();
    const a = withEncoders(app, 'A', 12, { env: US });
    const b = withEncoders(app, 'B', 8, { env: US });

    expect([...quotaWarnings(a), ...quotaWarnings(b)]).toEqual([]);
  });

  test('21 across two stacks of one account and region: one warning, on the 21st, naming the quota and how to raise it', () => {
    const app = new App();
    const a = withEncoders(app, 'A', 12, { env: US });
    const b = withEncoders(app, 'B', 9, { env: US });

    expect(quotaWarnings(a)).toEqual([]);
    const warnings = quotaWarnings(b);
    expect(warnings.map((warning) => warning.id)).toEqual(['/B/Encoder8']);
    expect(warnings[0].entry.data).toMatch(/^This app defines 21 encoder configurations for account 123456789012 and region us-east-1; /);
    expect(warnings[0].entry.data).toMatch(/Service Quotas console/);
    expect(warnings[0].entry.data).toMatch(/\[ack: cdk-ivs-realtime:resourceQuota\]$/);
  });

  test('a warning, never an error: the app synthesizes', () => {
    const app = new App();
    withEncoders(app, 'A', 25, { env: US });

    expect(() => app.synth()).not.toThrow();
    expect(Annotations.fromStack(app.node.findChild('A') as Stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('other accounts and regions count apart', () => {
    const app = new App();
    const a = withEncoders(app, 'A', 15, { env: US });
    const b = withEncoders(app, 'B', 15, { env: { ...US, region: 'eu-west-1' } });
    const c = withEncoders(app, 'C', 15, { env: { ...US, account: '210987654321' } });

    expect([a, b, c].flatMap(quotaWarnings)).toEqual([]);
  });

  test('environment-agnostic stacks count together', () => {
    const app = new App();
    withEncoders(app, 'A', 11);
    const b = withEncoders(app, 'B', 10);

    expect(quotaWarnings(b)).toHaveLength(1);
    expect(quotaWarnings(b)[0].entry.data).toMatch(/for the environment-agnostic stacks \(counted together\)/);
  });

  test('the encoder configurations StageComposition defines count too', () => {
    const app = new App();
    const stack = withEncoders(app, 'A', 20);
    new StageComposition(stack, 'Composition', {
      stages: [new Stage(stack, 'Stage')],
      destinations: [CompositionDestination.channelFromArn('arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456')],
    });

    expect(quotaWarnings(stack).map((warning) => warning.id)).toEqual(['/A/Composition/DefaultEncoderConfiguration']);
  });

  test('it can be acknowledged, on the stack', () => {
    const app = new App();
    const stack = withEncoders(app, 'A', 21);
    CoreAnnotations.of(stack).acknowledgeWarning('cdk-ivs-realtime:resourceQuota', 'the account has a raised quota of 50');

    expect(quotaWarnings(stack)).toEqual([]);
  });
});
