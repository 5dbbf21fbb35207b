import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { defineBundledFunction, defineFunctionLogGroup, logWritingRole } from './bundled-function';
import { TAG_ACTIONS } from './iam';
import { acknowledgeWildcardResource } from './nag';

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
  private readonly allowedResources = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.onEventHandler = defineBundledFunction(this, 'OnEventHandler', {
      bundle: 'provider',
      logGroupId: 'OnEventLogs',
      roleId: 'OnEventHandlerServiceRole',
      description: 'cdk-ivs-realtime: creates, updates and deletes Amazon IVS Real-Time resources',
      // long enough for the SDK's throttling retries and the bounded conflict retries, far below the service timeout.
      timeout: HANDLER_TIMEOUT,
    });
    const frameworkLogs = defineFunctionLogGroup(this, 'FrameworkLogs');
    const frameworkRole = logWritingRole(this, 'FrameworkOnEventServiceRole', frameworkLogs);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeWildcardResource(frameworkRole, `${this.onEventHandler.functionArn}:*`, "aws-cdk-lib's Provider framework may "
      + 'invoke the handler function and its versions (`<function ARN>:*`): that one function, no other');
  }

  /**
   * Lets the handler call `actions` (plus tagging) on one IVS resource type in this stack's account and region.
   *
   * Added once per resource type, so the role's policy does not grow with the number of resources.
   */
  public allowIvs(arnResource: string, actions: string[]): void {
    if (this.allowedResources.has(arnResource)) {
      return;
    }
    this.allowedResources.add(arnResource);
    const arn = Stack.of(this).formatArn({ service: 'ivs', resource: arnResource, resourceName: '*' });
    this.onEventHandler.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions, ...TAG_ACTIONS], resources: [arn] }));
    acknowledgeWildcardResource(this.onEventHandler.role!, arn, `IVS gives a ${arnResource} its ID when it creates it, so no ARN is `
      + `known before: the handler may manage any ${arnResource} of this account and region, with only the actions that type needs`);
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
}

/** The custom resources' service timeout: a lost response fails the stack operation after this, not after an hour. */
export const SERVICE_TIMEOUT = Duration.minutes(5);
const HANDLER_TIMEOUT = Duration.minutes(3);
const PROVIDER_ID = 'cdk-ivs-realtime.IvsRealTimeProvider';
