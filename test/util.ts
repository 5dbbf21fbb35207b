import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

/** A fresh environment-agnostic stack in its own app. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id);
}

/** A stack pinned to an account and region, for checks that need a resolved region. */
export function newStackInRegion(region = 'us-east-1', id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region } });
}

/**
 * The API request (`Request`) of the only custom resource of `type` in the stack, parsed. A reference the template can
 * only resolve at deployment reads `<Ref:LogicalId>` or `<GetAtt:LogicalId.Attribute>`.
 */
export function requestOf(stack: Stack, type: string): any {
  const resources = Template.fromStack(stack).findResources(type);
  const ids = Object.keys(resources);
  if (ids.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  }
  return parseRenderedJson(resources[ids[0]].Properties.Request);
}

/** A JSON text as a template renders it (`Stack.toJsonString`: a string, or an `Fn::Join` around references), parsed. */
export function parseRenderedJson(rendered: unknown): any {
  return JSON.parse(stringOf(rendered));
}

function stringOf(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map(stringOf).join(separator);
  }
  if (intrinsic.Ref) {
    return `<Ref:${intrinsic.Ref}>`;
  }
  if (intrinsic['Fn::GetAtt']) {
    return `<GetAtt:${intrinsic['Fn::GetAtt'].join('.')}>`;
  }
  if (intrinsic['Fn::Select']) {
    return '<Select>';
  }
  throw new Error(`cannot render ${JSON.stringify(value)} as a string`);
}

/** The logical ID of a construct's CloudFormation resource (its default child, however deep). */
export function logicalIdOf(construct: IConstruct): string {
  let element = construct;
  while (!CfnElement.isCfnElement(element)) {
    element = element.node.defaultChild!;
  }
  return Stack.of(element).getLogicalId(element);
}

/** Every IVS resource of a type in the stack's account and region, as the template renders `formatArn`. */
export function ivsArns(resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/*`]] };
}
