import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { encryptWithConfiguredKey } from './function-log-keys';
import { acknowledgeAwsSolutions } from './nag';

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
  const logGroup = defineFunctionLogGroup(scope, props.logGroupId);
  return newBundledFunction(scope, id, props, logWritingRole(scope, props.roleId, logGroup), logGroup);
}

/**
 * As `defineBundledFunction`, but the function logs where Lambda logs by default, to `/aws/lambda/<function name>`: the
 * log group aws-cdk-lib's Provider framework names in every failure reason of a function it invokes. The stack creates
 * that log group after the function (its name comes from the function's); whatever invokes the function must depend on
 * `logs`, the log group and the permission to write to it, or Lambda would have nowhere to log (the role may not
 * create a log group, and one Lambda created would be kept forever).
 */
export function defineBundledFunctionLoggingByName(scope: Construct, id: string, props: BundledFunctionProps): BundledFunctionLogs {
  // with aws-cdk-lib's `useCdkManagedLogGroup` flag on (new projects' default), the function would define a log group of
  // that name too, which CloudFormation cannot create twice: this one, with its retention, is the function's. (`scope`
  // must have no children yet.)
  scope.node.setContext(cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP, false);
  const role = new iam.Role(scope, props.roleId, { assumedBy: LAMBDA });
  const fn = newBundledFunction(scope, id, props, role);
  const logGroup = defineFunctionLogGroup(scope, props.logGroupId, `/aws/lambda/${fn.functionName}`);
  // a policy of its own: in the role's default policy, which the function depends on, it would make a cycle.
  const writing = new iam.Policy(scope, `${props.logGroupId}Writing`, { roles: [role] });
  const onLogGroup = logWriting(logGroup);
  writing.addStatements(onLogGroup);
  return { fn, logs: new DependencyGroup(logGroup, writing), onLogGroup };
}

export interface BundledFunctionLogs {
  readonly fn: lambda.Function;
  /** The function's log group and its role's permission to write there. */
  readonly logs: IDependable;
  /** The role's statement on the log group: where more actions on it go (in the role's default policy they would make a cycle). */
  readonly onLogGroup: iam.PolicyStatement;
}

function newBundledFunction(scope: Construct, id: string, props: BundledFunctionProps, role: iam.IRole, logGroup?: logs.ILogGroup) {
  const { bundle, logGroupId: _logGroupId, roleId: _roleId, ...options } = props;
  const fn = new lambda.Function(scope, id, {
    ...options,
    runtime: HANDLER_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(path.join(HANDLER_BUNDLE_DIR, bundle)),
    handler: 'index.handler',
    memorySize: 256,
    role,
    logGroup,
  });
  acknowledgeAwsSolutions(fn, 'AwsSolutions-L1', LATEST_RUNTIME_REASON);
  return fn;
}

/**
 * The runtime of every library function, pinned: the one the handlers are tested on (the bundle targets Node.js 20, so
 * it runs there). Not `determineLatestNodeRuntime`, whose answer is a region fact of the app's aws-cdk-lib, so that
 * what a function runs on does not change with the app's aws-cdk-lib version.
 */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Why cdk-nag's AwsSolutions-L1 does not apply: the rule compares with the newest runtime of the family in the app's
 * aws-cdk-lib (`Runtime.ALL`), which lists a runtime as soon as Lambda announces it, before it is in every region
 * (aws-cdk-lib 2.278 lists Node.js 26 while its own `determineLatestNodeRuntime` still answers Node.js 24).
 */
const LATEST_RUNTIME_REASON = `The library pins its functions to ${HANDLER_RUNTIME.name}, the runtime its handlers are built and `
  + 'tested for; cdk-nag compares with the newest runtime the app\'s aws-cdk-lib lists, which can be newer than what the '
  + 'handlers are tested on or what Lambda offers in every region. The library moves to a newer runtime in a release';

/** A function's own log group, kept a month and deleted with the stack, encrypted with the app's key if it set one
 * (`FunctionLogs.encryptWith`); CloudFormation names it unless `logGroupName` does. */
export function defineFunctionLogGroup(scope: Construct, id: string, logGroupName?: string): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, { logGroupName, retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  encryptWithConfiguredKey(logGroup);
  return logGroup;
}

/**
 * A role for a Lambda function that may write to its own log group and nothing else yet: a function's default role
 * gets the AWSLambdaBasicExecutionRole managed policy, which may create and write every log group of the account.
 */
export function logWritingRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: LAMBDA });
  role.addToPrincipalPolicy(logWriting(logGroup));
  return role;
}

/** Writing to the log group, as `grantWrite` allows: creating log streams and putting events in them. */
function logWriting(logGroup: logs.ILogGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] });
}

const LAMBDA = new iam.ServicePrincipal('lambda.amazonaws.com');
