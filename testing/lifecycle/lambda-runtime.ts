/**
 * Runs a Lambda function's code the way the Node.js Lambda runtime would: loaded from its asset directory,
 * with the function's environment, a context object, JSON in and out, the function's timeout, and errors
 * reported in the runtime's shape (`errorType`, `errorMessage`, `trace`).
 *
 * Each execution environment (sandbox) is isolated as far as one process allows: its own module state, its
 * own `process.env` (a `process` of its own is passed to every module it loads), its own copy of the AWS SDK
 * the runtime provides (loaded from this project's node_modules, as the runtime loads it from
 * /var/runtime/node_modules), and its own network: HTTPS connections to the host names in `network` go to a
 * loopback port instead, trusting that host's test certificate (the sandbox's DNS and trust store).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import { builtinModules } from 'module';
import * as path from 'path';
import { Duplex } from 'stream';
import * as tls from 'tls';

/** Captured before any test can install fake timers, which would otherwise freeze the timeout. */
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const realSetImmediate = setImmediate;

/**
 * Calls the handler from a fresh macrotask, named and placed as the Node.js runtime's own frame, so that the stack
 * of an error it throws (the `trace` Lambda reports) has the handler's frames and the runtime's, not the test's.
 */
const runtimeInvoke = new Function(`return function handleOnceNonStreaming(handler, event, context, callback, done) {
  let returned;
  try {
    returned = handler(event, context, callback);
  } catch (error) {
    return done(error);
  }
  done(null, returned);
}
//# sourceURL=file:///var/runtime/index.mjs`)() as (...args: unknown[]) => void;

/**
 * Stands in for /var/runtime/node_modules, the SDK packages the Node.js runtimes ship: the node_modules that holds
 * `@aws-sdk/client-lambda` (which aws-cdk-lib's Provider framework loads from there), this project's or that of the
 * app that installed the testing kit. Without it, a function that needs it fails as in a runtime that lacked it: the
 * module is not found.
 */
const RUNTIME_MODULES = runtimeModules();
const RUNTIME_PACKAGES = /^@(aws-sdk|smithy)\//;

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
  /** Where Lambda sends the function's logs (`functionLogGroup`). */
  readonly logGroupName: string;
  /** `Environment.Variables`, resolved. */
  readonly environment: Record<string, string>;
}

/**
 * The log group Lambda sends a function's logs to: its `LoggingConfig.LogGroup`, else the one named after the function,
 * `/aws/lambda/<function name>` (Lambda developer guide, "Configuring CloudWatch log groups").
 */
export function functionLogGroup(functionName: string, properties: { readonly LoggingConfig?: { readonly LogGroup?: unknown } }): string {
  const configured = properties.LoggingConfig?.LogGroup;
  return typeof configured === 'string' ? configured : `/aws/lambda/${functionName}`;
}

/** A function error, as the runtime reports it (and Lambda's Invoke returns it, with `X-Amz-Function-Error: Unhandled`). */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | ({ readonly ok: false } & FunctionError);

/** Where the sandbox's TLS connections to a host name really go. */
export interface NetworkRoute {
  readonly port: number;
  /** The certificate (PEM) the host presents, which the sandbox trusts for it. */
  readonly ca: string;
}

export interface LambdaRuntimeOptions {
  readonly region: string;
  /** Added last, over the function's own variables. */
  readonly env: Record<string, string>;
  /** Multiplies every function timeout, so tests of timeouts stay fast. */
  readonly timeoutScale: number;
  /** Host names the sandbox's `https` reaches on loopback. @default - none */
  readonly network?: (hostname: string) => NetworkRoute | undefined;
  /** The `Date` the function sees (`Clock.dateClass()`). @default - the host's */
  readonly date?: DateConstructor;
}

/** A loaded sandbox: module state persists between invocations, as in a warm Lambda execution environment. */
interface Sandbox {
  readonly handler?: (...args: unknown[]) => unknown;
  readonly initError?: FunctionError;
}

export class LambdaRuntime {
  /** Idle sandboxes, by function code and configuration. */
  private readonly sandboxes = new Map<string, Sandbox[]>();

