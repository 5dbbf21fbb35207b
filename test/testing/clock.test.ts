import { Clock } from '../../testing/clock';
import { LambdaRuntime } from '../../testing/lifecycle/lambda-runtime';

/** A function that reports the time it sees, every way code reads it. */
const SOURCE = `exports.handler = async () => ({
  now: Date.now(),
  constructed: new Date().getTime(),
  text: Date(),
  epoch: new Date(0).toISOString(),
  parsed: Date.parse('2020-01-01T00:00:00Z'),
  isDate: new Date() instanceof Date,
});`;

function fn() {
  return {
    logicalId: 'Fn',
    functionName: 'fn',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    code: { inline: SOURCE },
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 3,
    memorySize: 128,
    logGroupName: '/aws/lambda/fn',
    environment: {},
  };
}

describe('the kit\'s clock', () => {
  test('a function sees the clock\'s time as its Date: moved forward, while fixed dates stay what they are', async () => {
    const clock = new Clock();
    const runtime = new LambdaRuntime({ region: 'us-east-1', env: {}, timeoutScale: 1, date: clock.dateClass() });
    clock.advance(3_600_000);

    const outcome = await runtime.invoke(fn(), {});

    expect(outcome.ok).toBe(true);
    const seen = (outcome as { payload: any }).payload;
    const expected = Date.now() + 3_600_000;
    expect(Math.abs(seen.now - expected)).toBeLessThan(1000);
    expect(Math.abs(seen.constructed - expected)).toBeLessThan(1000);
    expect(Math.abs(Date.parse(seen.text) - expected)).toBeLessThan(2000);
    expect(seen).toMatchObject({ epoch: '1970-01-01T00:00:00.000Z', parsed: Date.UTC(2020, 0, 1), isDate: true });
  });

  test('time only moves forward', () => {
    expect(() => new Clock().advance(-1)).toThrow('advanceTime: time only moves forward, got -1 ms');
  });
});
