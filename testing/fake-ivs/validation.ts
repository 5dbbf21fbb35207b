/**
 * Input validation for the fake IVS Real-Time service, driven by `testing/ivs-realtime-api-constraints.json`
 * (extracted from the service's API model) plus the rules the API documents but does not model.
 *
 * Every operation's members become a tree of shape nodes; a request is walked against that tree and every
 * violation is collected, so one ValidationException lists them all, as the real service does.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type MemberType = 'string' | 'integer' | 'float' | 'boolean' | 'list' | 'map' | 'structure';

/** One input member as stored in the constraints JSON. */
export interface MemberConstraint {
  readonly path: string;
  readonly shape: string;
  readonly type: MemberType;
  readonly required: boolean;
  /** `uri:<label>`, `querystring:<name>`, or null for the JSON body. */
  readonly location: string | null;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly documentedDefault: string | null;
}

export interface OperationConstraint {
  readonly method: string;
  readonly uri: string;
  readonly input: string;
  readonly members: readonly MemberConstraint[];
}

interface ShapeNode {
  shape: string;
  type: MemberType;
  member?: MemberConstraint;
  pattern?: RegExp;
  children: Map<string, ShapeNode>;
  element?: ShapeNode;
  mapKey?: ShapeNode;
  mapValue?: ShapeNode;
}

const constraintsFile = join(__dirname, '..', 'ivs-realtime-api-constraints.json');
const constraints = JSON.parse(readFileSync(constraintsFile, 'utf8')) as {
  operations: Record<string, OperationConstraint>;
};

/** Every operation of the API model, by name. */
export const OPERATIONS: ReadonlyMap<string, OperationConstraint> = new Map(Object.entries(constraints.operations));

/** IVS Real-Time resource types whose ARNs the tagging operations accept. */
export const TAGGABLE_RESOURCE_TYPES = [
  'stage', 'storage-configuration', 'encoder-configuration', 'ingest-configuration', 'public-key', 'composition',
] as const;

const RESOURCE_ARN_PATTERN = new RegExp(`^arn:aws:ivs:[a-z0-9-]+:[0-9]+:(?:${TAGGABLE_RESOURCE_TYPES.join('|')})/[a-zA-Z0-9-]+$`);

/**
 * The model's `ResourceArn` pattern allows one character before the `/` and so rejects every real ARN
 * (constraints reference, section 0). The tagging operations check the ARN with RESOURCE_ARN_PATTERN instead.
 */
const SHAPES_WITH_BROKEN_PATTERNS = new Set(['ResourceArn']);

/** Java POSIX character classes (`\p{Alpha}`) that JavaScript has no name for, as class contents. */
const JAVA_POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

/** Rewrites Java-only `\p{...}` forms into JavaScript: POSIX names expanded, `\p{IsX}` → `\p{X}`. */
function translateJavaPropertyClasses(pattern: string): string {
  let out = '';
  let classDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const property = /^\\([pP])\{(\w+)\}/.exec(pattern.slice(i));
      if (property) {
        const [whole, kind, name] = property;
        const posix = JAVA_POSIX_CLASSES[name];
        if (posix === undefined) {
          out += `\\${kind}{${name.startsWith('Is') ? name.slice(2) : name}}`;
        } else if (kind === 'p') {
          out += classDepth > 0 ? posix : `[${posix}]`;
        } else if (classDepth === 0) {
          out += `[^${posix}]`;
        } else {
          throw new Error(`Cannot translate negated POSIX class ${whole} inside a character class in /${pattern}/`);
        }
        i += whole.length - 1;
      } else {
        out += pattern.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (char === '[') classDepth++;
    if (char === ']' && classDepth > 0) classDepth--;
    out += char;
  }
  return out;
}

/**
 * Compiles a model pattern with the API's full-match semantics. botocore strips the anchors, and
 * wrapping an already anchored `^$|^arn…$` in `^(?:…)$` leaves its meaning unchanged, so every pattern is
 * wrapped. 's' lets `.*` span lines (PublicKeyMaterial allows text around a multi-line PEM block); 'u'
 * is needed for `\p{...}`, but rejects some Java-legal classes such as `[\w-.]`, so it is dropped when a
 * pattern has no property class and does not compile with it.
 */
