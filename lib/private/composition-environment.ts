import { Stack, Token } from 'aws-cdk-lib';
import { PropsValidator } from './validation';

/**
 * The documented rule that what a composition uses is in its stage's account and region (here: the stack's), checked
 * for each part known at synth on both sides.
 */
export function validateSameEnvironment(validator: PropsValidator, prop: string, env: { account?: string; region?: string }, stack: Stack): void {
  for (const part of ['region', 'account'] as const) {
    const [theirs, ours] = [env[part], stack[part]];
    if (theirs !== undefined && !Token.isUnresolved(theirs) && !Token.isUnresolved(ours)) {
      validator.check(theirs === ours, `\`${prop}\` must be in the stack's ${part} ${ours} (a composition uses only resources of its `
        + `stage's account and region), got ${theirs}`);
    }
  }
}
