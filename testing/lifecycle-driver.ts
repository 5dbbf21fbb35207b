/**
 * Deploys a synthesized CDK stack locally the way CloudFormation would, as far as custom resources go: every custom
 * resource whose ServiceToken is a Node.js Lambda function of the stack gets CloudFormation's events, in dependency
 * order, through Create, Update (with replacement and cleanup), rollback and Delete. Other resources are deployed
 * instantly with plausible fake identifiers, so references to them resolve.
 *
 * Architecture: the driver plays CloudFormation, and reads nothing internal to aws-cdk-lib. For each request it
 *
 *   1. builds CloudFormation's event, whose `ResponseURL` is on the real response host name;
 *   2. invokes the ServiceToken's function (from its asset in the cloud assembly) with a `LambdaRuntime`, as Lambda runs
 *      an asynchronous invocation: retried up to twice on a function error;
 *   3. the function PUTs its answer over HTTPS to the ResponseURL. The sandbox's network sends that host name to a local
 *      TLS server (`lifecycle/response-server.ts`) with a certificate made at test time and trusted only inside the
 *      sandbox: the function's HTTPS request runs unchanged, and nothing in the test process has to trust a test
 *      certificate or listen on port 443. (A function that invokes another, as aws-cdk-lib's Provider framework does,
 *      reaches a local emulation of the Lambda API, `lifecycle/lambda-api.ts`, through `AWS_ENDPOINT_URL_LAMBDA`.)
 *   4. the driver reads the captured response as CloudFormation would: the first one counts, a body over 4 KB fails
 *      the resource, and no response before the resource's `ServiceTimeout` (scaled) fails it as timed out.
 *
 * Every function is also pointed at local DynamoDB and EventBridge fakes that hold the stack's tables and rules.
 * Servers listen on 127.0.0.1 only, start with the first deploy and do not keep the process alive; `close()` stops them.
 */
import { randomUUID } from 'crypto';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { FakeDynamoDb } from './fake-dynamodb';
import { FakeEventBridge } from './fake-eventbridge';
import { AssemblySource, SynthesizedStack, Template, TemplateResource, assetDirectory, synthesize } from './lifecycle/assembly';
import { FakeEnvironment, fakeAttribute, fakePhysicalId, fakeRef, lambdaFunctionArn } from './lifecycle/fake-resources';
import { invert, schedule, topologicalOrder } from './lifecycle/graph';
import {
  PSEUDO_PARAMETERS, ResolutionError, ResolveContext, evaluateConditions, referencedNames, resolveValue, stringifyScalars,
} from './lifecycle/intrinsics';
import { LambdaApi } from './lifecycle/lambda-api';
import { LambdaFunction, LambdaRuntime, functionLogGroup } from './lifecycle/lambda-runtime';
import { CapturedResponse, ResponseServer } from './lifecycle/response-server';

export type { SynthesizedStack, Template } from './lifecycle/assembly';
export { assemblyStacks } from './lifecycle/assembly';
export type { LambdaApi, LambdaCall, LambdaFaultSpec } from './lifecycle/lambda-api';
export type { CapturedResponse, ResponseServer } from './lifecycle/response-server';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** A CloudFormation custom resource request, as CloudFormation sends it. */
export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Update and Delete only. */
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  /** Every scalar a string, `ServiceToken` included. */
  readonly ResourceProperties: Record<string, unknown>;
  /** Update only. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** Which requests CloudFormation delivers more than once (the same event, the same RequestId). */
export interface DuplicateDelivery {
  /** @default - every custom resource */
  readonly logicalIds?: readonly string[];
  /** @default - every request type */
  readonly requestTypes?: readonly RequestType[];
  /** Both deliveries at once, instead of the second after the first has ended. @default false */
  readonly concurrent?: boolean;
  /** How many times each such request is delivered. @default 2 */
  readonly deliveries?: number;
}

export interface LifecycleDriverOptions {
  /** `AWS::Region` and the handler's `AWS_REGION`. @default - the stack's region if concrete, else us-east-1 */
  readonly region?: string;
  /** `AWS::AccountId`. @default - the stack's account if concrete, else 123456789012 */
  readonly accountId?: string;
  /** Extra environment for every handler invocation, over the function's own (e.g. `AWS_ENDPOINT_URL_IVS_REALTIME`). */
  readonly env?: Record<string, string>;
  /** Multiplies every function's `Timeout` (e.g. 0.01 turns 3 s into 30 ms). @default 1 */
  readonly timeoutScale?: number;
  /** Custom resource operations in flight at once, for independent resources (CloudFormation runs them in parallel). @default 1 */
  readonly concurrency?: number;
  /** Values for template parameters. @default - each parameter's Default */
  readonly parameters?: Record<string, string>;
  /**
   * Custom resource types deployed as no-ops, like non-custom resources: for types whose ServiceToken the driver
   * cannot run (not a Node.js function of the stack), or a test has no use for. @default - none
   */
  readonly skipResourceTypes?: string[] | ((type: string) => boolean);
  /**
   * Resolves `Fn::ImportValue`: the value another stack exports under the name (undefined: none does, and the
   * resource fails as in CloudFormation). @default - `Fn::ImportValue` fails the resource
   */
  readonly importValue?: (exportName: string) => unknown;
  /**
   * Requests delivered twice, as CloudFormation's at-least-once delivery (and Lambda's retry of an asynchronous
   * invocation) may: the ServiceToken's function is invoked twice with the same event. The first response counts; the driver
   * moves on once both deliveries have ended, so what the second did is settled when the operation returns.
   * @default - every request once
   */
  readonly duplicateDelivery?: DuplicateDelivery;
  /**
   * Told when a resource the driver deploys as an instant fake (anything but a custom resource) is created, and when it
   * is deleted (unless retained): for a test fake that must hold what CloudFormation would have made (e.g. a KMS key).
   * @default - nobody is told
   */
  readonly onFakeResource?: (event: FakeResourceEvent) => void;
  /** The `Date` the functions see (a `Clock`'s, shifted as a test moves time forward). @default - the host's */
  readonly date?: DateConstructor;
}

