import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation';

/**
 * Checks an IVS Real-Time ARN given to an import method, when it is known at synth.
 *
 * Accepts every partition (`arn:aws[-a-z]*:`): the API model's own patterns hard-code `arn:aws:`,
 * which would wrongly reject China and GovCloud ARNs.
 */
export function validateIvsArn(scope: IConstruct, id: string, method: string, arn: string, resource: string): void {
  if (Token.isUnresolved(arn)) {
    return;
  }
  if (!isIvsArn(arn, resource)) {
    throw new ValidationError(`${method} at '${scope.node.path}/${id}': the ARN must look like `
      + `arn:aws:ivs:<region>:<account>:${resource}/<id>, got ${JSON.stringify(arn)}`);
  }
}

/** Whether `arn` is the ARN of an IVS resource of type `resource` (`stage`, `channel`, ...), in any partition. */
export function isIvsArn(arn: string, resource: string): boolean {
  return new RegExp(`^arn:aws[-a-z]*:ivs:[a-z0-9-]+:[0-9]+:${resource}/[a-zA-Z0-9-]+$`).test(arn);
}

/** The ID part of an IVS ARN (`abcdABCDefgh` in `arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh`). */
export function ivsResourceId(arn: string): string {
  return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
}
