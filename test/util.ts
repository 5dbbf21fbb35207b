import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A fresh environment-agnostic stack in its own app. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id);
}

/** A stack pinned to an account and region, for checks that need a resolved region. */
export function newStackInRegion(region = 'us-east-1', id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region } });
}

/** The `Config` property of the only custom resource of `type` in the stack, resolved. */
export function configOf(stack: Stack, type: string): any {
  const resources = Template.fromStack(stack).findResources(type);
  const ids = Object.keys(resources);
  if (ids.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  }
  return resources[ids[0]].Properties.Config;
}
