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
