import { matchesEventPattern } from '../../testing/event-pattern';

const event = {
  'source': 'aws.ivs',
  'detail-type': 'IVS Stage Update',
  'resources': ['arn:aws:ivs:us-west-2:123456789012:stage/AbCdef1G2hij', 'arn:other'],
  'detail': { event_name: 'Participant Published', user_id: '', count: 5, nothing: null, nested: { a: 'b' } },
};

describe('matchesEventPattern', () => {
  test('every field must match, and the values of a field are alternatives', () => {
    expect(matchesEventPattern({ 'source': ['aws.ivs'], 'detail-type': ['IVS Stage Update', 'Other'] }, event)).toBe(true);
    expect(matchesEventPattern({ 'source': ['aws.ivs'], 'detail-type': ['Other'] }, event)).toBe(false);
  });

  test('an array in the event matches if any of its elements does', () => {
    expect(matchesEventPattern({ resources: ['arn:other'] }, event)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:aws:ivs:us-west-2:123456789012:stage/other'] }, event)).toBe(false);
  });

  test('nested objects match field by field, and a missing field does not match', () => {
    expect(matchesEventPattern({ detail: { event_name: ['Participant Published'] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { participant_id: ['x'] } }, event)).toBe(false);
    expect(matchesEventPattern({ missing: { event_name: ['Participant Published'] } }, event)).toBe(false);
  });

  test('exact matching is by type and case: "5" is not 5, and null and "" are values', () => {
    expect(matchesEventPattern({ detail: { count: [5] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { count: ['5'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: ['participant published'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { nothing: [null], user_id: [''] } }, event)).toBe(true);
  });

  test('a field holding an object matches no value filter', () => {
    expect(matchesEventPattern({ detail: { nested: ['b'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { nested: [{ exists: true }] } }, event)).toBe(true);
  });

  test('prefix, suffix and equals-ignore-case', () => {
    expect(matchesEventPattern({ detail: { event_name: [{ prefix: 'Participant ' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ prefix: 'participant' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: [{ prefix: { 'equals-ignore-case': 'participant' } }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ suffix: 'Published' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ 'equals-ignore-case': 'PARTICIPANT PUBLISHED' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { count: [{ prefix: '5' }] } }, event)).toBe(false);
  });

  test('wildcard: * matches any run of characters, everything else is literal', () => {
    expect(matchesEventPattern({ detail: { event_name: [{ wildcard: '*Publish*' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ wildcard: 'Participant*' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ wildcard: '*Unpublish*' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: [{ wildcard: 'Participant.Published' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { star: [{ wildcard: 'a\\*' }] } }, { detail: { star: 'a*' } })).toBe(true);
    expect(matchesEventPattern({ detail: { star: [{ wildcard: 'a\\*' }] } }, { detail: { star: 'ab' } })).toBe(false);
  });

  test('anything-but, with values or a filter; it needs the field', () => {
    expect(matchesEventPattern({ detail: { event_name: [{ 'anything-but': 'Participant Published' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: [{ 'anything-but': ['a', 'b'] }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { event_name: [{ 'anything-but': { prefix: 'Participant' } }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: [{ 'anything-but': { wildcard: '*Error' } }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  test('numeric ranges', () => {
    expect(matchesEventPattern({ detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { count: [{ numeric: ['<', 5] }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { event_name: [{ numeric: ['>', 0] }] } }, event)).toBe(false);
  });

  test('exists: true needs the field, exists: false needs it absent', () => {
    expect(matchesEventPattern({ detail: { user_id: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { error_code: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { error_code: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { user_id: [{ exists: false }] } }, event)).toBe(false);
  });

  test('$or matches if one of its patterns does', () => {
    expect(matchesEventPattern({ $or: [{ source: ['x'] }, { detail: { count: [5] } }] }, event)).toBe(true);
    expect(matchesEventPattern({ $or: [{ source: ['x'] }, { detail: { count: [6] } }] }, event)).toBe(false);
  });

  test('fails on filters it does not implement and on malformed patterns, so a test cannot pass by accident', () => {
    expect(() => matchesEventPattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, { detail: { ip: '10.0.0.1' } }))
      .toThrow('unsupported filter "cidr" in pattern of "ip"');
    expect(() => matchesEventPattern({ source: 'aws.ivs' }, event)).toThrow(/"source" must be an array of values or an object/);
    expect(() => matchesEventPattern({ source: [] }, event)).toThrow(/"source" has no values/);
    expect(() => matchesEventPattern({ detail: { count: [{ numeric: ['~', 1] }] } }, event)).toThrow(/unknown numeric operator "~"/);
  });
});