export function compileModelPattern(pattern: string): RegExp {
  const source = `^(?:${translateJavaPropertyClasses(pattern)})$`;
  try {
    return new RegExp(source, 'su');
  } catch (error) {
    if (/\\[pP]\{/.test(source)) throw error;
    return new RegExp(source, 's');
  }
}

/** The EC curves IVS accepts for participant-token signing keys (ES256 and ES384). */
const PUBLIC_KEY_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/**
 * Parses ImportPublicKey material. The model lets text surround the PEM block, so only the block itself
 * is handed to OpenSSL. Throws with the rule broken ("must be ...") when it is not an EC P-256/P-384 key.
 */
export function publicKeyFromMaterial(material: string): KeyObject {
  const block = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(material);
  if (!block) throw new Error('must contain a PEM public key block');
  let key: KeyObject;
  try {
    key = createPublicKey(block[0]);
  } catch (error) {
    throw new Error(`must be a valid PEM public key (${(error as Error).message})`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve === undefined || !(curve in PUBLIC_KEY_CURVES)) {
    const found = key.asymmetricKeyType === 'ec' ? `EC curve ${curve}` : `key type ${key.asymmetricKeyType}`;
    throw new Error(`must be an EC P-256 or P-384 public key (ES256/ES384), got ${found}`);
  }
  return key;
}

const ONE_KILOBYTE = 1024;

function attributesWithinOneKilobyte(value: unknown): string | undefined {
  const attributes = value as Record<string, string>;
  const bytes = Object.entries(attributes)
    .reduce((total, [key, text]) => total + Buffer.byteLength(key) + Buffer.byteLength(text), 0);
  return bytes > ONE_KILOBYTE
    ? `Member must have keys and values totalling at most 1 KB (${ONE_KILOBYTE} bytes), got ${bytes} bytes`
    : undefined;
}

/**
 * Rules the API documents but does not model, keyed by the shape they apply to. Each runs after the
 * shape's own constraints passed and returns the rule broken, if any.
 */
const DOCUMENTED_SHAPE_RULES: Readonly<Record<string, (value: any) => string | undefined>> = {
  ParticipantAttributes: attributesWithinOneKilobyte,
  ParticipantTokenAttributes: attributesWithinOneKilobyte,
  CreateIngestConfigurationRequest: (request) =>
    request.ingestProtocol === 'RTMP' && request.insecureIngest !== true
      ? 'insecureIngest must be true when ingestProtocol is RTMP'
      : undefined,
  DestinationConfiguration: (destination) =>
    (destination.channel === undefined) === (destination.s3 === undefined)
      ? 'Exactly one of channel or s3 must be specified'
      : undefined,
  LayoutConfiguration: (layout) =>
    layout.grid !== undefined && layout.pip !== undefined
      ? 'Only one of grid or pip may be specified'
      : undefined,
  PublicKeyMaterial: (material) => {
    try {
      publicKeyFromMaterial(material);
      return undefined;
    } catch (error) {
      return `Member ${(error as Error).message}`;
    }
  },
  ResourceArn: (arn) =>
    RESOURCE_ARN_PATTERN.test(arn)
      ? undefined
      : `Member must be an IVS Real-Time resource ARN (arn:aws:ivs:<region>:<account>:<${TAGGABLE_RESOURCE_TYPES.join('|')}>/<id>)`,
  // AWS reserves the aws: prefix for its own tags; user tags that use it are rejected.
  Tags: (tags) =>
    Object.keys(tags).some((key) => key.toLowerCase().startsWith('aws:'))
      ? 'Tag keys must not start with the reserved prefix aws:'
      : undefined,
};

function newNode(shape: string, type: MemberType): ShapeNode {
  return { shape, type, children: new Map() };
}

/** Builds the shape tree of one operation's input from its flat member list (parents precede children). */
function buildInputTree(operation: OperationConstraint): ShapeNode {
  const root = newNode(operation.input, 'structure');
  for (const member of operation.members) {
    const steps = member.path.match(/[^.[{]+|\[\]|\{key\}|\{value\}/g) ?? [];
    let parent = root;
    steps.slice(0, -1).forEach((step) => {
      const next = step === '[]' ? parent.element : step === '{key}' ? parent.mapKey
        : step === '{value}' ? parent.mapValue : parent.children.get(step);
      if (!next) throw new Error(`Constraints list ${member.path} before its parent`);
      parent = next;
    });
    const node = newNode(member.shape, member.type);
    node.member = member;
    if (member.pattern !== undefined && !SHAPES_WITH_BROKEN_PATTERNS.has(member.shape)) {
      node.pattern = compileModelPattern(member.pattern);
    }
    const last = steps[steps.length - 1];
    if (last === '[]') parent.element = node;
    else if (last === '{key}') parent.mapKey = node;
    else if (last === '{value}') parent.mapValue = node;
    else parent.children.set(last, node);
  }
  return root;
}

// Built once, eagerly, so a pattern JavaScript cannot compile fails at import rather than mid-test.
const INPUT_TREES = new Map([...OPERATIONS].map(([name, operation]) => [name, buildInputTree(operation)]));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value.length > 100 ? `${value.slice(0, 100)}...` : value}' `;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return `${value} `;
  return '';
}

const TYPE_CHECKS: Readonly<Record<MemberType, [(value: unknown) => boolean, string]>> = {
  string: [(value) => typeof value === 'string', 'a string'],
  integer: [(value) => Number.isInteger(value), 'an integer'],
  float: [(value) => typeof value === 'number' && Number.isFinite(value), 'a number'],
  boolean: [(value) => typeof value === 'boolean', 'a boolean'],
  list: [(value) => Array.isArray(value), 'a list (JSON array)'],
  map: [isPlainObject, 'a map (JSON object)'],
  structure: [isPlainObject, 'a structure (JSON object)'],
};

class InputValidator {
  readonly violations: string[] = [];

  check(node: ShapeNode, value: unknown, path: string): void {
    const [hasType, typeName] = TYPE_CHECKS[node.type];
    if (!hasType(value)) {
      this.fail(path, value, `Member must be ${typeName}`);
      return;
    }
    const violationsBefore = this.violations.length;
    switch (node.type) {
      case 'string': this.checkString(node, value as string, path); break;
      case 'integer':
      case 'float': this.checkRange(node, value as number, path, 'value'); break;
      case 'list': this.checkList(node, value as unknown[], path); break;
      case 'map': this.checkMap(node, value as Record<string, unknown>, path); break;
      case 'structure': this.checkStructure(node, value as Record<string, unknown>, path); break;
    }
    const documentedRule = DOCUMENTED_SHAPE_RULES[node.shape];
    if (documentedRule && this.violations.length === violationsBefore) {
      const broken = documentedRule(value);
      if (broken) this.fail(path, value, broken);
    }
  }

  private checkString(node: ShapeNode, value: string, path: string): void {
    // Smithy lengths count Unicode code points, not UTF-16 units.
    this.checkRange(node, [...value].length, path, 'length', value);
    if (node.pattern && !node.pattern.test(value)) {
      this.fail(path, value, `Member must satisfy regular expression pattern: ${node.member?.pattern}`);
    }
    const allowed = node.member?.enum;
    if (allowed && !allowed.includes(value)) {
      this.fail(path, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
    }
  }

  private checkRange(node: ShapeNode, measured: number, path: string, what: 'value' | 'length', shown: unknown = measured): void {
    const { min, max } = node.member ?? {};
    if (min !== undefined && measured < min) this.fail(path, shown, `Member must have ${what} greater than or equal to ${min}`);
    if (max !== undefined && measured > max) this.fail(path, shown, `Member must have ${what} less than or equal to ${max}`);
  }

  private checkList(node: ShapeNode, list: unknown[], path: string): void {
    this.checkRange(node, list.length, path, 'length', list);
    list.forEach((element, index) => {
      if (node.element) this.check(node.element, element, `${path}[${index}]`);
    });
  }

  private checkMap(node: ShapeNode, map: Record<string, unknown>, path: string): void {
    const entries = Object.entries(map);
    this.checkRange(node, entries.length, path, 'length', map);
    for (const [key, value] of entries) {
      if (node.mapKey) this.check(node.mapKey, key, `${path} (key '${key}')`);
      if (node.mapValue) this.check(node.mapValue, value, `${path}['${key}']`);
    }
  }

  private checkStructure(node: ShapeNode, structure: Record<string, unknown>, path: string): void {
    const memberPath = (name: string) => (path ? `${path}.${name}` : name);
    for (const name of Object.keys(structure)) {
      // The SDK drops members it does not know, so this fires for raw requests and for members the
      // SDK knows but the constraints (the API the fake was built from) do not: either way, loudly.
      if (!node.children.has(name)) this.violations.push(`Unknown member '${memberPath(name)}': ${node.shape} has no such member`);
    }
    for (const [name, child] of node.children) {
      const value = structure[name];
      // JSON null means "absent" to AWS services.
      if (value === undefined || value === null) {
        if (child.member?.required) this.fail(memberPath(name), null, 'Member must not be null');
      } else {
        this.check(child, value, memberPath(name));
      }
    }
  }

  private fail(path: string, value: unknown, rule: string): void {
    // A rule on the whole request (path '') already names the members it relates.
    this.violations.push(path ? `Value ${describeValue(value)}at '${path}' failed to satisfy constraint: ${rule}` : rule);
  }
}

/**
 * Validates one request (body members plus URI and query members, merged into one object) against the
 * operation's model constraints and documented rules; returns every violation, empty when valid.
 */
export function validateInput(operation: string, input: Record<string, unknown>): string[] {
  const tree = INPUT_TREES.get(operation);
  if (!tree) throw new Error(`No constraints for operation ${operation}`);
  const validator = new InputValidator();
  validator.check(tree, input, '');
  return validator.violations;
}