  constructor(private readonly options: LambdaRuntimeOptions) {}

  /** Invokes the function synchronously (`RequestResponse`); `requestId` is the invocation's (the context's `awsRequestId`). */
  public async invoke(fn: LambdaFunction, payload: unknown, requestId: string = randomUUID()): Promise<InvokeOutcome> {
    const env = this.environmentOf(fn);
    const key = sandboxKey(fn, env);
    // Lambda serves concurrent invocations from separate execution environments, each with its own module state (an
    // SDK client's retry quota, say): an invocation takes an idle sandbox, or loads a new one, and returns it after.
    const idle = this.sandboxes.get(key) ?? [];
    this.sandboxes.set(key, idle);
    const sandbox = idle.pop() ?? loadSandbox(fn, env, this.options.network, this.options.date);
    if (sandbox.initError) {
      idle.push(sandbox);
      return { ok: false, ...sandbox.initError };
    }
    const timeoutMs = fn.timeoutSeconds * 1000 * this.options.timeoutScale;
    const outcome = await withTimeout(callHandler(sandbox.handler!, fn, jsonCopy(payload), timeoutMs, requestId), timeoutMs);
    if (outcome === TIMED_OUT) {
      // Lambda discards the execution environment of a timed-out invocation.
      return { ok: false, errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` };
    }
    idle.push(sandbox);
    return outcome;
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
      AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
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

async function callHandler(
  handler: (...args: unknown[]) => unknown, fn: LambdaFunction, event: unknown, timeoutMs: number, requestId: string,
): Promise<InvokeOutcome> {
  const deadline = Date.now() + timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: requestId,
    logGroupName: fn.logGroupName,
    logStreamName: `2024/01/01/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      const callback = (error: unknown, value: unknown): void => (error ? reject(error) : resolve(value));
      realSetImmediate(runtimeInvoke, handler, event, context, callback, (error: unknown, returned: { then?: unknown } | undefined) => {
        if (error) {
          reject(error);
        } else if (returned && typeof returned.then === 'function') {
          // not `then(resolve, reject)`: an error's async stack would go on into the test's frames.
          (returned as Promise<unknown>).then(value => resolve(value), e => reject(e));
        } else if (handler.length < 3) {
          resolve(returned);
        }
      });
    });
    try {
      return { ok: true, payload: jsonCopy(result) };
    } catch (e) {
      return { ok: false, errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${errorMessageOf(e)}` };
    }
  } catch (e) {
    return { ok: false, ...functionError(e) };
  }
}

/** Lambda passes JSON: the handler can neither see nor keep references into the caller's objects. */
function jsonCopy(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** What the runtime reports for a thrown value: an error's name, message and stack lines; anything else by its type. */
function functionError(e: unknown): FunctionError {
  // duck-typed: errors may come from another realm (Node built-ins under Jest), where `instanceof Error` fails.
  if (e !== null && typeof e === 'object' && 'message' in e && typeof (e as Error).stack === 'string') {
    const error = e as Error;
    return { errorType: String(error.name), errorMessage: String(error.message), trace: error.stack!.split('\n') };
  }
  return { errorType: typeof e, errorMessage: errorMessageOf(e), trace: [] };
}

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

function loadSandbox(fn: LambdaFunction, env: Record<string, string>, network: LambdaRuntimeOptions['network'], date = Date): Sandbox {
  const dot = fn.handler.indexOf('.', fn.handler.lastIndexOf('/') + 1);
  const moduleName = dot > 0 ? fn.handler.slice(0, dot) : fn.handler;
  const exportPath = dot > 0 ? fn.handler.slice(dot + 1).split('.') : [];
  const sandbox = { process: sandboxProcess(env), https: sandboxHttps(network), Date: date };
  let exports: unknown;
  try {
    if ('directory' in fn.code) {
      exports = new CommonJsLoader(fn.code.directory, sandbox).loadEntry(moduleName);
    } else {
      if (moduleName !== 'index') {
        throw moduleNotFound(moduleName, '/var/task');
      }
      exports = new CommonJsLoader('/var/task', sandbox).loadSource('/var/task/index.js', fn.code.inline);
    }
  } catch (e) {
    const cause = functionError(e);
    const errorMessage = `${cause.errorType}: ${cause.errorMessage}`;
    return { initError: { errorType: 'Runtime.ImportModuleError', errorMessage, trace: [`Runtime.ImportModuleError: ${errorMessage}`] } };
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

/** The host's `process`, but with the sandbox's own `env`. */
function sandboxProcess(env: Record<string, string>): NodeJS.Process {
  const bound = new Map<PropertyKey, unknown>();
  // the sandbox runs on the test's Node.js, not the function's runtime: the SDK's warning about that engine is not the function's.
  const emitWarning = (warning: string | Error, ...rest: any[]): void => {
    if (!String(typeof warning === 'string' ? warning : warning.message).startsWith('NodeVersionSupportWarning')) {
      process.emitWarning(warning, ...rest);
    }
  };
  return new Proxy(process, {
    get(target, property) {
      if (property === 'env') {
        return env;
      }
      if (property === 'emitWarning') {
        return emitWarning;
      }
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') {
        return value;
      }
      if (!bound.has(property)) {
        bound.set(property, Object.assign(value.bind(target), value));
      }
      return bound.get(property);
    },
  });
}

/** The host's `https`, whose default agent connects the routed host names to their loopback ports. */
function sandboxHttps(network: LambdaRuntimeOptions['network']): typeof https {
  if (!network) {
    return https;
  }
  class SandboxAgent extends https.Agent {
    public createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      const hostname = String((options as tls.ConnectionOptions).servername || options.host || 'localhost');
      const route = network!(hostname);
      if (!route) {
        return super.createConnection(options, callback);
      }
      // as https.Agent does: the socket is returned, not passed to the callback.
      return tls.connect({ ...(options as tls.ConnectionOptions), host: '127.0.0.1', port: route.port, servername: hostname, ca: [route.ca] });
    }
  }
  const agent = new SandboxAgent({ keepAlive: true });
  // https.request takes (url | options, [options], [callback]); the agent is only a default, as the global one is.
  const request = ((...args: any[]) => {
    const url = typeof args[0] === 'string' || args[0] instanceof URL ? args.shift() : undefined;
    const options = args[0] && typeof args[0] !== 'function' ? args.shift() : {};
    const merged = url === undefined ? { ...options } : { ...urlOptions(new URL(String(url))), ...options };
    if (merged.agent === undefined && typeof merged.createConnection !== 'function') {
      merged.agent = agent;
    }
    return https.request(merged, ...args);
  }) as typeof https.request;
  const get = ((...args: Parameters<typeof https.request>) => {
    const req = request(...args);
    req.end();
    return req;
  }) as typeof https.get;
  return { ...https, globalAgent: agent, request, get };
}

function urlOptions(url: URL): https.RequestOptions {
  return {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    path: `${url.pathname}${url.search}`,
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  };
}

/**
 * A CommonJS loader of its own, so every sandbox gets fresh module state whatever module registry the test
 * runs under (Jest's or Node's). Code is compiled in the caller's realm (so `Buffer`, `Uint8Array` and errors
 * are the host's), with the sandbox's `process`. Like Lambda, only the asset's own files, Node built-ins and
 * the runtime's AWS SDK v3 can be required.
 */
class CommonJsLoader {
  private readonly cache = new Map<string, { exports: unknown }>();

  constructor(
    private readonly root: string,
    private readonly sandbox: { readonly process: NodeJS.Process; readonly https: typeof https; readonly Date: DateConstructor },
  ) {}

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
    if (file.endsWith('.json')) {
      const exports = JSON.parse(source);
      this.cache.set(file, { exports });
      return exports;
    }
    return this.evaluate(file, source);
  }

  private evaluate(file: string, source: string): unknown {
    const mod = { exports: {} as unknown, id: file, filename: file, loaded: false, children: [], paths: [] };
    this.cache.set(file, mod);
    // stack traces name the task's files as Lambda shows them (/var/task/...).
    const shown = file.startsWith(`${this.root}${path.sep}`) ? path.posix.join('/var/task', path.relative(this.root, file).split(path.sep).join('/')) : file;
    const body = `${source.replace(/^#!.*/, '')}\n//# sourceURL=${shown}`;
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', 'Date', body);
    try {
      wrapper.call(mod.exports, mod.exports, this.requireFor(file), mod, file, path.dirname(file), this.sandbox.process, this.sandbox.Date);
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

  /** A file inside the asset or the runtime's modules, or a built-in (the sandbox's own `process` and `https`). */
  private resolve(specifier: string, from: string): string | { host: () => unknown } {
    const bare = specifier.replace(/^node:/, '');
    if (specifier.startsWith('node:') || builtinModules.includes(bare)) {
      if (bare === 'process') {
        return { host: () => this.sandbox.process };
      }
      if (bare === 'https') {
        return { host: () => this.sandbox.https };
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module the handler asked for, by its own specifier
      return { host: () => require(specifier) };
    }
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
      const file = resolveFile(path.resolve(path.dirname(from), specifier));
      if (file) {
        return file;
      }
      throw moduleNotFound(specifier, from);
    }
    // node_modules from the requiring file up to its root: the task's, or (for the runtime's own files) the runtime's.
    const inRuntime = from.startsWith(`${RUNTIME_MODULES}${path.sep}`);
    const top = inRuntime ? path.dirname(RUNTIME_MODULES) : this.root;
    for (let dir = path.dirname(from); dir.startsWith(top); dir = path.dirname(dir)) {
      const file = resolvePackage(path.join(dir, 'node_modules'), specifier);
      if (file) {
        return file;
      }
      if (dir === path.dirname(dir)) {
        break;
      }
    }
    // the Node.js runtimes ship AWS SDK v3 on their NODE_PATH.
    if (RUNTIME_PACKAGES.test(specifier)) {
      const file = resolvePackage(RUNTIME_MODULES, specifier);
      if (file) {
        return file;
      }
    }
    throw moduleNotFound(specifier, from);
  }
}

/** A package's file in a node_modules directory, following its `exports` (conditions node, require, default) or `main`. */
function resolvePackage(nodeModules: string, specifier: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const base = path.join(nodeModules, ...parts.slice(0, nameLength));
  const subpath = ['.', ...parts.slice(nameLength)].join('/');
  const manifestFile = path.join(base, 'package.json');
  if (!fs.existsSync(manifestFile)) {
    return resolveFile(path.join(nodeModules, specifier));
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  if (manifest.exports === undefined) {
    return resolveFile(path.join(base, subpath));
  }
  const exportsMap = typeof manifest.exports === 'string' || Array.isArray(manifest.exports) || !Object.keys(manifest.exports).some(k => k.startsWith('.'))
    ? { '.': manifest.exports }
    : manifest.exports;
  let target = exportsMap[subpath];
  let star: string | undefined;
  if (target === undefined) {
    const pattern = Object.keys(exportsMap).find(k => k.includes('*') && subpath.startsWith(k.split('*')[0]) && subpath.endsWith(k.split('*')[1]));
    if (pattern) {
      const [prefix, suffix] = pattern.split('*');
      star = subpath.slice(prefix.length, subpath.length - suffix.length);
      target = exportsMap[pattern];
    }
  }
  const chosen = conditionalTarget(target);
  return chosen === undefined ? undefined : resolveFile(path.join(base, star === undefined ? chosen : chosen.split('*').join(star)));
}

function conditionalTarget(target: unknown): string | undefined {
  if (typeof target === 'string') {
    return target;
  }
  if (Array.isArray(target)) {
    return target.map(conditionalTarget).find(t => t !== undefined);
  }
  if (target !== null && typeof target === 'object') {
    const key = Object.keys(target).find(k => ['node', 'require', 'default'].includes(k));
    return key === undefined ? undefined : conditionalTarget((target as Record<string, unknown>)[key]);
  }
  return undefined;
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

function runtimeModules(): string {
  try {
    return path.resolve(path.dirname(require.resolve('@aws-sdk/client-lambda/package.json')), '..', '..');
  } catch {
    return path.resolve(__dirname, '..', '..', 'node_modules');
  }
}
