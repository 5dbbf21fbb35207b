/**
 * Runs a Lambda function's code the way the Node.js Lambda runtime would: loaded from its asset directory,
 * with the function's environment, a context object, JSON in and out, and the function's timeout.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

/** Captured before any test can install fake timers, which would otherwise freeze the timeout. */
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

export interface LambdaFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** The unzipped asset directory, or the source of inline (`ZipFile`) code. */
  readonly code: { readonly directory: string } | { readonly inline: string };
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** `Environment.Variables`, resolved. */
  readonly environment: Record<string, string>;
}

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export interface LambdaRuntimeOptions {
  readonly region: string;
  /** Added last, over the function's own variables. */
  readonly env: Record<string, string>;
  /** Multiplies every function timeout, so tests of timeouts stay fast. */
  readonly timeoutScale: number;
}

/** A loaded sandbox: module state persists between invocations, as in a warm Lambda execution environment. */
interface Sandbox {
  readonly handler?: (...args: unknown[]) => unknown;
  readonly initError?: { readonly errorType: string; readonly errorMessage: string };
}

export class LambdaRuntime {
  /** Idle sandboxes, by function code and configuration. */
  private readonly sandboxes = new Map<string, Sandbox[]>();

  constructor(private readonly options: LambdaRuntimeOptions) {}