/** The local servers a driver runs the protocol's other sides on. */
interface Servers {
  readonly responses: ResponseServer;
  readonly lambda: LambdaApi;
  readonly dynamoDb: FakeDynamoDb;
  readonly eventBridge: FakeEventBridge;
}

/** A resource the driver fakes, as it is created or deleted. */
export interface FakeResourceEvent {
  readonly requestType: 'Create' | 'Delete';
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  /** Resolved, as in the template (not stringified). */
  readonly properties: Record<string, unknown>;
}

/** One CloudFormation resource event of a stack operation. */
export interface LifecycleEvent {
  readonly logicalId: string;
  readonly requestType: RequestType;
  /** As the response reported it (a failed Create's too, which the rollback's Delete is sent); absent when there was no response. */
  readonly physicalId?: string;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly noEcho?: boolean;
  /** `deploy`: the create/update itself; `cleanup`: deletes after a successful update; `rollback`; `destroy`. */
  readonly phase: 'deploy' | 'cleanup' | 'rollback' | 'destroy';
}

export interface LifecycleResult {
  /**
   * SUCCEEDED: CREATE/UPDATE/DELETE_COMPLETE (cleanup failures do not fail an update, as in CloudFormation);
   * ROLLED_BACK: the operation failed and was rolled back; FAILED: a template error (nothing was done),
   * a DELETE_FAILED, or a rollback that failed too.
   */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  readonly events: LifecycleEvent[];
  /** Why it failed (first failure, as `LogicalId: reason`), or which cleanup deletes failed. */
  readonly reason?: string;
}

/** The outcome of `invoke()`. */
export interface InvokeResult {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly noEcho: boolean;
  readonly reason?: string;
  /** The event sent. */
  readonly event?: CustomResourceEvent;
}

/** What the driver read from the responses to one request. */
interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  /** Absent when CloudFormation cannot take one from the response (none came, or it was refused). */
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly noEcho: boolean;
  readonly reason?: string;
}

interface ResourceState {
  readonly logicalId: string;
  readonly type: string;
  readonly custom: boolean;
  readonly physicalId: string;
  /** `Data` of the last response (custom resources). */
  readonly attributes: Record<string, unknown>;
  /** Resolved properties; stringified for custom resources, as last sent. */
  readonly properties: Record<string, unknown>;
  readonly noEcho: boolean;
  readonly definition: TemplateResource;
  readonly source: AssemblySource;
  /** The request whose response set the attributes (named by CloudFormation's attribute error). */
  readonly requestId?: string;
}

/** A template as deployed: active resources (conditions applied), parameter values and dependency order. */
class TemplateModel {
  public readonly resources: Record<string, TemplateResource>;
  public readonly dependencies = new Map<string, Set<string>>();
  public readonly order: string[];
  public readonly conditions: Record<string, boolean>;

  constructor(
    public readonly template: Template,
    public readonly source: AssemblySource,
    public readonly parameters: Record<string, unknown>,
    pseudo: Omit<ResolveContext, 'condition' | 'parameters' | 'mappings' | 'ref' | 'getAtt'>,
  ) {
    const all = template.Resources ?? {};
    const noResources = (): never => {
      throw new ResolutionError('Template format error: Conditions can only be boolean operations on parameters and other conditions');
    };
    this.conditions = evaluateConditions(template.Conditions, {
      ...pseudo, parameters, mappings: template.Mappings ?? {}, ref: noResources, getAtt: noResources,
    });
    this.resources = Object.fromEntries(Object.entries(all).filter(([, r]) => !r.Condition || this.conditionValue(r.Condition)));
    const known = new Set([...Object.keys(all), ...Object.keys(parameters), ...PSEUDO_PARAMETERS]);
    for (const [id, resource] of Object.entries(this.resources)) {
      const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
      const referenced = [...referencedNames(resource.Properties ?? {})];
      const unresolved = [...dependsOn.filter(d => !(d in all)), ...referenced.filter(n => !known.has(n))];
      if (unresolved.length > 0) {
        throw new ResolutionError(`Template format error: Unresolved resource dependencies [${unresolved.join(', ')}] in the Resources block of the template`);
      }
      this.dependencies.set(id, new Set([...dependsOn, ...referenced].filter(n => n in this.resources)));
    }
    this.order = topologicalOrder(Object.keys(this.resources), this.dependencies);
  }

  public conditionValue(name: string): boolean {
    if (!(name in this.conditions)) {
      throw new ResolutionError(`Template format error: Unresolved condition dependency ${name}`);
    }
    return this.conditions[name];
  }
}

/** The state of one stack operation. */
interface Operation {
  readonly states: Map<string, ResourceState>;
  readonly events: LifecycleEvent[];
}

const MAX_RESPONSE_BYTES = 4096;
/** CloudFormation's default (and greatest) ServiceTimeout. */
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
/** An asynchronous invocation and Lambda's two retries after a function error. */
const ASYNC_INVOKE_ATTEMPTS = 3;
/** Captured before any test can install fake timers. */
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);

