import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { TAG_ACTIONS } from './iam';

/** Where the build puts the bundled handler (`npm run bundle`); shipped in the npm package. */
export const HANDLER_BUNDLE_DIR = path.join(__dirname, '..', '..', 'handlers', 'dist');

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
    this.onEventHandler = new lambda.Function(this, 'OnEventHandler', {
      description: 'cdk-ivs-realtime: creates, updates and deletes Amazon IVS Real-Time resources',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(path.join(HANDLER_BUNDLE_DIR, 'provider')),
      handler: 'index.handler',
      memorySize: 256,
      // long enough for the SDK's throttling retries and the bounded conflict retries, far below the service timeout.
      timeout: HANDLER_TIMEOUT,
      logGroup: new logs.LogGroup(this, 'OnEventLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler,
      logGroup: new logs.LogGroup(this, 'FrameworkLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.serviceToken = provider.serviceToken;
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
    this.onEventHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: [...actions, ...TAG_ACTIONS],
      resources: [Stack.of(this).formatArn({ service: 'ivs', resource: arnResource, resourceName: '*' })],
    }));
  }

  /** Adds a statement to the handler's role (for permissions outside IVS, such as a recording bucket's policy). */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.onEventHandler.addToRolePolicy(statement);
  }
}

/** The custom resources' service timeout: a lost response fails the stack operation after this, not after an hour. */
export const SERVICE_TIMEOUT = Duration.minutes(5);
const HANDLER_TIMEOUT = Duration.minutes(3);
const PROVIDER_ID = 'cdk-ivs-realtime.IvsRealTimeProvider';
