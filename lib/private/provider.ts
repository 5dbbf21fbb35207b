import { Aws, CfnResource, Duration, Fn, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { defineBundledFunction } from './bundled-function';
import { ArnResource } from './contract';
import { DEFERRED_DELETES_RESOURCE_TYPE, SWEEP_EVENT_KEY, SWEEP_INTERVAL_MINUTES, SWEEP_RULE_PREFIX } from './deferred-deletes-contract';
import { CREATE_REQUEST_LOOKUP_ACTIONS, CREATE_REQUESTS_TABLE_ACTIONS, DEFERRED_DELETE_ACTIONS, SWEEP_ARMING_ACTIONS, TAG_ACTIONS } from './iam';
import { acknowledgeAwsSolutions, acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './nag';
import { CREATE_REQUESTS_TABLE_VARIABLE } from './provider-contract';

/**
 * The stack's single custom-resource provider: one Lambda function, the ServiceToken of every IVS Real-Time resource of
 * the stack, which answers CloudFormation itself (handlers/provider). Beside it, the table where deliveries of one create
 * request take turns; in stacks with configurations that compositions hold, the sweep of deletes deferred until they end.
 *
 * Its construct ID and path are a public contract: CloudFormation cannot change a custom resource's ServiceToken, so
 * moving this construct, or its function, would break every deployed stack.
 */
export class IvsRealTimeProvider extends Construct {
  /** Returns the provider of the scope's stack, defining it on first use. */
  public static getOrCreate(scope: Construct): IvsRealTimeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as IvsRealTimeProvider | undefined;
    return existing ?? new IvsRealTimeProvider(stack, PROVIDER_ID);
  }

  /** The `ServiceToken` every custom resource of this library uses: the handler function's ARN. */
  public readonly serviceToken: string;
  /** The function that calls the IVS Real-Time API and answers CloudFormation. */
  public readonly handler: lambda.Function;
  /** One statement per IVS resource type, so that the role's policy does not grow with the number of resources. */
  private readonly ivsStatements = new Map<string, iam.PolicyStatement>();
  /** The stack's drain of deferred deletes, defined with the first resource type that compositions hold. */
  private deferredDeletes?: CfnResource;
  /** The sweep's schedule, defined with the first resource that may leave work to it. */
  private sweep?: events.Rule;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // records of a week at most (their time to live): nothing to back up, and deleted with the stack.
    const createRequests = new dynamodb.CfnTable(this, 'CreateRequests', {
      keySchema: [{ attributeName: 'token', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'token', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      timeToLiveSpecification: { attributeName: 'expiresAt', enabled: true },
      sseSpecification: { sseEnabled: true },
    });
    createRequests.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.handler = defineBundledFunction(this, 'Handler', {
      bundle: 'provider',
      logGroupId: 'HandlerLogs',
      roleId: 'HandlerRole',
      description: 'cdk-ivs-realtime: creates, updates and deletes Amazon IVS Real-Time resources, and answers CloudFormation',
      // long enough for the SDK's throttling retries and the bounded waits for compositions, below the service timeout.
      timeout: HANDLER_TIMEOUT,
      environment: { [CREATE_REQUESTS_TABLE_VARIABLE]: createRequests.ref },
    });
    this.serviceToken = this.handler.functionArn;
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: CREATE_REQUESTS_TABLE_ACTIONS, resources: [createRequests.attrArn] }));
    // the fault paths' look for what a create request made (by its tag), and the deferred deletes'.
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: [...DEFERRED_DELETE_ACTIONS.list, ...CREATE_REQUEST_LOOKUP_ACTIONS], resources: ['*'] }));
    acknowledgeWildcardResource(this.handler.role!, '*', 'List actions take no resource ARN: the handler lists the compositions of the account '
      + 'and region to find those that use a configuration it deletes, the configurations to find the deletes it deferred (by tag), '
      + 'and, when an attempt of a create went unanswered, the resources of the type to find what the request made (by tag)');
    acknowledgeCompliance(this, {
      ...LIBRARY_FUNCTION_REASONS,
      LambdaDLQ: 'CloudFormation invokes the handler for a response, which the handler sends itself: a failure reaches CloudFormation '
        + '(or its 5-minute service timeout fails the operation), which a dead-letter queue would not change; a failed sweep of '
        + 'deferred deletes is made again by the next',
      DynamoDBInBackupPlan: 'The table holds only which delivery of a create request may create, for a week: nothing to restore',
      DynamoDBPITREnabled: 'The table holds only which delivery of a create request may create, for a week: nothing to restore',
      DynamoDBAutoScalingEnabled: 'The table is on demand (PAY_PER_REQUEST): there is no provisioned capacity to scale',
    });
    acknowledgeAwsSolutions(createRequests, 'AwsSolutions-DDB3', 'The table holds only which delivery of a create request may create, '
      + 'for a week: nothing to restore');
  }

  /**
   * Lets the handler call `actions` (plus tagging) on one IVS resource type in this stack's account and region.
   */
  public allowIvs(arnResource: string, actions: string[]): void {
    this.allowOnIvsType(arnResource, [...actions, ...TAG_ACTIONS]);
  }

  /**
   * Registers an IVS custom resource of the stack. One of a type that compositions hold (`heldByCompositions`) may have
   * its delete deferred: CloudFormation deletes it before the stack's drain of deferred deletes.
   */
  public addIvsResource(resource: CfnResource, heldByCompositions = false): void {
    if (heldByCompositions) {
      resource.node.addDependency(this.defineDeferredDeletes());
    }
  }

  /**
   * The policy that lets the handler edit `bucket`'s policy, as IVS does with the caller's credentials when it creates a
   * storage configuration. One per bucket, shared by every storage configuration recording to it: one each would add a
   * resource per storage configuration, and a stack of 200 recording stages would pass CloudFormation's 500.
   */
  public bucketPolicyAccess(bucket: s3.IBucket): iam.Policy {
    const id = `BucketPolicyAccess${Names.nodeUniqueId(bucket.node)}`;
    return this.node.tryFindChild(id) as iam.Policy | undefined ?? new iam.Policy(this, id, {
      roles: [this.handler.role!],
      statements: [new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
        resources: [bucket.bucketArn],
      })],
    });
  }

  /**
   * The stack's sweep: a schedule that invokes the handler with a sweep of the work a request could not finish and left to
   * it (deletes deferred until no composition holds the resource, stream-key secrets to correct). It starts disabled: the
   * handler enables it when it leaves work, and the sweep that finds none left disables it again. A rule and its
   * permission to invoke the handler, defined on first use; what leaves work depends on it, so that it exists when armed.
   */
  public sweepSchedule(): events.Rule {
    if (this.sweep) {
      return this.sweep;
    }
    // named from the stack ID, as the handler names it (sweepRuleName): the function names no resource that names it.
    const ruleName = `${SWEEP_RULE_PREFIX}${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`;
    this.sweep = new events.Rule(this, 'SweepSchedule', {
      ruleName,
      enabled: false,
      description: 'cdk-ivs-realtime: finishes what the IVS resources\' requests left (deletes that wait until no composition uses '
        + 'the resource, stream-key secrets to rewrite); enabled while any is left',
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      // no retries: the sweep does not fail on work it could not finish, and the next one comes soon.
      targets: [new targets.LambdaFunction(this.handler, {
        event: events.RuleTargetInput.fromObject({ [SWEEP_EVENT_KEY]: Aws.STACK_ID }),
        retryAttempts: 0,
      })],
    });
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: SWEEP_ARMING_ACTIONS,
      resources: [Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName })],
    }));
    return this.sweep;
  }

  /**
   * The deletes IVS refuses while a composition uses the resource (storage and encoder configurations), which the handler
   * defers until it has ended, are made again by the sweep, and by a drain: a custom resource that every such resource
   * depends on, whose delete (after theirs, before the handler's) deletes what is left or fails saying what holds it.
   * Defined with the first configuration of the stack.
   */
  private defineDeferredDeletes(): CfnResource {
    if (this.deferredDeletes) {
      return this.deferredDeletes;
    }
    this.sweepSchedule();
    // a composition that uses a configuration may be any of the account's, on any stage: is it stopping, its stage gone or empty?
    this.allowOnIvsType(ArnResource.COMPOSITION, DEFERRED_DELETE_ACTIONS.readCompositions);
    this.allowOnIvsType(ArnResource.STAGE, DEFERRED_DELETE_ACTIONS.readStages);
    this.deferredDeletes = new CfnResource(this, 'DeferredDeletes', {
      type: DEFERRED_DELETES_RESOURCE_TYPE,
      properties: { ServiceToken: this.serviceToken, ServiceTimeout: SERVICE_TIMEOUT.toSeconds().toString() },
    });
    return this.deferredDeletes;
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
    this.handler.addToRolePolicy(statement);
    acknowledgeWildcardResource(this.handler.role!, arn, `IVS gives a ${arnResource} its ID when it creates it, so no ARN is `
      + `known before: the handler may manage any ${arnResource} of this account and region, with only the actions that type needs`);
  }
}

/** The custom resources' service timeout: a lost response fails the stack operation after this, not after an hour. */
export const SERVICE_TIMEOUT = Duration.minutes(5);
const HANDLER_TIMEOUT = Duration.minutes(3);
const PROVIDER_ID = 'cdk-ivs-realtime.IvsRealTimeProvider';
