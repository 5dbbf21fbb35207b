/**
 * The example stacks and cdk-nag's rule packs, for `nag.test.ts`; run as a script, it checks every example with every
 * pack, deploys and destroys it with the testing kit, and prints the aws-cdk-lib version it loaded, each unacknowledged
 * error and each deployment's outcome as JSON (`nag.test.ts` runs it with the newest aws-cdk-lib of the peer range,
 * through `redirect-aws-cdk-lib.ts`).
 */
import * as fs from 'fs';
import * as os from 'os';
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

/**
 * Checks every example with every pack, synthesizes it, and deploys and destroys it with the testing kit (on a local
 * IVS): what each step reports, by stack.
 */
async function main(): Promise<void> {
  // required here, through the redirect (a dynamic import would go through Node's ESM loader, which the hook does not see).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LocalDeployment, LocalIvs } = require('../../testing') as typeof import('../../testing');
  const local = await LocalIvs.start();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-examples-'));
  const errors: Record<string, string[]> = {};
  const deployments: Record<string, string[]> = {};
  try {
    for (const [name, StackClass] of exampleStacks()) {
      const app = new App({ outdir: path.join(outdir, name) });
      const stack = new StackClass(app, name);
      for (const [pack, checks] of PACKS) {
        errors[`${name} ${pack}`] = unacknowledgedErrors(stack, checks);
      }
      const deployment = new LocalDeployment(local);
      try {
        deployments[name] = [(await deployment.deploy(app.synth().directory)).status, (await deployment.destroy()).status];
      } finally {
        await deployment.close();
        local.reset();
      }
    }
  } finally {
    await local.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the version this process loaded, redirected or not
  const version = (require('aws-cdk-lib/package.json') as { version: string }).version;
  process.stdout.write(JSON.stringify({ version, errors, deployments }));
}

if (require.main === module) {
  // the kit's handlers log each decision to the console: stdout carries the report only.
  console.log = () => undefined;
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}
