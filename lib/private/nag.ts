import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag AwsSolutions-IAM5 finding (a wildcard in a resource ARN) that is the library's by design,
 * with the reason, so that apps checking their stacks with cdk-nag see only their own findings. Recorded with
 * aws-cdk-lib's `Validations`, which cdk-nag 3 reads: the library needs no dependency on cdk-nag.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagNotation(Stack.of(scope).resolve(resourceArn))}]`, reason });
}

/** Acknowledges a cdk-nag AwsSolutions finding (`AwsSolutions-DDB3`, ...) of the library's own resource, with the reason. */
export function acknowledgeAwsSolutions(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** A resolved value as cdk-nag names it in a finding: `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attribute>`, joins joined. */
function nagNotation(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const intrinsic = value as Record<string, any>;
  if (intrinsic['Fn::Join']) {
    const [delimiter, parts] = intrinsic['Fn::Join'];
    return parts.map(nagNotation).join(delimiter);
  }
  if (intrinsic['Fn::GetAtt']) {
    return `<${intrinsic['Fn::GetAtt'][0]}.${intrinsic['Fn::GetAtt'][1]}>`;
  }
  if (intrinsic.Ref) {
    return `<${intrinsic.Ref}>`;
  }
  return JSON.stringify(value);
}

/** The rule packs whose findings `acknowledgeCompliance` acknowledges: the same rule name in each. */
const COMPLIANCE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5'];

/**
 * Acknowledges, on `scope` and what it contains, cdk-nag's HIPAA.Security and NIST.800-53.R5 findings of the rules named
 * (`LambdaDLQ`, ...) that do not apply to the library's own resources, each with its reason: apps that check their stacks
 * with these packs see only what they can act on. Through aws-cdk-lib's `Validations`, as `acknowledgeWildcardResource`.
 */
export function acknowledgeCompliance(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [rule, reason] of Object.entries(reasons)) {
    for (const pack of COMPLIANCE_PACKS) {
      Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
    }
  }
}

/** The reasons that hold for every Lambda function of the library. */
export const LIBRARY_FUNCTION_REASONS = {
  LambdaInsideVPC: 'The function calls only AWS APIs over HTTPS (IVS, and where it needs them KMS, Secrets Manager and '
    + 'CloudFormation\'s response URL): it reads no data in a VPC, and inside one it would need a NAT gateway or an '
    + 'endpoint for each of those services',
  LambdaConcurrency: 'Reserved concurrency would take from the account\'s unreserved pool for a function that runs at '
    + 'deployment or on demand; the app can reserve it on the function if it wants a limit',
  IAMNoInlinePolicy: 'The policies hold the least-privilege statements of the library\'s own function role, and only that '
    + 'role\'s: a managed policy would be a separate resource that other roles could be given',
};