export class LifecycleDriver {
  /** Every event CloudFormation sent to a ServiceToken, in order (deep copies). */
  public readonly sentEvents: CustomResourceEvent[] = [];
  private readonly options: LifecycleDriverOptions;
  private runtime?: LambdaRuntime;
  private capturedBy?: ResponseServer;
  private servers?: Promise<Servers>;
  /** Set once `servers` has started: the tables and rules the driver creates are made there. */
  private fakeServices?: { readonly dynamoDb: FakeDynamoDb; readonly eventBridge: FakeEventBridge };
  /** The states functions are looked up in by the Lambda API (those of the operation under way). */
  private functionStates?: Map<string, ResourceState>;
  private env?: FakeEnvironment & { readonly stackId: string };
  private deployed?: { readonly model: TemplateModel; readonly states: Map<string, ResourceState> };
  private deployedOutputs: Record<string, unknown> = {};
  private deployedExports: Record<string, unknown> = {};
  private readonly nameSuffixes = new Map<string, string>();

  constructor(options: LifecycleDriverOptions = {}) {
    this.options = options;
  }

  /** Every response CloudFormation received, in arrival order (those of duplicate deliveries and late ones included). */
  public get responses(): readonly CapturedResponse[] {
    return this.capturedBy?.received ?? [];
  }

  /** The deployed template (undefined before the first deploy and after a destroy or a rolled-back create). */
  public get template(): Template | undefined {
    return this.deployed?.model.template;
  }

  /** The deployed stack's outputs, resolved. */
  public get outputs(): Record<string, unknown> {
    return { ...this.deployedOutputs };
  }

  /** The values the deployed stack exports (its outputs' `Export`), by export name. */
  public get exports(): Record<string, unknown> {
    return { ...this.deployedExports };
  }

  /** Creates the stack, or updates it if this driver deployed it before. */
  public async deploy(stack: Stack): Promise<LifecycleResult> {
    return this.deploySynthesized(synthesize(stack));
  }

  /** `deploy`, of a stack read from a cloud assembly directory (`assemblyStacks`). */
  public async deploySynthesized(stack: SynthesizedStack): Promise<LifecycleResult> {
    const { template, stackName, source } = stack;
    if (this.deployed && this.env && this.env.stackName !== stackName) {
      throw new Error(`This driver deploys stack ${this.env.stackName}; use another driver for ${stackName}`);
    }
    if (!this.deployed || !this.env) {
      const region = this.options.region ?? stack.region ?? 'us-east-1';
      const accountId = this.options.accountId ?? stack.accountId ?? '123456789012';
      const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
      this.env = {
        region,
        accountId,
        partition,
        stackName,
        urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
        stackId: `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`,
      };
      const { responses, dynamoDb, eventBridge } = await this.network();
      responses.addHost(responseHost(this.env));
      this.runtime = new LambdaRuntime({
        region,
        env: { AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint, AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint, ...this.options.env },
        timeoutScale: this.options.timeoutScale ?? 1,
        network: hostname => responses.route(hostname),
        date: this.options.date,
      });
    }
    let model: TemplateModel;
    try {
      model = new TemplateModel(template, source, this.parameterValues(template), this.env);
      this.checkTypeChanges(model);
    } catch (e) {
      return { status: 'FAILED', events: [], reason: messageOf(e) };
    }
    const result = await this.apply(model);
    await this.backgroundInvocations();
    return result;
  }

  /** Waits for what the stack's functions run in the background (asynchronous invocations), as the results count it. */
  private async backgroundInvocations(): Promise<void> {
    await (await this.servers)?.lambda.settled();
  }

  /**
   * The emulated Lambda API functions of the stack invoke others through (`AWS_ENDPOINT_URL_LAMBDA`): its `calls`, and
   * `injectFault(...)` to make an Invoke fail.
   */
  public async lambdaApi(): Promise<LambdaApi> {
    return (await this.network()).lambda;
  }

  /**
   * The DynamoDB every function is pointed at (`AWS_ENDPOINT_URL_DYNAMODB`, unless `env` sets it), holding the stack's
   * tables: their `items(...)`, and `injectFault(...)`.
   */
  public async dynamoDb(): Promise<FakeDynamoDb> {
    return (await this.network()).dynamoDb;
  }

  /**
   * The EventBridge every function is pointed at (`AWS_ENDPOINT_URL_EVENTBRIDGE`, unless `env` sets it), holding the
   * stack's rules: whether each is enabled (`rule(name)`), and `injectFault(...)`.
   */
  public async eventBridge(): Promise<FakeEventBridge> {
    return (await this.network()).eventBridge;
  }

  /** CloudFormation's response endpoint: its `received` responses, and `injectFault(...)` to refuse the functions' PUTs. */
  public async responseServer(): Promise<ResponseServer> {
    return (await this.network()).responses;
  }

  /** Stops the driver's local servers (they do not keep the process alive, but a test may want them gone); the driver is done after. */
  public async close(): Promise<void> {
    const servers = await this.servers;
    this.servers = undefined;
    await Promise.all([servers?.responses.close(), servers?.lambda.close(), servers?.dynamoDb.stop(), servers?.eventBridge.stop()]);
  }

