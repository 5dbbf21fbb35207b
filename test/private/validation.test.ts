/**
 * Lengths count what the API counts: the API model's length constraints are Smithy length traits, which count Unicode
 * code points (as the fake IVS does), not JavaScript's UTF-16 code units. A character outside the Basic Multilingual
 * Plane (an emoji) is one character for the API and two units for `String.length`.
 */
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Stage, StorageConfiguration } from '../../lib';
import { characterCount } from '../../lib/private/validation';
import { newStack } from '../util';

const EMOJI = '\u{1F3A5}'; // 🎥, one code point, two UTF-16 units
const emoji = (count: number) => EMOJI.repeat(count);
/** A lone (unpaired) surrogate: half a character. */
const LONE_SURROGATE = /\p{Cs}/u;

function errorOf(define: () => void): string {
  try {
    define();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('lengths, as the API counts them', () => {
  test('characterCount counts code points', () => {
    expect(characterCount(emoji(100))).toBe(100);
    expect(emoji(100).length).toBe(200);
    expect(characterCount('a\u00e9\u{1F600}')).toBe(3);
    expect(characterCount('')).toBe(0);
  });

  test('a 128-character user ID of emoji synthesizes; 129 fails, counted in characters', () => {
    for (const count of [100, 128]) {
      const stack = newStack();
      expect(() => new Stage(stack, 'Stage').addIngestConfiguration('Ingest', { userId: emoji(count) })).not.toThrow();
    }
    const stack = newStack();
    expect(errorOf(() => new Stage(stack, 'Stage').addIngestConfiguration('Ingest', { userId: emoji(129) })))
      .toContain('`userId` must be 0-128 characters long, got 129 characters');
  });

  test('tag keys of 128 emoji and values of 256 synthesize; one more fails', () => {
    expect(() => new Stage(newStack(), 'Stage', { tags: { [emoji(128)]: emoji(256) } })).not.toThrow();
    expect(errorOf(() => new Stage(newStack(), 'Stage', { tags: { [emoji(129)]: 'v' } }))).toContain('must be 1-128 characters long, got 129 characters');
    expect(errorOf(() => new Stage(newStack(), 'Stage', { tags: { k: emoji(257) } }))).toContain('must be 0-256 characters long, got 257 characters');
  });

  test('messages cut a long value between characters, never inside one', () => {
    const message = errorOf(() => new Stage(newStack(), 'Stage', { stageName: emoji(100) }));

    expect(message).toContain(`got "${emoji(77)}..."`);
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });

  test('a long tag key is shown once, cut as values are, whatever its characters', () => {
    for (const [key, shown] of [[emoji(129), emoji(77)], ['a'.repeat(129), 'a'.repeat(77)]]) {
      const message = errorOf(() => new Stage(newStack(), 'Stage', { tags: { [key]: 'v' } }));

      expect(message).toContain(`\`tags\` keys must be 1-128 characters long, got 129 characters ("${shown}...")`);
      expect(message).not.toContain(key);
      expect(message).not.toMatch(LONE_SURROGATE);
    }
  });

  test('the tag key that names a long value is cut too', () => {
    const message = errorOf(() => new Stage(newStack(), 'Stage', { tags: { [emoji(100)]: 'v'.repeat(257) } }));

    expect(message).toContain(`\`tags.${emoji(77)}...\` must be 0-256 characters long, got 257 characters`);
    expect(message).not.toContain(emoji(100));
  });

  test('a value cut after a character made of two code points keeps each code point whole', () => {
    // 76 letters, then an emoji at the cut (characters 77 and 78 of the value).
    const message = errorOf(() => new Stage(newStack(), 'Stage', { stageName: `${'a'.repeat(76)}${emoji(10)}` }));

    expect(message).toContain(`got "${'a'.repeat(76)}${EMOJI}..."`);
    expect(message).not.toMatch(LONE_SURROGATE);
  });
});

// issue 22: a user's tag under the library's prefix could mark a resource the stack uses for the deferred-delete sweep.
describe('tag keys under the library\'s prefix are refused at synth', () => {
  test('in props, naming the construct, the prop, the rule and the key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    expect(() => new StorageConfiguration(stack, 'Storage', { bucket, tags: { 'cdk-ivs-realtime:delete-when-free': 'arn:aws:cloudformation:x' } }))
      .toThrow("StorageConfiguration 'TestStack/Storage' has invalid props:\n"
        + '- `tags` keys must not start with "cdk-ivs-realtime:" (reserved for the tags the library sets itself, such as the mark of '
        + 'a delete it defers), got "cdk-ivs-realtime:delete-when-free"');
    expect(errorOf(() => new Stage(newStack(), 'Stage', { tags: { 'CDK-IVS-Realtime:create-request': 'x' } })))
      .toContain('got "CDK-IVS-Realtime:create-request"');
    expect(() => new Stage(newStack(), 'Stage', { tags: { 'cdk-ivs-realtime-team': 'x' } })).not.toThrow();
  });

  test('from Tags.of(), when the app is synthesized', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
    Tags.of(stack).add('cdk-ivs-realtime:delete-when-free', 'arn:aws:cloudformation:x');

    expect(() => app.synth()).toThrow(/\[TestStack\/Storage\] .*`tags` keys must not start with "cdk-ivs-realtime:".*got "cdk-ivs-realtime:delete-when-free"/s);
  });
});