  /** Invokes the function synchronously (`RequestResponse`), as the Provider framework does. */
  public async invoke(fn: LambdaFunction, payload: unknown): Promise<InvokeOutcome> {
    const env = this.environmentOf(fn);
    const key = sandboxKey(fn, env);
    await envScope.enter(env);
    try {
      // Lambda serves concurrent invocations from separate execution environments, each with its own module state (an
      // SDK client's retry quota, say): an invocation takes an idle sandbox, or loads a new one, and returns it after.
      const idle = this.sandboxes.get(key) ?? [];
      this.sandboxes.set(key, idle);
      const sandbox = idle.pop() ?? loadSandbox(fn);
      if (sandbox.initError) {
        idle.push(sandbox);
        return { ok: false, ...sandbox.initError };
      }
      const timeoutMs = fn.timeoutSeconds * 1000 * this.options.timeoutScale;
      const outcome = await withTimeout(callHandler(sandbox.handler!, fn, jsonCopy(payload), timeoutMs), timeoutMs);
      if (outcome === TIMED_OUT) {
        // Lambda discards the execution environment of a timed-out invocation.
        return { ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` };
      }
      idle.push(sandbox);
      return outcome;
    } finally {
      envScope.exit();
    }
  }

  private environmentOf(fn: LambdaFunction): Record<string, string> {
    const host = Object.entries(process.env)
      // the host's AWS settings (profile, endpoints, credentials) must not leak into the function.
      .filter(([k, v]) => v !== undefined && !k.startsWith('AWS_') && !k.startsWith('_X_AMZN')) as Array<[string, string]>;
    return {
      ...Object.fromEntries(host),
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'lifecycle-driver-session-token',
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: 'directory' in fn.code ? fn.code.directory : '/var/task',
      _HANDLER: fn.handler,
      ...fn.environment,
      ...this.options.env,
    };
  }
}

const TIMED_OUT = Symbol('timed out');

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>(resolve => {
    timer = realSetTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    realClearTimeout(timer);
  }
}

async function callHandler(handler: (...args: unknown[]) => unknown, fn: LambdaFunction, event: unknown, timeoutMs: number): Promise<InvokeOutcome> {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `2024/01/01/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      const callback = (error: unknown, value: unknown): void => (error ? reject(error) : resolve(value));
      const returned = handler(event, context, callback) as { then?: unknown } | undefined;
      if (returned && typeof returned.then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    });
    try {
      return { ok: true, payload: jsonCopy(result) };
    } catch (e) {
      return { ok: false, errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${errorMessageOf(e)}` };
    }
  } catch (e) {
    return { ok: false, errorType: errorTypeOf(e), errorMessage: errorMessageOf(e) };
  }
}

/** Lambda passes JSON: the handler can neither see nor keep references into the caller's objects. */
function jsonCopy(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function errorTypeOf(e: unknown): string {
  return e !== null && typeof e === 'object' && typeof (e as Error).name === 'string' ? (e as Error).name : typeof e;
}

/** Duck-typed: errors may come from another realm (Node built-ins under Jest), where `instanceof Error` fails. */
function errorMessageOf(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'message' in e) {
    return String((e as Error).message);
  }
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/** Unchanged code and configuration keep the sandbox warm across deployments (each synth has its own assembly directory). */
function sandboxKey(fn: LambdaFunction, env: Record<string, string>): string {
  const code = 'inline' in fn.code ? fn.code.inline : contentAddressed(fn.code.directory);
  const config = Object.entries(env).filter(([k]) => k !== 'LAMBDA_TASK_ROOT').sort();
  return JSON.stringify([code, fn.handler, fn.runtime, fn.timeoutSeconds, fn.memorySize, config]);
}

function contentAddressed(directory: string): string {
  const name = path.basename(directory);
  return /^asset\.[0-9a-f]{64}$/.test(name) ? name : directory;
}

function loadSandbox(fn: LambdaFunction): Sandbox {
  const dot = fn.handler.indexOf('.', fn.handler.lastIndexOf('/') + 1);
  const moduleName = dot > 0 ? fn.handler.slice(0, dot) : fn.handler;
  const exportPath = dot > 0 ? fn.handler.slice(dot + 1).split('.') : [];
  let exports: unknown;
  try {
    if ('directory' in fn.code) {
      const loader = new CommonJsLoader(fn.code.directory);
      exports = loader.loadEntry(moduleName);
    } else {
      if (moduleName !== 'index') {
        throw moduleNotFound(moduleName, '/var/task');
      }
      exports = new CommonJsLoader('/var/task').loadSource('/var/task/index.js', fn.code.inline);
    }
  } catch (e) {
    return { initError: { errorType: 'Runtime.ImportModuleError', errorMessage: `${errorTypeOf(e)}: ${errorMessageOf(e)}` } };
  }
  let handler: unknown = exports;
  for (const name of exportPath) {
    handler = handler === null || handler === undefined ? undefined : (handler as Record<string, unknown>)[name];
  }
  if (exportPath.length === 0 || handler === undefined) {
    return { initError: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${fn.handler} is undefined or not exported` } };
  }
  if (typeof handler !== 'function') {
    return { initError: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${fn.handler} is not a function` } };
  }
  return { handler: handler as (...args: unknown[]) => unknown };
}

/**
 * A CommonJS loader of its own, so every driver gets fresh module state whatever module registry the test
 * runs under (Jest's or Node's). Code is compiled in the caller's realm, so it sees the same `process.env`.
 * Like Lambda, only the asset's own files, Node built-ins and the runtime's AWS SDK v3 can be required.
 */
class CommonJsLoader {
  private readonly cache = new Map<string, { exports: unknown }>();

  constructor(private readonly root: string) {}

  /** The handler's module, as the Node.js runtime finds it in the task root. */
  public loadEntry(moduleName: string): unknown {
    const base = path.resolve(this.root, moduleName);
    if (fs.existsSync(`${base}.mjs`) && !fs.existsSync(`${base}.js`)) {
      throw new Error(`ES module handlers (${moduleName}.mjs) are not supported by the lifecycle driver`);
    }
    const file = [`${base}.js`, `${base}.cjs`].find(f => fs.existsSync(f));
    if (!file) {
      throw moduleNotFound(moduleName, this.root);
    }
    return this.load(file);
  }

  public loadSource(filename: string, source: string): unknown {
    return this.evaluate(filename, source);
  }

  private load(file: string): unknown {
    const cached = this.cache.get(file);
    if (cached) {
      return cached.exports;
    }
    const source = fs.readFileSync(file, 'utf8');
    return file.endsWith('.json') ? this.remember(file, JSON.parse(source)) : this.evaluate(file, source);
  }

  private remember(file: string, exports: unknown): unknown {
    this.cache.set(file, { exports });
    return exports;
  }

  private evaluate(file: string, source: string): unknown {
    const mod = { exports: {} as unknown, id: file, filename: file, loaded: false, children: [], paths: [] };
    this.cache.set(file, mod);
    const body = `${source.replace(/^#!.*/, '')}\n//# sourceURL=${file}`;
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', body);
    try {
      wrapper.call(mod.exports, mod.exports, this.requireFor(file), mod, file, path.dirname(file));
    } catch (e) {
      this.cache.delete(file);
      throw e;
    }
    mod.loaded = true;
    return mod.exports;
  }

  private requireFor(file: string): NodeJS.Require {
    const requireFn = ((specifier: string) => {
      const resolved = this.resolve(specifier, file);
      return typeof resolved === 'string' ? this.load(resolved) : resolved.host();
    }) as NodeJS.Require;
    requireFn.resolve = ((specifier: string) => {
      const resolved = this.resolve(specifier, file);
      return typeof resolved === 'string' ? resolved : specifier;
    }) as NodeJS.RequireResolve;
    requireFn.cache = {};
    return requireFn;
  }

  /** A file inside the asset, or a module the Lambda runtime itself provides. */
  private resolve(specifier: string, from: string): string | { host: () => unknown } {
    const bare = specifier.replace(/^node:/, '');
    if (specifier.startsWith('node:') || builtinModules.includes(bare)) {
      return { host: () => require(specifier) };
    }
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
      const file = resolveFile(path.resolve(path.dirname(from), specifier));
      if (file) {
        return file;
      }
      throw moduleNotFound(specifier, from);
    }
    for (let dir = path.dirname(from); dir.startsWith(this.root); dir = path.dirname(dir)) {
      const file = resolveFile(path.join(dir, 'node_modules', specifier));
      if (file) {
        return file;
      }
      if (dir === path.dirname(dir)) {
        break;
      }
    }
    // the Node.js runtimes ship AWS SDK v3 (the host's copy stands in for it).
    if (/^@(aws-sdk|smithy)\//.test(specifier)) {
      return { host: () => require(specifier) };
    }
    throw moduleNotFound(specifier, from);
  }
}

function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}.json`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return candidate;
    }
  }
  if (fs.existsSync(base) && fs.statSync(base).isDirectory()) {
    const manifest = path.join(base, 'package.json');
    const main = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')).main : undefined;
    return (main && resolveFile(path.resolve(base, main))) || resolveFile(path.join(base, 'index'));
  }
  return undefined;
}

function moduleNotFound(specifier: string, from: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'\nRequire stack:\n- ${from}`), { code: 'MODULE_NOT_FOUND' });
}