  /** Deletes the stack: every resource in reverse dependency order, except those retained. */
  public async destroy(): Promise<LifecycleResult> {
    if (!this.deployed) {
      return { status: 'SUCCEEDED', events: [] };
    }
    const { model, states } = this.deployed;
    const op: Operation = { states, events: [] };
    const ids = [...[...model.order].reverse().filter(id => states.has(id)), ...[...states.keys()].filter(id => !model.order.includes(id))];
    let firstFailure: string | undefined;
    const blocked = await schedule(ids, invert(model.order, model.dependencies), async id => {
      const failure = await this.remove(op, states.get(id)!, 'destroy', RETAINED);
      if (failure === undefined) {
        states.delete(id);
        return true;
      }
      firstFailure ??= `${id}: ${failure}`;
      return false;
    }, { concurrency: this.concurrency, onFailure: 'block' });
    await this.backgroundInvocations();
    if (states.size > 0) {
      const reason = firstFailure ?? `not deleted: ${blocked.join(', ')}`;
      return { status: 'FAILED', events: op.events, reason };
    }
    this.forget();
    return { status: 'SUCCEEDED', events: op.events };
  }

  /** The resource's physical ID (for custom resources, the one the handler returned). */
  public physicalId(logicalId: string): string {
    return this.state(logicalId).physicalId;
  }

  /** The deployed function as Lambda runs it: its code from the cloud assembly, its resolved settings. */
  public deployedFunction(logicalId: string): LambdaFunction {
    return this.lambdaFunction(this.state(logicalId));
  }

  /** The custom resource's attributes: the `Data` of its last response. */
  public attributes(logicalId: string): Record<string, unknown> {
    return { ...this.state(logicalId).attributes };
  }

  /** The resource's resolved properties (for custom resources, stringified, as last sent to the handler). */
  public resolvedProperties(logicalId: string): Record<string, unknown> {
    return structuredClone(this.state(logicalId).properties);
  }

  /** The logical ID of a construct's CloudFormation resource (following `node.defaultChild` down to it). */
  public logicalIdOf(construct: IConstruct): string {
    let element: IConstruct | undefined = construct;
    while (element && !CfnElement.isCfnElement(element)) {
      element = element.node.defaultChild;
    }
    if (!element) {
      throw new Error(`${construct.node.path} has no CloudFormation resource (node.defaultChild)`);
    }
    const cfn = element;
    return Stack.of(cfn).resolve(cfn.logicalId);
  }

  /**
   * Sends one raw event for a deployed custom resource to its ServiceToken, without changing the
   * driver's state. Properties default to the deployed ones (given ones are stringified).
   */
  public async invoke(logicalId: string, requestType: RequestType, overrides: {
    readonly properties?: Record<string, unknown>;
    readonly oldProperties?: Record<string, unknown>;
    readonly physicalId?: string;
  } = {}): Promise<InvokeResult> {
    const state = this.state(logicalId);
    const properties = overrides.properties
      ? stringifyScalars({ ServiceToken: state.properties.ServiceToken, ...overrides.properties }) as Record<string, unknown>
      : state.properties;
    const op: Operation = { states: this.deployed!.states, events: [] };
    const { response, event } = await this.send(op, {
      requestType,
      logicalId,
      type: state.type,
      properties,
      physicalId: requestType === 'Create' ? undefined : overrides.physicalId ?? state.physicalId,
      oldProperties: requestType === 'Update' ? stringifyScalars(overrides.oldProperties ?? state.properties) as Record<string, unknown> : undefined,
    });
    return { status: response.status, physicalId: response.physicalId, data: response.data, noEcho: response.noEcho, reason: response.reason, event };
  }

  /** Creates or updates to `model`; on failure rolls back as CloudFormation does. */
  private async apply(model: TemplateModel): Promise<LifecycleResult> {
    const previous = this.deployed;
    const old = previous?.states ?? new Map<string, ResourceState>();
    const op: Operation = { states: new Map(old), events: [] };
    const created: string[] = [];
    const updated = new Map<string, { readonly before: ResourceState; readonly attempted: Record<string, unknown> }>();
    const replaced = new Map<string, ResourceState>();
    let failure: string | undefined;
    const failed = (logicalId: string, reason: string): false => {
      failure ??= `${logicalId}: ${reason}`;
      return false;
    };
    // a failure CloudFormation reports without sending a request (so send() recorded no event).
    const refused = (logicalId: string, requestType: RequestType, reason: string, physicalId?: string): false => {
      op.events.push({ logicalId, requestType, ...(physicalId ? { physicalId } : {}), status: 'FAILED', reason, phase: 'deploy' });
      return failed(logicalId, reason);
    };

    await schedule(model.order, model.dependencies, async id => {
      const definition = model.resources[id];
      const before = old.get(id);
      const requestType: RequestType = before ? 'Update' : 'Create';
      let resolved: Record<string, unknown>;
      try {
        resolved = (resolveValue(definition.Properties ?? {}, this.resolveContext(op, model)) ?? {}) as Record<string, unknown>;
      } catch (e) {
        return refused(id, requestType, messageOf(e), before?.physicalId);
      }
      if (!this.isCustom(definition.Type)) {
        const state = this.fakeState(id, definition, resolved, model.source);
        op.states.set(id, state);
        if (!before) {
          this.fakeResourceChanged({ requestType: 'Create', logicalId: id, type: state.type, physicalId: state.physicalId, properties: resolved });
        }
        return true;
      }
      const properties = stringifyScalars(resolved) as Record<string, unknown>;
      const base = { logicalId: id, type: definition.Type, properties, definition, source: model.source, custom: true };
      if (!before) {
        const { response, requestId } = await this.send(op, { requestType, logicalId: id, type: definition.Type, properties });
        if (response.physicalId !== undefined) {
          op.states.set(id, { ...base, physicalId: response.physicalId, attributes: response.data, noEcho: response.noEcho, requestId });
          created.push(id);
        }
        return response.status === 'SUCCESS' || failed(id, response.reason!);
      }
      if (deepEqual(before.properties, properties)) {
        op.states.set(id, { ...before, definition, source: model.source });
        return true;
      }
      if (before.properties.ServiceToken !== properties.ServiceToken) {
        return refused(id, requestType, 'Modifying service token is not allowed.', before.physicalId);
      }
      updated.set(id, { before, attempted: properties });
      const { response, requestId } = await this.send(op, {
        requestType, logicalId: id, type: definition.Type, properties, physicalId: before.physicalId, oldProperties: before.properties,
      });
      if (response.status === 'FAILED') {
        return failed(id, response.reason!);
      }
      op.states.set(id, { ...base, physicalId: response.physicalId!, attributes: response.data, noEcho: response.noEcho, requestId });
      if (response.physicalId !== before.physicalId) {
        replaced.set(id, before);
      }
      return true;
    }, { concurrency: this.concurrency, onFailure: 'stop' });

    let outputs: ReturnType<LifecycleDriver['resolveOutputs']> = { outputs: {}, exports: {} };
    if (!failure) {
      try {
        outputs = this.resolveOutputs(op, model);
      } catch (e) {
        failure = `Outputs: ${messageOf(e)}`;
      }
    }
    if (failure) {
      return this.rollback(op, model, previous?.model, old, { created, updated, replaced, failure });
    }
    this.deployed = { model, states: op.states };
    this.deployedOutputs = outputs.outputs;
    this.deployedExports = outputs.exports;
    const cleanupFailures = await this.cleanup(op, model, previous?.model, old, replaced);
    return {
      status: 'SUCCEEDED',
      events: op.events,
      ...(cleanupFailures.length > 0 ? { reason: `cleanup failed: ${cleanupFailures.join('; ')}` } : {}),
    };
  }

