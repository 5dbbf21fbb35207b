import { Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { LIBRARY_TAG_PREFIX } from './contract';

/**
 * Thrown when a construct's props break a rule of the IVS Real-Time API.
 *
 * Not exported from the package: like aws-cdk-lib's own, every validation error is fatal at synth.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Names accepted by the IVS Real-Time API for every resource type (`[a-zA-Z0-9-_]*`, at most 128). */
export const RESOURCE_NAME_PATTERN = /^[a-zA-Z0-9-_]*$/;
export const RESOURCE_NAME_MAX_LENGTH = 128;

/**
 * Collects every rule a construct's props break, then throws once.
 *
 * Each message follows one template: `` `prop` must <rule>, got <value> ``. Unresolved tokens are
 * skipped: their values are only known at deploy time, where the service validates them.
 */
export class PropsValidator {
  private readonly errors: string[] = [];

  private readonly path: string;

  /**
   * @param scope the construct whose props are checked or, with `childId`, the scope it is about to be defined in
   *   (for checks that must run before a base class's constructor).
   */
  constructor(scope: IConstruct, private readonly className: string, childId?: string) {
    this.path = childId === undefined ? scope.node.path : `${scope.node.path}/${childId}`;
  }

  /** Records an error unless `ok`. */
  public check(ok: boolean, message: string): void {
    if (!ok) {
      this.errors.push(message);
    }
  }

  /** A length rule of the API model, counted as the API counts it: in characters (see `characterCount`). */
  public stringLength(prop: string, value: string | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const length = characterCount(value);
    this.check(length >= min && length <= max,
      `\`${prop}\` must be ${min}-${max} characters long, got ${length} characters (${show(value)})`);
  }

  public pattern(prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    this.check(pattern.test(value), `\`${prop}\` must ${rule}, got ${show(value)}`);
  }

  /** The API's rule for resource names: `[a-zA-Z0-9-_]*`, at most 128 characters. */
  public resourceName(prop: string, value: string | undefined): void {
    this.stringLength(prop, value, 0, RESOURCE_NAME_MAX_LENGTH);
    this.pattern(prop, value, RESOURCE_NAME_PATTERN, 'contain only letters, digits, hyphens and underscores');
  }

  public integerInRange(prop: string, value: number | undefined, min: number, max: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const suffix = unit ? ` ${unit}` : '';
    this.check(Number.isInteger(value) && value >= min && value <= max,
      `\`${prop}\` must be a whole number from ${min} to ${max}${suffix}, got ${value}`);
  }

  /** A whole number with a lower bound only (the API model gives no maximum). */
  public integerAtLeast(prop: string, value: number | undefined, min: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const suffix = unit ? ` ${unit}` : '';
    this.check(Number.isInteger(value) && value >= min, `\`${prop}\` must be a whole number of at least ${min}${suffix}, got ${value}`);
  }

  public numberInRange(prop: string, value: number | undefined, min: number, max: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    const suffix = unit ? ` ${unit}` : '';
    this.check(Number.isFinite(value) && value >= min && value <= max,
      `\`${prop}\` must be from ${min} to ${max}${suffix}, got ${value}`);
  }

  /** A `Duration` the API takes in whole seconds, within [min, max] seconds. */
  public wholeSeconds(prop: string, value: Duration | undefined, min: number, max: number): void {
    if (value === undefined || value.isUnresolved()) {
      return;
    }
    // not integral: a fraction of a millisecond must be reported as such, not make toMilliseconds throw.
    const millis = value.toMilliseconds({ integral: false });
    this.check(millis % 1000 === 0 && millis >= min * 1000 && millis <= max * 1000,
      `\`${prop}\` must be a whole number of seconds from ${min} to ${max}, got ${millis / 1000} seconds`);
  }

  public oneOf<T extends string>(prop: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    this.check(allowed.includes(value), `\`${prop}\` must be one of ${allowed.join(', ')}, got ${show(value)}`);
  }

  public listSize(prop: string, value: readonly unknown[] | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    this.check(value.length >= min && value.length <= max,
      `\`${prop}\` must have ${min === max ? min : `${min}-${max}`} item(s), got ${value.length}`);
  }

  /**
   * The API's tag rules: at most 50 tags, keys 1-128 and values 0-256 characters (code points), no `aws:` prefix; and no
   * key under the library's own prefix (`LIBRARY_TAG_PREFIX`), whatever the case. Two of
   * the 50 are the library's: the handler tags what it creates with its create request, and a delete it defers
   * (`ownCount: 'none'` for what the provider does not create, which checks its own count).
   */
  public tags(prop: string, tags: Record<string, string> | undefined, ownCount: 'provider' | 'none' = 'provider'): void {
    if (tags === undefined || Token.isUnresolved(tags)) {
      return;
    }
    const entries = Object.entries(tags);
    this.check(ownCount === 'none' || entries.length <= MAX_USER_TAGS, `\`${prop}\` must have at most ${MAX_USER_TAGS} tags (IVS `
      + `allows 50; the library adds two of its own), got ${entries.length}`);
    for (const [key, value] of entries) {
      // the key once, shown as values are (cut): in the prop's path, a key of any length would be printed whole.
      const keyLength = Token.isUnresolved(key) ? 1 : characterCount(key);
      this.check(keyLength >= 1 && keyLength <= 128, `\`${prop}\` keys must be 1-128 characters long, got ${keyLength} `
        + `characters (${show(key)})`);
      this.check(Token.isUnresolved(key) || !key.toLowerCase().startsWith('aws:'),
        `\`${prop}\` keys must not start with "aws:" (reserved by AWS), got ${show(key)}`);
      this.check(Token.isUnresolved(key) || !key.toLowerCase().startsWith(LIBRARY_TAG_PREFIX),
        `\`${prop}\` keys must not start with "${LIBRARY_TAG_PREFIX}" (reserved for the tags the library sets itself, such as the `
        + `mark of a delete it defers), got ${show(key)}`);
      this.stringLength(`${prop}.${cut(key)}`, value, 0, 256);
    }
  }

  /**
   * The API's "1 KB total" rule for participant attributes, counted as the UTF-8 bytes of every key and value
   * (JSON punctuation not included). Entries that are tokens are not counted: what is known can still be too much.
   */
  public attributesSize(prop: string, attributes: Record<string, string> | undefined, maxBytes: number): void {
    if (attributes === undefined || Token.isUnresolved(attributes)) {
      return;
    }
    const bytes = Object.entries(attributes)
      .flatMap((entry) => entry.filter((text) => !Token.isUnresolved(text)))
      .reduce((total, text) => total + Buffer.byteLength(text, 'utf8'), 0);
    this.check(bytes <= maxBytes, `\`${prop}\` must total at most ${maxBytes} bytes (UTF-8 keys and values), got ${bytes} bytes`);
  }

  /** The errors recorded so far. */
  public get messages(): string[] {
    return [...this.errors];
  }

  /** Throws one `ValidationError` listing every recorded error, naming the construct. */
  public throwIfInvalid(): void {
    if (this.errors.length === 0) {
      return;
    }
    throw new ValidationError(
      `${this.className} '${this.path}' has invalid props:\n${this.errors.map((e) => `- ${e}`).join('\n')}`);
  }
}

/** IVS's 50 tags per resource, less the two the handler may add. */
const MAX_USER_TAGS = 48;

/** Registers an end-of-construction check of the tags a resource will actually carry (`Tags.of()` included). */
export function validateRenderedTags(scope: Construct, renderTags: () => Record<string, string> | undefined): void {
  scope.node.addValidation({
    validate: () => {
      const validator = new PropsValidator(scope, 'tags');
      validator.tags('tags', renderTags());
      return validator.messages;
    },
  });
}

/**
 * The number of characters of a string as the IVS API counts them: Unicode code points. The API model's `length`
 * constraints are Smithy length traits, which count a string's Unicode scalar values (the Smithy 2.0 specification,
 * "length trait"), as the fake IVS does (`testing/fake-ivs/validation.ts`); JavaScript's `length` counts UTF-16
 * code units, two for each character outside the Basic Multilingual Plane (most emoji).
 */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) {
    count++;
  }
  return count;
}

/**
 * What a prop of the wrong type was given, for an error message: from JavaScript, or another jsii language's loose
 * types, where the compiler did not check it. A string is shown as values are; a function by its name, which is most
 * often a factory not called (`StreamKeyStorage.secretsManager` for `StreamKeyStorage.secretsManager()`); a construct by
 * its path.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return show(value);
  }
  if (typeof value === 'function') {
    return `the function ${value.name || '(anonymous)'} (not called)`;
  }
  if (typeof value === 'object' && value !== null) {
    const path = (value as { node?: { path?: unknown } }).node?.path;
    return typeof path === 'string' ? `the construct '${path}'` : `an object (${value.constructor?.name ?? 'no class'})`;
  }
  return String(value);
}

/** A value for an error message: quoted, and cut as `cut` cuts it. */
function show(value: string): string {
  return JSON.stringify(cut(value));
}

/**
 * A value as an error message shows it, wherever it goes (in quotes, or in a prop's path such as a tag key's): cut after
 * 77 characters when longer than 80, counted in code points so that a character outside the Basic Multilingual Plane
 * (an emoji) is never cut in half.
 */
function cut(value: string): string {
  const characters = [...value];
  return characters.length > 80 ? `${characters.slice(0, 77).join('')}...` : value;
}
