import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { encryptWithConfiguredKey } from './function-log-keys';

/** Where the build puts the bundled handlers (`npm run bundle`); shipped in the npm package. */
export const HANDLER_BUNDLE_DIR = path.join(__dirname, '..', '..', 'handlers', 'dist');

/** A function of the handler bundle: what differs between the library's functions. */
export interface BundledFunctionProps extends Pick<lambda.FunctionOptions,
  'description' | 'timeout' | 'environment' | 'retryAttempts' | 'deadLetterQueue'> {
  /** The handler's directory in the bundle (`handlers/dist/<bundle>/index.js`). */
  readonly bundle: string;
  /** The construct IDs of the function's log group and role, beside the function: they make the logical IDs. */
  readonly logGroupId: string;
  readonly roleId: string;
}

/**
 * Defines a function that runs one handler of the bundle, with its own log group and a role that may write to it and
 * nothing else yet (callers add what the handler calls).
 */
export function defineBundledFunction(scope: Construct, id: string, props: BundledFunctionProps): lambda.Function {
  const { bundle, logGroupId, roleId, ...options } = props;
  const logGroup = defineFunctionLogGroup(scope, logGroupId);
  return new lambda.Function(scope, id, {
    ...options,
    // the latest Node.js aws-cdk-lib knows for the region, as for the Provider framework's own function: the bundle
    // targets Node.js 20, so any newer runtime runs it.
    runtime: lambda.determineLatestNodeRuntime(scope),
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(path.join(HANDLER_BUNDLE_DIR, bundle)),
    handler: 'index.handler',
    memorySize: 256,
    role: logWritingRole(scope, roleId, logGroup),
    logGroup,
  });
}

/** A function's own log group, kept a month and deleted with the stack, encrypted with the app's key if it set one. */
export function defineFunctionLogGroup(scope: Construct, id: string): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  // with the app's customer-managed key, where it set one (`FunctionLogs.encryptWith`).
  encryptWithConfiguredKey(logGroup);
  return logGroup;
}

/**
 * A role for a Lambda function that may write to its own log group and nothing else yet: a function's default role
 * gets the AWSLambdaBasicExecutionRole managed policy, which may create and write every log group of the account.
 */
export function logWritingRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return role;
}