  /**
   * After a successful update: deletes the resources removed from the template and the old physical IDs of
   * replaced ones (with their old properties). Failures are reported but do not fail the update; the stack
   * forgets the resources either way, as CloudFormation does.
   */
  private async cleanup(
    op: Operation, model: TemplateModel, oldModel: TemplateModel | undefined, old: Map<string, ResourceState>, replaced: Map<string, ResourceState>,
  ): Promise<string[]> {
    if (!oldModel) {
      return [];
    }
    const removed = new Set([...old.keys()].filter(id => !(id in model.resources)));
    const ids = [...oldModel.order].reverse().filter(id => removed.has(id) || replaced.has(id));
    const failures: string[] = [];
    await schedule(ids, invert(oldModel.order, oldModel.dependencies), async id => {
      const isRemoved = removed.has(id);
      const retained = isRemoved ? RETAINED : new Set(['Retain']);
      const failure = await this.remove(op, isRemoved ? old.get(id)! : replaced.get(id)!, 'cleanup', retained, !isRemoved ? model.resources[id].UpdateReplacePolicy : undefined);
      if (failure !== undefined) {
        failures.push(`${id}: ${failure}`);
      }
      return failure === undefined;
    }, { concurrency: this.concurrency, onFailure: 'block' });
    for (const id of removed) {
      op.states.delete(id);
    }
    return failures;
  }

  /**
   * Rolls a failed create or update back: resources updated (or whose update failed) get an Update back to their
   * previous properties, replaced ones return to their old physical ID, and what the operation created
   * (including replacements' new IDs) is deleted, in reverse order.
   */
  private async rollback(
    op: Operation,
    model: TemplateModel,
    oldModel: TemplateModel | undefined,
    old: Map<string, ResourceState>,
    journal: {
      readonly created: string[];
      readonly updated: Map<string, { readonly before: ResourceState; readonly attempted: Record<string, unknown> }>;
      readonly replaced: Map<string, ResourceState>;
      readonly failure: string;
    },
  ): Promise<LifecycleResult> {
    let rollbackFailure: string | undefined;
    // what the update left behind and must delete, by logical ID (an ID occurs once: created or updated).
    const discard = new Map<string, ResourceState>();
    // functions and unchanged resources return to their old definitions first, as their rollback precedes their dependents'.
    for (const [id, state] of old) {
      if (!journal.updated.has(id)) {
        op.states.set(id, state);
      }
    }
    if (oldModel) {
      const reverting = oldModel.order.filter(id => journal.updated.has(id));
      await schedule(reverting, oldModel.dependencies, async id => {
        const { before, attempted } = journal.updated.get(id)!;
        const current = op.states.get(id)!;
        if (journal.replaced.has(id)) {
          discard.set(id, current);
          op.states.set(id, before);
          return true;
        }
        const { response, requestId } = await this.send(op, {
          requestType: 'Update',
          logicalId: id,
          type: before.type,
          properties: before.properties,
          physicalId: before.physicalId,
          oldProperties: attempted,
          phase: 'rollback',
        });
        if (response.status === 'FAILED') {
          rollbackFailure ??= `${id}: ${response.reason}`;
          op.states.set(id, before);
          return false;
        }
        op.states.set(id, { ...before, physicalId: response.physicalId!, attributes: response.data, noEcho: response.noEcho, requestId });
        if (response.physicalId !== before.physicalId) {
          discard.set(id, current);
        }
        return true;
      }, { concurrency: this.concurrency, onFailure: 'block' });
    }
    for (const id of journal.created) {
      discard.set(id, op.states.get(id)!);
    }
    const newNonCustom = model.order.filter(id => !old.has(id) && op.states.has(id) && !op.states.get(id)!.custom);
    const deleting = [...model.order].reverse().filter(id => discard.has(id) || newNonCustom.includes(id));
    await schedule(deleting, invert(model.order, model.dependencies), async id => {
      const state = discard.get(id) ?? op.states.get(id)!;
      const createdHere = journal.created.includes(id);
      // a plain Retain keeps even what the failed operation created; RetainExceptOnCreate does not.
      const failure = await this.remove(op, state, 'rollback', createdHere ? new Set(['Retain']) : new Set());
      if (failure !== undefined) {
        rollbackFailure ??= `${id}: ${failure}`;
        return false;
      }
      if (createdHere || newNonCustom.includes(id)) {
        op.states.delete(id);
      }
      return true;
    }, { concurrency: this.concurrency, onFailure: 'block' });

    if (!oldModel && !rollbackFailure) {
      this.forget();
    } else {
      this.deployed = { model: oldModel ?? model, states: op.states };
    }
    const reason = rollbackFailure ? `${journal.failure}; rollback failed: ${rollbackFailure}` : journal.failure;
    return { status: rollbackFailure ? 'FAILED' : 'ROLLED_BACK', events: op.events, reason };
  }

