/**
 * The subset of CloudWatch Logs' JSON filter pattern syntax (CloudWatch Logs User Guide, "Filter pattern syntax for
 * metric filters", "Using filter patterns to match terms in JSON log events") that the library's metric filters use,
 * so that a test can check a rendered pattern against a logged event the way CloudWatch Logs would:
 *
 * - `{ SELECTOR = VALUE }` and `{ SELECTOR != VALUE }`, VALUE a double-quoted string (`\"` escapes) or a bare word; `*`
 *   in a value matches any run of characters;
 * - terms in parentheses joined by `&&` or `||` (not mixed);
 * - selectors `$.a.b` and array elements `$.a[0]`; a selector that names no string or number matches nothing.
 *
 * Anything else (numeric comparisons, `IS NULL`, `EXISTS`, mixed operators, text patterns) throws, so a test cannot pass
 * by a pattern this matcher does not understand.
 */

/** Whether the JSON log event `event` matches the JSON filter pattern `pattern`. */
export function matchesLogFilterPattern(pattern: string, event: unknown): boolean {
  const body = /^\s*\{(.*)\}\s*$/s.exec(pattern)?.[1];
  if (body === undefined) {
    throw new Error(`unsupported filter pattern (not a JSON pattern in braces): ${pattern}`);
  }
  const hasAnd = body.includes('&&');
  const hasOr = body.includes('||');
  if (hasAnd && hasOr) {
    throw new Error(`unsupported filter pattern (mixed && and ||): ${pattern}`);
  }
  const terms = hasAnd || hasOr ? body.split(hasAnd ? '&&' : '||').map(unparenthesized) : [body];
  const results = terms.map((term) => matchesTerm(term, event, pattern));
  return hasOr ? results.some(Boolean) : results.every(Boolean);
}

/** The value `selector` (`$.a.b[0]`) names in `event`, or `undefined`. */
export function selectLogField(selector: string, event: unknown): unknown {
  if (!selector.startsWith('$.')) {
    throw new Error(`unsupported selector: ${selector}`);
  }
  const steps = selector.slice(2).split('.').flatMap((part) => {
    const match = /^([A-Za-z0-9_-]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      throw new Error(`unsupported selector: ${selector}`);
    }
    return [match[1], ...[...match[2].matchAll(/\[(\d+)\]/g)].map((index) => Number(index[1]))];
  });
  return steps.reduce<unknown>((value, step) => (value !== null && typeof value === 'object' ? (value as any)[step] : undefined), event);
}

function unparenthesized(term: string): string {
  const inner = /^\s*\((.*)\)\s*$/s.exec(term)?.[1];
  if (inner === undefined) {
    throw new Error(`unsupported filter pattern term (joined terms need parentheses): ${term}`);
  }
  return inner;
}

function matchesTerm(term: string, event: unknown, pattern: string): boolean {
  const match = /^\s*(\$\.[^\s=!]+)\s*(=|!=)\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*$/s.exec(term);
  if (!match) {
    throw new Error(`unsupported filter pattern term "${term}" in ${pattern}`);
  }
  const [, selector, operator, rawValue] = match;
  const expected = rawValue.startsWith('"') ? JSON.parse(rawValue) as string : rawValue;
  const field = selectLogField(selector, event);
  if (typeof field !== 'string' && typeof field !== 'number') {
    return false;
  }
  const equal = wildcard(expected).test(String(field));
  return operator === '=' ? equal : !equal;
}

function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}
