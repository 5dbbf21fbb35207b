/**
 * Paths of the non-string scalars in an API request shape, in the API model's notation:
 * `a.b` for a structure member, `a[]` for each element of a list.
 */
export interface ScalarPaths {
  readonly integers?: readonly string[];
  readonly floats?: readonly string[];
  readonly booleans?: readonly string[];
}

/**
 * Turns the strings CloudFormation makes of every scalar ("30", "true") back into the numbers and booleans
 * the API expects, at the given paths only: a name such as "123" must stay a string.
 * A value that is not a valid number or boolean is left as it is, for the service to reject with its own message.
 */
export function coerceScalars<T>(value: T, paths: ScalarPaths): T {
  let result: unknown = value;
  for (const path of paths.integers ?? []) {
    result = mapAtPath(result, splitPath(path), toNumber);
  }
  for (const path of paths.floats ?? []) {
    result = mapAtPath(result, splitPath(path), toNumber);
  }
  for (const path of paths.booleans ?? []) {
    result = mapAtPath(result, splitPath(path), toBoolean);
  }
  return result as T;
}

function splitPath(path: string): string[] {
  return path.replace(/\[\]/g, '.[]').split('.');
}

function mapAtPath(value: unknown, path: string[], convert: (leaf: unknown) => unknown): unknown {
  if (value === undefined || value === null) {
    return value;
  }
  if (path.length === 0) {
    return convert(value);
  }
  const [head, ...rest] = path;
  if (head === '[]') {
    return Array.isArray(value) ? value.map((item) => mapAtPath(item, rest, convert)) : value;
  }
  if (typeof value !== 'object' || !(head in value)) {
    return value;
  }
  return { ...value, [head]: mapAtPath((value as Record<string, unknown>)[head], rest, convert) };
}

function toNumber(leaf: unknown): unknown {
  return typeof leaf === 'string' && leaf.trim() !== '' && !Number.isNaN(Number(leaf)) ? Number(leaf) : leaf;
}

function toBoolean(leaf: unknown): unknown {
  return leaf === 'true' ? true : leaf === 'false' ? false : leaf;
}