  /**
   * Deletes one resource (for a non-custom one, only tells `onFakeResource`; nothing for one its policy retains).
   * Returns the failure reason, if it failed.
   */
  private async remove(op: Operation, state: ResourceState, phase: LifecycleEvent['phase'], retainedPolicies: ReadonlySet<string>, policy = state.definition.DeletionPolicy): Promise<string | undefined> {
    if (policy !== undefined && retainedPolicies.has(policy)) {
      return undefined;
    }
    if (!state.custom) {
      this.fakeResourceChanged({ requestType: 'Delete', logicalId: state.logicalId, type: state.type, physicalId: state.physicalId, properties: state.properties });
      return undefined;
    }
    const { response } = await this.send(op, {
      requestType: 'Delete', logicalId: state.logicalId, type: state.type, properties: state.properties, physicalId: state.physicalId, phase,
    });
    return response.status === 'SUCCESS' ? undefined : response.reason ?? 'FAILED';
  }

  /**
   * Sends one request as CloudFormation would, to the ServiceToken's function, and records
   * the resource event. An answer CloudFormation cannot take a physical ID from has none.
   */
  private async send(op: Operation, request: {
    readonly requestType: RequestType;
    readonly logicalId: string;
    readonly type: string;
    readonly properties: Record<string, unknown>;
    readonly physicalId?: string;
    readonly oldProperties?: Record<string, unknown>;
    readonly phase?: LifecycleEvent['phase'];
  }): Promise<{ response: Answer; requestId: string; event?: CustomResourceEvent }> {
    const env = this.env!;
    const requestId = randomUUID();
    const objectKey = `${env.stackId}|${request.logicalId}|${requestId}`;
    const event: CustomResourceEvent = {
      RequestType: request.requestType,
      ServiceToken: String(request.properties.ServiceToken),
      ResponseURL: `https://${responseHost(env)}/${encodeURIComponent(objectKey)}?${presignedQuery(env)}`,
      StackId: env.stackId,
      RequestId: requestId,
      LogicalResourceId: request.logicalId,
      ...(request.physicalId !== undefined ? { PhysicalResourceId: request.physicalId } : {}),
      ResourceType: request.type,
      ResourceProperties: request.properties,
      ...(request.oldProperties ? { OldResourceProperties: request.oldProperties } : {}),
    };
    let response: Answer;
    let serviceToken: LambdaFunction | undefined;
    try {
      serviceToken = await this.serviceTokenFunction(op, event);
    } catch (e) {
      response = { status: 'FAILED', physicalId: event.PhysicalResourceId, data: {}, noEcho: false, reason: messageOf(e) };
    }
    if (serviceToken) {
      this.functionStates = op.states;
      response = cloudFormationAnswer(event, await this.deliver(serviceToken, event, objectKey));
    }
    op.events.push({
      logicalId: request.logicalId,
      requestType: request.requestType,
      ...(response!.physicalId !== undefined ? { physicalId: response!.physicalId } : {}),
      status: response!.status,
      ...(response!.reason !== undefined ? { reason: response!.reason } : {}),
      ...(response!.noEcho ? { noEcho: true } : {}),
      phase: request.phase ?? 'deploy',
    });
    return { response: response!, requestId, event: this.sentEvents.find(e => e.RequestId === requestId) };
  }

