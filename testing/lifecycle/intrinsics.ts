/**
 * CloudFormation template values: intrinsic function resolution, the references that order resources,
 * and the stringification CloudFormation applies to a custom resource's properties.
 */

/** A template error CloudFormation reports against the resource whose properties could not be resolved. */
export class ResolutionError extends Error {}

/** `AWS::NoValue`: removed from the enclosing object or array. */
const NO_VALUE = Symbol('AWS::NoValue');

export const PSEUDO_PARAMETERS = [
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region',
  'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
];

export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly parameters: Record<string, unknown>;
  readonly mappings: Record<string, any>;
  /** The value of a named condition. */
  condition(name: string): boolean;
  /** `Ref` to a resource. */
  ref(logicalId: string): unknown;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** `Fn::ImportValue`: the value another stack exports under the name. @default - imports are not supported */
  importValue?(exportName: string): unknown;
}

/** Resolves every intrinsic in `value`; `AWS::NoValue` removes keys and array elements. */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  const resolved = resolveAny(value, ctx);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Evaluates the template's `Conditions` section (conditions may refer to each other). */
export function evaluateConditions(conditions: Record<string, unknown> | undefined, ctx: Omit<ResolveContext, 'condition'>): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const evaluate = (name: string): boolean => {
    if (!(name in results)) {
      if (!conditions || !(name in conditions)) {
        throw new ResolutionError(`Template format error: Unresolved condition dependency ${name}`);
      }
      if (evaluating.has(name)) {
        throw new ResolutionError(`Template format error: circular condition ${name}`);
      }
      evaluating.add(name);
      results[name] = asBoolean(resolveAny(conditions[name], { ...ctx, condition: evaluate }), name);
    }
    return results[name];
  };
  Object.keys(conditions ?? {}).forEach(evaluate);
  return results;
}

/** CloudFormation sends every scalar of a custom resource's properties as a string, at any depth. */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stringifyScalars);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return value;
}

/**
 * Every name `value` points at through `Ref`, `Fn::GetAtt` and `Fn::Sub` placeholders: resources,
 * parameters and pseudo parameters (the implicit dependencies CloudFormation orders resources by).
 */
export function referencedNames(value: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (v === null || typeof v !== 'object') {
      return;
    }
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'Ref') {
      found.add(String(obj.Ref));
      return;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      found.add(getAttArgs(obj['Fn::GetAtt'])[0]);
      return;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const [template, vars] = subArgs(obj['Fn::Sub']);
      for (const name of subPlaceholders(template)) {
        if (!(name in vars)) {
          found.add(name.startsWith('AWS::') ? name : name.split('.')[0]);
        }
      }
      visit(vars);
      return;
    }
    keys.forEach(k => visit(obj[k]));
  };
  visit(value);
  return found;
}

function resolveAny(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map(v => resolveAny(v, ctx)).filter(v => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // `{ Condition: 'Name' }` is the condition intrinsic; an IAM statement's `Condition` is an object.
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || (keys[0] === 'Condition' && typeof obj.Condition === 'string'))) {
    return resolveIntrinsic(keys[0], obj[keys[0]], ctx);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = resolveAny(obj[key], ctx);
    if (v !== NO_VALUE) {
      out[key] = v;
    }
  }
  return out;
}

