import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { COMPOSITION_CONFIG_ENV } from '../../lib/private/composition-contract';
import { parseRenderedJson } from '../util';

/**
 * The configuration a `StageComposition`'s function reads, as the template renders it, parsed. A reference the
 * template can only resolve at deployment reads `<Ref:LogicalId>` or `<GetAtt:LogicalId.Attribute>`.
 * `index` picks one of several StageCompositions of the stack, in template order.
 */
export function compositionConfigOf(stack: Stack, index = 0): any {
  const functions = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter((fn) => fn.Properties.Environment?.Variables?.[COMPOSITION_CONFIG_ENV] !== undefined);
  return parseRenderedJson(functions[index].Properties.Environment.Variables[COMPOSITION_CONFIG_ENV]);
}