  /**
   * CloudFormation invoking the ServiceToken's function asynchronously (twice, when `duplicateDelivery` says so).
   * Resolves with the first response received before the resource's `ServiceTimeout` (scaled), if any.
   */
  private async deliver(fn: LambdaFunction, event: CustomResourceEvent, objectKey: string): Promise<CapturedResponse | undefined> {
    const { responses } = await this.network();
    const once = () => {
      this.sentEvents.push(structuredClone(event));
      return this.invokeAsynchronously(fn, event);
    };
    const duplicate = this.options.duplicateDelivery;
    const twice = duplicate !== undefined
      && (duplicate.logicalIds?.includes(event.LogicalResourceId) ?? true)
      && (duplicate.requestTypes?.includes(event.RequestType) ?? true);
    const times = twice ? duplicate.deliveries ?? 2 : 1;
    const deliveries = duplicate?.concurrent ? Promise.all(Array.from({ length: times }, once))
      : Array.from({ length: times - 1 }).reduce<Promise<void>>((previous) => previous.then(once), once());
    const serviceTimeout = Number(event.ResourceProperties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>(resolve => {
      timer = realSetTimeout(resolve, serviceTimeout * 1000 * (this.options.timeoutScale ?? 1));
    });
    try {
      await Promise.race([deliveries, deadline]);
    } finally {
      realClearTimeout(timer);
    }
    return responses.received.find(r => r.objectKey === objectKey);
  }

  /** Lambda's asynchronous invocation: after a function error (a timeout included) it tries twice more. */
  private async invokeAsynchronously(fn: LambdaFunction, event: CustomResourceEvent): Promise<void> {
    for (let attempt = 0; attempt < ASYNC_INVOKE_ATTEMPTS; attempt++) {
      if ((await this.runtime!.invoke(fn, event)).ok) {
        return;
      }
    }
  }

  /** The ServiceToken's function, which must be a function of the stack, pointed at the emulated Lambda API. */
  private async serviceTokenFunction(op: Operation, event: CustomResourceEvent): Promise<LambdaFunction> {
    const state = this.functionByArn(op, event.ServiceToken);
    if (!state) {
      throw new Error(`ServiceToken ${event.ServiceToken} of ${event.LogicalResourceId} is not a Lambda function of this stack: `
        + 'the lifecycle driver runs custom resources served by a function of the stack (skip others with skipResourceTypes)');
    }
    const fn = this.lambdaFunction(state);
    const { lambda } = await this.network();
    return { ...fn, environment: { ...fn.environment, AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint } };
  }

  private fakeResourceChanged(event: FakeResourceEvent): void {
    this.fakeServices?.dynamoDb.mirror(event);
    this.fakeServices?.eventBridge.mirror(event);
    this.options.onFakeResource?.(event);
  }

  /** The local servers CloudFormation's and Lambda's sides of the protocol run on, started once per driver. */
  private network(): Promise<Servers> {
    this.servers ??= (async () => {
      const [responses, lambda, dynamoDb, eventBridge] = await Promise.all([
        ResponseServer.start(),
        LambdaApi.start(name => this.functionNamed(name), () => this.runtime!),
        FakeDynamoDb.start().then((started) => started.unref()),
        FakeEventBridge.start({ region: this.env?.region, accountId: this.env?.accountId }).then((started) => started.unref()),
      ]);
      this.capturedBy = responses;
      this.fakeServices = { dynamoDb, eventBridge };
      return { responses, lambda, dynamoDb, eventBridge };
    })();
    return this.servers;
  }

  /** A function of the operation under way, by name or (unqualified or `$LATEST`) ARN, as Lambda finds it. */
  private functionNamed(nameOrArn: string): LambdaFunction | undefined {
    const unqualified = nameOrArn.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):\$LATEST$/, '$1');
    const state = [...this.functionStates?.values() ?? []].find(s => s.type === 'AWS::Lambda::Function'
      && (s.physicalId === unqualified || lambdaFunctionArn(s.physicalId, this.env!) === unqualified));
    return state && this.lambdaFunction(state);
  }

  private functionByArn(op: Operation, arn: string): ResourceState | undefined {
    return [...op.states.values()].find(s => s.type === 'AWS::Lambda::Function' && lambdaFunctionArn(s.physicalId, this.env!) === arn);
  }

  private lambdaFunction(state: ResourceState): LambdaFunction {
    const props = state.properties as Record<string, any>;
    const runtime = String(props.Runtime ?? '');
    if (!runtime.startsWith('nodejs')) {
      throw new Error(`${state.logicalId}: runtime '${runtime || 'container image'}' is not supported by the lifecycle driver (Node.js only)`);
    }
    const variables = (props.Environment?.Variables ?? {}) as Record<string, unknown>;
    return {
      logicalId: state.logicalId,
      functionName: state.physicalId,
      arn: lambdaFunctionArn(state.physicalId, this.env!),
      code: typeof props.Code?.ZipFile === 'string'
        ? { inline: props.Code.ZipFile }
        : { directory: assetDirectory(state.logicalId, state.source, state.definition, props.Code) },
      handler: String(props.Handler),
      runtime,
      timeoutSeconds: Number(props.Timeout ?? 3),
      memorySize: Number(props.MemorySize ?? 128),
      logGroupName: functionLogGroup(state.physicalId, props),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
  }

  private resolveContext(op: Operation, model: TemplateModel): ResolveContext {
    const env = this.env!;
    const deployedState = (id: string): ResourceState => {
      const state = op.states.get(id);
      if (!(id in model.resources) || !state) {
        throw new ResolutionError(`Template format error: Unresolved resource dependencies [${id}] in the Resources block of the template`);
      }
      return state;
    };
    return {
      ...env,
      parameters: model.parameters,
      mappings: (model.template.Mappings ?? {}) as Record<string, any>,
      condition: name => model.conditionValue(name),
      ref: id => {
        const state = deployedState(id);
        return state.custom ? state.physicalId : fakeRef(state.type, state.physicalId, env);
      },
      getAtt: (id, attribute) => {
        const state = deployedState(id);
        if (!state.custom) {
          return fakeAttribute(state.type, state.physicalId, attribute, env);
        }
        if (!(attribute in state.attributes)) {
          throw new ResolutionError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object `
            + `${env.stackId}|${id}|${state.requestId} in S3 bucket cloudformation-custom-resource-storage-${env.region.replace(/-/g, '')}`);
        }
        return state.attributes[attribute];
      },
      ...(this.options.importValue ? { importValue: name => this.importedValue(name) } : {}),
    };
  }

  private importedValue(exportName: string): unknown {
    const value = this.options.importValue!(exportName);
    if (value === undefined) {
      throw new ResolutionError(`No export named ${exportName} found.`);
    }
    return value;
  }

  private resolveOutputs(op: Operation, model: TemplateModel): { outputs: Record<string, unknown>; exports: Record<string, unknown> } {
    const ctx = this.resolveContext(op, model);
    const outputs: Record<string, unknown> = {};
    const exports: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(model.template.Outputs ?? {})) {
      if (!output.Condition || model.conditionValue(output.Condition)) {
        outputs[name] = resolveValue(output.Value, ctx);
        if (output.Export) {
          exports[String(resolveValue(output.Export.Name, ctx))] = outputs[name];
        }
      }
    }
    return { outputs, exports };
  }

  private fakeState(logicalId: string, definition: TemplateResource, properties: Record<string, unknown>, source: AssemblySource): ResourceState {
    if (!this.nameSuffixes.has(logicalId)) {
      this.nameSuffixes.set(logicalId, randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase());
    }
    return {
      logicalId,
      type: definition.Type,
      custom: false,
      physicalId: fakePhysicalId(logicalId, definition.Type, properties, this.env!, this.nameSuffixes.get(logicalId)!),
      attributes: {},
      properties,
      noEcho: false,
      definition,
      source,
    };
  }

  private parameterValues(template: Template): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
      const value = this.options.parameters?.[name] ?? parameter.Default;
      if (value === undefined) {
        missing.push(name);
      } else {
        values[name] = parameter.Type === 'CommaDelimitedList' || parameter.Type?.startsWith('List<') ? String(value).split(',') : value;
      }
    }
    if (missing.length > 0) {
      throw new ResolutionError(`Parameters: [${missing.join(', ')}] must have values`);
    }
    return values;
  }

  /** CloudFormation refuses (before doing anything) an update that changes a resource's type. */
  private checkTypeChanges(model: TemplateModel): void {
    const changed = Object.entries(model.resources)
      .filter(([id, r]) => { const s = this.deployed?.states.get(id); return s && s.type !== r.Type; })
      .map(([id]) => id);
    if (changed.length > 0) {
      throw new ResolutionError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${changed.join(', ')}]`);
    }
  }

  private isCustom(type: string): boolean {
    const skip = this.options.skipResourceTypes;
    return isCustomResourceType(type) && !(typeof skip === 'function' ? skip(type) : skip?.includes(type));
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 1;
  }

  private state(logicalId: string): ResourceState {
    const state = this.deployed?.states.get(logicalId);
    if (!state) {
      throw new Error(`${logicalId} is not deployed (deployed: ${[...this.deployed?.states.keys() ?? []].join(', ') || 'nothing'})`);
    }
    return state;
  }

  private forget(): void {
    this.deployed = undefined;
    this.deployedOutputs = {};
    this.deployedExports = {};
    this.env = undefined;
  }
}

/** A custom resource's type, as CloudFormation tells them apart: it sends these to their ServiceToken. */
export function isCustomResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** The host of CloudFormation's pre-signed response URLs in the region. */
function responseHost(env: FakeEnvironment): string {
  return `cloudformation-custom-resource-response-${env.region.replace(/-/g, '')}.s3.${env.urlSuffix}`;
}

/** The query of a pre-signed S3 PUT URL, as CloudFormation's look (nothing checks the signature). */
function presignedQuery(env: FakeEnvironment): string {
  const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const credential = encodeURIComponent(`AKIAIOSFODNN7EXAMPLE/${date.slice(0, 8)}/${env.region}/s3/aws4_request`);
  return `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Expires=7200`
    + `&X-Amz-Credential=${credential}&X-Amz-Signature=${'0'.repeat(64)}`;
}

/**
 * What CloudFormation makes of the first response: none means the resource timed out; a body over 4 KB is refused
 * (a failure's reason is shown truncated to 4 KB instead).
 */
function cloudFormationAnswer(event: CustomResourceEvent, response: CapturedResponse | undefined): Answer {
  if (!response) {
    return {
      status: 'FAILED',
      data: {},
      noEcho: false,
      reason: `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${event.RequestId}]. `
        + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.',
    };
  }
  if (response.status !== 'SUCCESS') {
    return { status: 'FAILED', physicalId: response.physicalResourceId, data: {}, noEcho: false, reason: truncateBytes(response.reason ?? '', MAX_RESPONSE_BYTES) };
  }
  if (Buffer.byteLength(response.body) > MAX_RESPONSE_BYTES) {
    return { status: 'FAILED', physicalId: event.PhysicalResourceId, data: {}, noEcho: false, reason: 'Response object is too long.' };
  }
  if (!response.physicalResourceId) {
    return { status: 'FAILED', physicalId: event.PhysicalResourceId, data: {}, noEcho: false, reason: 'Invalid PhysicalResourceId' };
  }
  // a success's reason is its event's status reason too (AWS's own cfn-response module sends one with every answer).
  return {
    status: 'SUCCESS',
    physicalId: response.physicalResourceId,
    data: response.data ?? {},
    noEcho: Boolean(response.noEcho),
    ...(response.reason ? { reason: truncateBytes(response.reason, MAX_RESPONSE_BYTES) } : {}),
  };
}

function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text);
  return bytes.length <= max ? text : bytes.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function messageOf(e: unknown): string {
  return e !== null && typeof e === 'object' && 'message' in e ? String((e as Error).message) : String(e);
}
