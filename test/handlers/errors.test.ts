/** The handlers' failure reasons are cut between characters: half a surrogate pair is not text CloudFormation can show. */
import { describeError } from '../../handlers/shared/errors';

describe('describeError', () => {
  test('cuts a long reason after 997 characters, never inside one', () => {
    const error = Object.assign(new Error('UnknownError'), { name: 'ValidationException', exceptionMessage: '\u{1F3A5}'.repeat(2000) });

    const reason = describeError(error);

    expect([...reason]).toHaveLength(1000);
    expect(reason.endsWith('\u{1F3A5}...')).toBe(true);
    expect(reason).not.toMatch(/\p{Cs}/u);
  });

  test('leaves a short reason whole', () => {
    expect(describeError(Object.assign(new Error('x'), { name: 'ConflictException', exceptionMessage: 'in use \u{1F3A5}' })))
      .toBe('ConflictException: in use \u{1F3A5}');
  });
});
