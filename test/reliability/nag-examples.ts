/**
 * The example stacks and cdk-nag's rule packs, for `nag.test.ts`; run as a script, it checks every example with every
 * pack and prints the aws-cdk-lib version it loaded and each unacknowledged error as JSON (`nag.test.ts` runs it with
 * the newest aws-cdk-lib of the peer range, through `redirect-aws-cdk-lib.ts`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export type ExampleStack = new (scope: App, id: string) => Stack;

/** Every stack class the example modules export (app.ts synthesizes its own app when imported, so it is left out). */
export function exampleStacks(): Array<[string, ExampleStack]> {
  return fs.readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.ts') && file !== 'app.ts' && !file.endsWith('.d.ts'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every example file, found at run time
    .flatMap((file) => Object.entries(require(path.join(EXAMPLES, file)) as Record<string, unknown>))
    .filter((entry): entry is [string, ExampleStack] =>
      typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Stack);
}

export const PACKS: Array<[string, () => NagPack]> = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['HIPAA.Security', () => new HIPAASecurityChecks()],
  ['NIST.800-53.R5', () => new NIST80053R5Checks()],
];

/** The errors of a pack that nothing acknowledges: `<rule>: <construct paths>`. */
export function unacknowledgedErrors(stack: Stack, checks: () => NagPack): string[] {
  return checks().validateScope(stack).violations.filter((violation) => violation.severity === 'error')
    .map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
}

if (require.main === module) {
  const errors: Record<string, string[]> = {};
  for (const [name, StackClass] of exampleStacks()) {
    const app = new App();
    const stack = new StackClass(app, name);
    for (const [pack, checks] of PACKS) {
      errors[`${name} ${pack}`] = unacknowledgedErrors(stack, checks);
    }
    app.synth();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the version this process loaded, redirected or not
  const version = (require('aws-cdk-lib/package.json') as { version: string }).version;
  process.stdout.write(JSON.stringify({ version, errors }));
}
