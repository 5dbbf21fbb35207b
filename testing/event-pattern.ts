/**
 * EventBridge's event-pattern matching, for tests that check a rule's pattern against sample events the way
 * EventBridge would, not by string equality.
 *
 * Implements the content filters of the EventBridge user guide ("Event patterns", "Content filtering"): every
 * field of the pattern must match (AND); the values of a field are alternatives (OR); an array in the event
 * matches if any of its elements does; nested objects; `$or`; exact strings, numbers, booleans and `null`;
 * `prefix`, `suffix` (both also with `equals-ignore-case`), `equals-ignore-case`, `wildcard`, `anything-but`
 * (values, or one `prefix`/`suffix`/`wildcard`/`equals-ignore-case`), `numeric` and `exists`.
 * A pattern that uses anything else (`cidr`) or is malformed throws, so a test cannot pass by accident.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whether `event` matches `pattern` (both as JSON: a template's `EventPattern`, an event as EventBridge delivers it). */
export function matchesEventPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return matchesObject(pattern, event);
}

function matchesObject(pattern: Record<string, unknown>, value: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject)) {
        throw new Error(`invalid pattern: $or must list at least two patterns, got ${JSON.stringify(sub)}`);
      }
      return sub.some((alternative) => matchesObject(alternative, value));
    }
    const field = isObject(value) ? value[key] : undefined;
    if (Array.isArray(sub)) {
      return matchesLeaf(key, sub, field);
    }
    if (isObject(sub)) {
      // an array of objects in the event matches if one of its objects does.
      return Array.isArray(field) ? field.some((item) => matchesObject(sub, item)) : matchesObject(sub, field);
    }
    throw new Error(`invalid pattern: "${key}" must be an array of values or an object, got ${JSON.stringify(sub)}`);
  });
}

function matchesLeaf(key: string, matchers: unknown[], field: unknown): boolean {
  if (matchers.length === 0) {
    throw new Error(`invalid pattern: "${key}" has no values`);
  }
  if (field === undefined) {
    return matchers.some((m) => isObject(m) && m.exists === false);
  }
  const values = Array.isArray(field) ? field : [field];
  // filters apply to leaf values only: a field holding an object matches nothing but `exists: true`.
  return matchers.some((m) => isObject(m) && m.exists === true)
    || values.some((v) => !isObject(v) && matchers.some((m) => matchesValue(key, m, v as Json)));
}

function matchesValue(key: string, matcher: unknown, value: Json): boolean {
  if (matcher === null || typeof matcher !== 'object') {
    return matcher === value;
  }
  const entries = Object.entries(matcher);
  if (entries.length !== 1) {
    throw new Error(`invalid pattern: a filter of "${key}" must have exactly one key, got ${JSON.stringify(matcher)}`);
  }
  const [filter, argument] = entries[0];
  switch (filter) {
    case 'exists':
      return false; // handled by matchesLeaf, which knows whether the field is present.
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return typeof value === 'string' && matchesString(key, filter, argument, value);
    case 'anything-but':
      return matchesAnythingBut(key, argument, value);
    case 'numeric':
      return typeof value === 'number' && matchesNumeric(key, argument, value);
    default:
      throw new Error(`unsupported filter "${filter}" in pattern of "${key}"`);
  }
}

function matchesString(key: string, filter: string, argument: unknown, value: string): boolean {
  const ignoreCase = isObject(argument) && typeof argument['equals-ignore-case'] === 'string' && (filter === 'prefix' || filter === 'suffix');
  const expected = ignoreCase ? (argument as Record<string, string>)['equals-ignore-case'] : argument;
  if (typeof expected !== 'string') {
    throw new Error(`invalid pattern: ${filter} of "${key}" must be a string, got ${JSON.stringify(argument)}`);
  }
  const [v, e] = ignoreCase || filter === 'equals-ignore-case' ? [value.toLowerCase(), expected.toLowerCase()] : [value, expected];
  switch (filter) {
    case 'prefix':
      return v.startsWith(e);
    case 'suffix':
      return v.endsWith(e);
    case 'equals-ignore-case':
      return v === e;
    default:
      return wildcardRegExp(e).test(v);
  }
}

/** `*` matches any run of characters (`\*` is a literal star); everything else is literal. */
function wildcardRegExp(pattern: string): RegExp {
  const source = pattern.split(/(\\\*|\*)/).map((part) => {
    if (part === '*') {
      return '.*';
    }
    return (part === '\\*' ? '*' : part).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`, 's');
}

function matchesAnythingBut(key: string, argument: unknown, value: Json): boolean {
  if (isObject(argument)) {
    const [[filter, inner]] = Object.entries(argument);
    const alternatives = Array.isArray(inner) ? inner : [inner];
    return !alternatives.some((alternative) => typeof value === 'string' && matchesString(key, filter, alternative, value));
  }
  const excluded = Array.isArray(argument) ? argument : [argument];
  return !excluded.includes(value);
}

function matchesNumeric(key: string, argument: unknown, value: number): boolean {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) {
    throw new Error(`invalid pattern: numeric of "${key}" must be [operator, number, ...], got ${JSON.stringify(argument)}`);
  }
  for (let i = 0; i < argument.length; i += 2) {
    const [operator, bound] = [argument[i], argument[i + 1] as number];
    const ok = operator === '=' ? value === bound
      : operator === '<' ? value < bound
        : operator === '<=' ? value <= bound
          : operator === '>' ? value > bound
            : operator === '>=' ? value >= bound
              : undefined;
    if (ok === undefined) {
      throw new Error(`invalid pattern: unknown numeric operator ${JSON.stringify(operator)} in "${key}"`);
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
