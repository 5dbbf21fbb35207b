import { Aws, CfnResource, Duration, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { defineBundledFunctionLoggingByName, defineFunctionLogGroup, logWritingRole } from './bundled-function';
import { ArnResource } from './contract';
import { DEFERRED_DELETES_RESOURCE_TYPE, SWEEP_EVENT_KEY, SWEEP_INTERVAL_MINUTES } from './deferred-deletes-contract';
import { CREATE_REQUEST_LOOKUP_ACTIONS, DEFERRED_DELETE_ACTIONS, TAG_ACTIONS } from './iam';
import { acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './nag';

/**
 * The stack's single custom-resource provider: one Lambda function serves every IVS Real-Time resource type.
 *
 * Its construct ID and path are a public contract: CloudFormation cannot change a custom resource's
 * ServiceToken, so moving this construct would break every deployed stack.
 */
export class IvsRealTimeProvider extends Construct {
  /** Returns the provider of the scope's stack, defining it on first use. */
  public static getOrCreate(scope: Construct): IvsRealTimeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as IvsRealTimeProvider | undefined;
    return existing ?? new IvsRealTimeProvider(stack, PROVIDER_ID);
  }

  /** The `ServiceToken` every custom resource of this library uses. */
  public readonly serviceToken: string;
  /** The function that calls the IVS Real-Time API. */
  public readonly onEventHandler: lambda.Function;
  /** One statement per IVS resource type, so that the role's policy does not grow with the number of resources. */
  private readonly ivsStatements = new Map<string, iam.PolicyStatement>();
  /** The stack's drain of deferred deletes, which every IVS custom resource of the stack depends on. */
  private readonly deferredDeletes: CfnResource;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // where the Provider framework's failure reasons say the handler logs ("Logs: /aws/lambda/<function name>").
    const { fn, logs, onLogGroup } = defineBundledFunctionLoggingByName(this, 'OnEventHandler', {
      bundle: 'provider',
      logGroupId: 'OnEventLogs',
      roleId: 'OnEventHandlerServiceRole',
      description: 'cdk-ivs-realtime: creates, updates and deletes Amazon IVS Real-Time resources',
      // long enough for the SDK's throttling retries and the bounded waits for compositions, far below the service timeout.
      timeout: HANDLER_TIMEOUT,
    });
    this.onEventHandler = fn;
    // streams the handler keeps state in there: create-request locks, marks of background looks (handlers/provider/log-streams.ts).
    onLogGroup.addActions('logs:DeleteLogStream', 'logs:DescribeLogStreams');
    const frameworkLogs = defineFunctionLogGroup(this, 'FrameworkLogs');
    const frameworkRole = logWritingRole(this, 'FrameworkOnEventServiceRole', frameworkLogs);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    // the log group exists before the framework's first invoke (and is deleted after its last).
    provider.node.addDependency(logs);
    this.serviceToken = provider.serviceToken;
    acknowledgeWildcardResource(frameworkRole, `${this.onEventHandler.functionArn}:*`, "aws-cdk-lib's Provider framework may "
      + 'invoke the handler function and its versions (`<function ARN>:*`): that one function, no other');
    this.deferredDeletes = this.defineDeferredDeletes(logs);
    // a create it gave up on: the handler invokes itself in the background to delete what IVS may still make
    // (handlers/provider/late-creates.ts). A policy of its own: in the role's default policy, the ARN would be a cycle.
    new iam.Policy(this, 'LateCreateCleanup', {
      roles: [this.onEventHandler.role!],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.onEventHandler.functionArn] })],
    });
    acknowledgeCompliance(this, {
      ...LIBRARY_FUNCTION_REASONS,
      LambdaDLQ: 'CloudFormation invokes the Provider framework, and it the handler, for a response: a failure reaches '
        + 'CloudFormation (or its 5-minute service timeout fails the operation), which a dead-letter queue would not change; '
        + 'a failed sweep of deferred deletes is made again by the next',
    });
  }

  /**
   * Lets the handler call `actions` (plus tagging) on one IVS resource type in this stack's account and region.
   */
  public allowIvs(arnResource: string, actions: string[]): void {
    this.allowOnIvsType(arnResource, [...actions, ...TAG_ACTIONS]);
  }

  /** Registers an IVS custom resource of the stack: CloudFormation deletes it before the drain of deferred deletes. */
  public addIvsResource(resource: CfnResource): void {
    resource.node.addDependency(this.deferredDeletes);
  }

  /**
   * The policy that lets the handler edit `bucket`'s policy, as IVS does with the caller's credentials when it creates a
   * storage configuration. One per bucket, shared by every storage configuration recording to it: one each would add a
   * resource per storage configuration, and a stack of 200 recording stages would pass CloudFormation's 500.
   */
  public bucketPolicyAccess(bucket: s3.IBucket): iam.Policy {
    const id = `BucketPolicyAccess${Names.nodeUniqueId(bucket.node)}`;
    return this.node.tryFindChild(id) as iam.Policy | undefined ?? new iam.Policy(this, id, {
      roles: [this.onEventHandler.role!],
      statements: [new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
        resources: [bucket.bucketArn],
      })],
    });
  }

  /**
   * The deletes IVS refuses while a composition uses the resource (storage and encoder configurations), which the handler
   * defers until it has ended, are made again by a schedule that invokes the handler with a sweep of the stack's deferred
   * deletes, and by a drain: a custom resource that every IVS resource of the stack depends on, whose delete (after
   * theirs, before the provider's) deletes what is left or fails saying what holds it. Three resources per stack (the
   * rule, its permission to invoke the handler, the drain), however many IVS resources; in every stack, whatever its
   * resource types, because a stack whose last configuration is removed while a composition holds it still needs them.
   */
  private defineDeferredDeletes(handlerLogs: IDependable): CfnResource {
    const handler = this.onEventHandler;
    const schedule = new events.Rule(this, 'SweepSchedule', {
      description: 'cdk-ivs-realtime: deletes the IVS resources whose delete waits until no composition uses them',
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      // no retries: the sweep does not fail on a resource still in use, and the next one comes soon.
      targets: [new targets.LambdaFunction(handler, {
        event: events.RuleTargetInput.fromObject({ [SWEEP_EVENT_KEY]: Aws.STACK_ID }),
        retryAttempts: 0,
      })],
    });
    schedule.node.addDependency(handlerLogs);
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: [...DEFERRED_DELETE_ACTIONS.list, ...CREATE_REQUEST_LOOKUP_ACTIONS], resources: ['*'] }));
    acknowledgeWildcardResource(handler.role!, '*', 'List actions take no resource ARN: the handler lists the compositions of the account '
      + 'and region to find those that use a configuration it deletes, the configurations to find the deletes it deferred (by tag), '
      + 'and the resources of a type it creates to find what the same create request made before (by tag)');
    // a composition that uses a configuration may be any of the account's, on any stage: is it stopping, its stage gone or empty?
    this.allowOnIvsType(ArnResource.COMPOSITION, DEFERRED_DELETE_ACTIONS.readCompositions);
    this.allowOnIvsType(ArnResource.STAGE, DEFERRED_DELETE_ACTIONS.readStages);
    return new CfnResource(this, 'DeferredDeletes', {
      type: DEFERRED_DELETES_RESOURCE_TYPE,
      properties: { ServiceToken: this.serviceToken, ServiceTimeout: SERVICE_TIMEOUT.toSeconds().toString() },
    });
  }

  /** Adds `actions` to the statement of one IVS resource type (ARN resource name), defining it on first use. */
  private allowOnIvsType(arnResource: string, actions: string[]): void {
    const existing = this.ivsStatements.get(arnResource);
    if (existing) {
      existing.addActions(...actions.filter((action) => !existing.actions.includes(action)));
      return;
    }
    const arn = Stack.of(this).formatArn({ service: 'ivs', resource: arnResource, resourceName: '*' });
    const statement = new iam.PolicyStatement({ actions, resources: [arn] });
    this.ivsStatements.set(arnResource, statement);
    this.onEventHandler.addToRolePolicy(statement);
    acknowledgeWildcardResource(this.onEventHandler.role!, arn, `IVS gives a ${arnResource} its ID when it creates it, so no ARN is `
      + `known before: the handler may manage any ${arnResource} of this account and region, with only the actions that type needs`);
  }
}

/** The custom resources' service timeout: a lost response fails the stack operation after this, not after an hour. */
export const SERVICE_TIMEOUT = Duration.minutes(5);
const HANDLER_TIMEOUT = Duration.minutes(3);
const PROVIDER_ID = 'cdk-ivs-realtime.IvsRealTimeProvider';