/**
 * `process.env` is global: invocations with the same environment may overlap (concurrent resources of one
 * provider), one with a different environment waits until they finish. The host's environment is restored after.
 */
class EnvironmentScope {
  private active?: { key: string; count: number; saved: Record<string, string | undefined> };
  private waiters: Array<() => void> = [];

  public async enter(env: Record<string, string>): Promise<void> {
    const key = JSON.stringify(Object.entries(env).sort());
    while (this.active && this.active.key !== key) {
      await new Promise<void>(resolve => this.waiters.push(resolve));
    }
    if (!this.active) {
      this.active = { key, count: 0, saved: { ...process.env } };
      replaceEnv(env);
    }
    this.active.count++;
  }

  public exit(): void {
    if (!this.active || --this.active.count > 0) {
      return;
    }
    replaceEnv(this.active.saved);
    this.active = undefined;
    this.waiters.splice(0).forEach(wake => wake());
  }
}

const envScope = new EnvironmentScope();

/** Mutates in place: `process.env` is a special object under Node and a sandbox copy under Jest. */
function replaceEnv(env: Record<string, string | undefined>): void {
  for (const key of Object.keys(process.env)) {
    if (!(key in env)) {
      delete process.env[key];
    }
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) {
      process.env[key] = value;
    }
  }
}
