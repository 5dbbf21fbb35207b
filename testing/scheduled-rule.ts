import { Stack } from 'aws-cdk-lib';
import { assetDirectory, synthesize } from './lifecycle/assembly';
import { InvokeOutcome, LambdaRuntime, functionLogGroup } from './lifecycle/lambda-runtime';
import { LifecycleDriver } from './lifecycle-driver';

/**
 * Fires the deployed stack's one scheduled EventBridge rule, as EventBridge would: its Lambda target is invoked with
 * the target's `Input` as the deployment resolved it (`AWS::StackId` included), in the function's deployed environment
 * plus the driver's fake services and `env`. The lifecycle driver deploys rules as inert resources (their state kept by
 * its EventBridge, `driver.eventBridge()`), so a test fires one when the schedule would. A disabled rule invokes nothing:
 * the result is undefined.
 */
export async function fireScheduledRule(
  driver: LifecycleDriver, stack: Stack, options: { region: string; env: Record<string, string> },
): Promise<InvokeOutcome | undefined> {
  const { source, template } = synthesize(stack);
  const resources = template.Resources ?? {};
  const rules = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Events::Rule' && resources[id].Properties?.ScheduleExpression);
  if (rules.length !== 1) {
    throw new Error(`expected one scheduled rule in ${stack.stackName}, found ${rules.length}`);
  }
  const [eventBridge, dynamoDb] = [await driver.eventBridge(), await driver.dynamoDb()];
  if (eventBridge.rule(driver.physicalId(rules[0]))?.state === 'DISABLED') {
    return undefined;
  }
  const [target] = (resources[rules[0]].Properties!.Targets as any[]);
  const functionId: string = target.Arn['Fn::GetAtt'][0];
  const { Input: input } = (driver.resolvedProperties(rules[0]) as any).Targets[0];
  const props = driver.resolvedProperties(functionId) as any;
  const functionName = driver.physicalId(functionId);
  const { region, env } = options;
  const services = { AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint };
  const runtime = new LambdaRuntime({ region, env: { ...services, ...env }, timeoutScale: 1 });
  return runtime.invoke({
    logicalId: functionId,
    functionName,
    arn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    code: { directory: assetDirectory(functionId, source, resources[functionId], props.Code) },
    handler: props.Handler,
    runtime: props.Runtime,
    timeoutSeconds: props.Timeout,
    memorySize: props.MemorySize,
    logGroupName: functionLogGroup(functionName, props),
    environment: props.Environment?.Variables ?? {},
  }, JSON.parse(input));
}
