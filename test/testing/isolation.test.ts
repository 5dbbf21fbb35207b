/**
 * The testing kit is for tests only: a user's `cdk synth` (which loads the library from lib/index) and the Lambda
 * bundles (built from handlers/) must not load any of it. Checked on the import graphs esbuild follows from each entry
 * point, as the bundle script builds them (the bundles are minified, so their inputs are what can be checked).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

async function localInputs(entryPoint: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [path.join(ROOT, entryPoint)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    absWorkingDir: ROOT,
    // the library's own files, not those of aws-cdk-lib or the SDK.
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs);
}

const kitFiles = (inputs: string[]) => inputs.filter((input) => input.startsWith('testing/'));

test('what a user\'s cdk synth loads (lib/index) imports nothing of the testing kit', async () => {
  const inputs = await localInputs('lib/index.ts');

  expect(inputs).toContain('lib/stage-composition.ts');
  expect(kitFiles(inputs)).toEqual([]);
});

test.each(fs.readdirSync(path.join(ROOT, 'handlers', 'dist')))('the %s Lambda bundle contains nothing of the testing kit', async (entry) => {
  const inputs = await localInputs(`handlers/${entry}/index.ts`);

  expect(inputs.length).toBeGreaterThan(1);
  expect(kitFiles(inputs)).toEqual([]);
});

test('the check sees an import of the kit', async () => {
  const inputs = await localInputs('testing/index.ts');

  expect(kitFiles(inputs)).toContain('testing/local-deployment.ts');
});