function resolveIntrinsic(name: string, arg: unknown, ctx: ResolveContext): unknown {
  switch (name) {
    case 'Ref':
      return resolveRef(String(arg), ctx);
    case 'Condition':
      return ctx.condition(String(arg));
    case 'Fn::GetAtt': {
      const [target, attribute] = getAttArgs(arg);
      return ctx.getAtt(target, String(resolveAny(attribute, ctx)));
    }
    case 'Fn::Join': {
      const [sep, list] = arrayArgs(name, arg, 2);
      return listOf(name, resolveAny(list, ctx)).map(v => scalarString(name, v)).join(String(sep));
    }
    case 'Fn::Sub':
      return resolveSub(arg, ctx);
    case 'Fn::Select': {
      const [index, list] = arrayArgs(name, arg, 2);
      const items = listOf(name, resolveAny(list, ctx));
      const i = Number(resolveAny(index, ctx));
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new ResolutionError(`Template error: Fn::Select cannot select nonexistent value at index ${i}`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [sep, source] = arrayArgs(name, arg, 2);
      return scalarString(name, resolveAny(source, ctx)).split(String(sep));
    }
    case 'Fn::If': {
      const [cond, whenTrue, whenFalse] = arrayArgs(name, arg, 3);
      return resolveAny(ctx.condition(String(cond)) ? whenTrue : whenFalse, ctx);
    }
    case 'Fn::Equals': {
      const [a, b] = arrayArgs(name, arg, 2);
      return JSON.stringify(stringifyScalars(resolveAny(a, ctx))) === JSON.stringify(stringifyScalars(resolveAny(b, ctx)));
    }
    case 'Fn::And':
      return listOf(name, arg).every(c => asBoolean(resolveAny(c, ctx), name));
    case 'Fn::Or':
      return listOf(name, arg).some(c => asBoolean(resolveAny(c, ctx), name));
    case 'Fn::Not': {
      const [c] = arrayArgs(name, arg, 1);
      return !asBoolean(resolveAny(c, ctx), name);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = arrayArgs(name, arg, 3).map(v => String(resolveAny(v, ctx)));
      const found = ctx.mappings?.[map]?.[top]?.[second];
      if (found === undefined) {
        throw new ResolutionError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      }
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(scalarString(name, resolveAny(arg, ctx))).toString('base64');
    case 'Fn::GetAZs': {
      const region = scalarString(name, resolveAny(arg, ctx)) || ctx.region;
      return ['a', 'b', 'c'].map(s => `${region}${s}`);
    }
    case 'Fn::Length':
      return listOf(name, resolveAny(arg, ctx)).length;
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveAny(arg, ctx));
    case 'Fn::ImportValue':
      if (ctx.importValue) {
        return ctx.importValue(scalarString(name, resolveAny(arg, ctx)));
      }
      throw new ResolutionError(`Fn::ImportValue is not supported: the lifecycle driver deploys a single stack (import of ${JSON.stringify(arg)})`);
    default:
      throw new ResolutionError(`Template format error: unsupported intrinsic function ${name}`);
  }
}

function resolveRef(name: string, ctx: ResolveContext): unknown {
  switch (name) {
    case 'AWS::Region': return ctx.region;
    case 'AWS::AccountId': return ctx.accountId;
    case 'AWS::Partition': return ctx.partition;
    case 'AWS::URLSuffix': return ctx.urlSuffix;
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::StackId': return ctx.stackId;
    case 'AWS::NotificationARNs': return [];
    case 'AWS::NoValue': return NO_VALUE;
  }
  if (name in ctx.parameters) {
    return ctx.parameters[name];
  }
  return ctx.ref(name);
}

function resolveSub(arg: unknown, ctx: ResolveContext): string {
  const [template, vars] = subArgs(arg);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) {
    values[k] = resolveAny(v, ctx);
  }
  return template.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    if (expr.startsWith('!')) {
      return `\${${expr.slice(1)}}`;
    }
    const name = expr.trim();
    if (name in values) {
      return scalarString('Fn::Sub', values[name]);
    }
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return scalarString('Fn::Sub', ctx.getAtt(name.slice(0, dot), name.slice(dot + 1)));
    }
    if (!name) {
      return whole;
    }
    return scalarString('Fn::Sub', resolveRef(name, ctx));
  });
}

function getAttArgs(arg: unknown): [string, unknown] {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  if (Array.isArray(arg) && arg.length === 2) {
    return [String(arg[0]), arg[1]];
  }
  throw new ResolutionError(`Template error: every Fn::GetAtt object requires two non-empty parameters (got ${JSON.stringify(arg)})`);
}

function subArgs(arg: unknown): [string, Record<string, unknown>] {
  if (typeof arg === 'string') {
    return [arg, {}];
  }
  if (Array.isArray(arg) && typeof arg[0] === 'string') {
    return [arg[0], (arg[1] ?? {}) as Record<string, unknown>];
  }
  throw new ResolutionError(`Template error: invalid Fn::Sub ${JSON.stringify(arg)}`);
}

/** `${Name}` and `${Name.Attr}` placeholders, skipping `${!Literal}`. */
function subPlaceholders(template: string): string[] {
  return [...template.matchAll(/\$\{([^}!][^}]*)\}/g)].map(m => m[1].trim());
}

function arrayArgs(name: string, arg: unknown, count: number): unknown[] {
  if (!Array.isArray(arg) || arg.length !== count) {
    throw new ResolutionError(`Template error: ${name} requires a list of ${count} arguments (got ${JSON.stringify(arg)})`);
  }
  return arg;
}

function listOf(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new ResolutionError(`Template error: ${name} requires a list (got ${JSON.stringify(value)})`);
  }
  return value;
}

function scalarString(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  throw new ResolutionError(`Template error: ${name} requires string values (got ${JSON.stringify(value)})`);
}

function asBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') {
    return value;
  }
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new ResolutionError(`Template error: ${name} requires a boolean condition (got ${JSON.stringify(value)})`);
}
