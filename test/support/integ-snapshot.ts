import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { formatDifferences, fullDiff } from '@aws-cdk/cloudformation-diff';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * The snapshot check of integ-runner (`@aws-cdk/integ-runner`), for the cloud assembly schema aws-cdk-lib 2.276 writes.
 *
 * integ-runner 2.197.10, the latest release, reads cloud assembly schema 53 at most and refuses the snapshots of
 * aws-cdk-lib 2.276 (schema 55) before comparing anything; its library code is bundled and exports only its CLI. So
 * this module does what its `IntegSnapshotRunner.testSnapshot` does, with the diff library integ-runner uses
 * (`@aws-cdk/cloudformation-diff`): synthesize the app with integ-runner's context, replace the asset hashes of both
 * assemblies with placeholders (so a rebuilt handler bundle is no change), and diff every template. It diffs the
 * assertion stacks too, which integ-runner leaves out: an assertion that changed has not run against an account either.
 * A test case's `diffAssets: true` (compare asset hashes) is not read: no app here sets it.
 * Snapshots keep integ-runner's layout (`integ.<name>.ts.snapshot/`, the cloud assembly), so a release of integ-runner
 * that reads schema 55 takes them over.
 */

/** Where the integration test apps are (integ-runner's naming: `integ.<name>.ts`). */
export const INTEG_DIRECTORY = path.join(__dirname, '..', 'integ');

/** One integration test app and its committed snapshot. */
export interface IntegApp {
  /** The file name, such as `integ.stage-recording.ts`. */
  readonly name: string;
  readonly file: string;
  readonly snapshotDirectory: string;
}

export function integApps(): IntegApp[] {
  return fs.readdirSync(INTEG_DIRECTORY)
    .filter((name) => /^integ\..*(?<!\.d)\.ts$/.test(name))
    .sort()
    .map((name) => ({ name, file: path.join(INTEG_DIRECTORY, name), snapshotDirectory: path.join(INTEG_DIRECTORY, `${name}.snapshot`) }));
}

/**
 * The context integ-runner synthesizes with: the feature flags aws-cdk-lib recommends (integ-runner ships a copy of
 * the same file), every partition, and no version reporting, path or asset metadata (which would put this machine's
 * paths and the library version into the templates).
 */
function synthContext(): Record<string, unknown> {
  const context: Record<string, unknown> = {
    ...JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')),
    [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: false,
    [cxapi.PATH_METADATA_ENABLE_CONTEXT]: false,
    [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: false,
  };
  delete context[cxapi.TARGET_PARTITIONS];
  return context;
}

/**
 * Runs the app in this process, as the CDK CLI would run it (its output directory and context in the environment),
 * into `outdir`. In this process, so that under jest the app runs the library's TypeScript sources, not the JavaScript
 * jsii last compiled beside them. `validate: false` skips aws-cdk-lib's CloudFormation schema validation of the
 * templates, nine tenths of the time (about 1 s instead of 10 s an app): the snapshot check compares templates, and
 * the snapshot it compares with was validated when it was written.
 */
export function synthesize(app: IntegApp, outdir: string, options: { validate: boolean }): void {
  const environment: Record<string, string | undefined> = {
    [cxapi.OUTDIR_ENV]: outdir,
    [cxapi.CONTEXT_ENV]: JSON.stringify(synthContext()),
    CDK_VALIDATION: options.validate ? undefined : 'false',
  };
  const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  try {
    setEnvironment(environment);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app synthesizes when loaded (`app.synth()` ends it): loading it is running it
    require(app.file);
  } finally {
    setEnvironment(saved);
  }
}

function setEnvironment(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
}

/**
 * How `actualDirectory` differs from the snapshot in `expectedDirectory`, template by template (integ-runner's
 * `diffAssembly`): a stack only in one of them, or a template diff as `cdk diff` prints it. Empty when they agree.
 */
export function diffAssemblies(expectedDirectory: string, actualDirectory: string): string[] {
  const expected = readTemplates(expectedDirectory);
  const actual = readTemplates(actualDirectory);
  const differences: string[] = [];
  for (const stack of Object.keys(expected)) {
    if (!(stack in actual)) {
      differences.push(`${stack} exists in snapshot, but not in actual`);
    }
  }
  for (const [stack, template] of Object.entries(actual)) {
    if (!(stack in expected)) {
      differences.push(`${stack} does not exist in snapshot, but does in actual`);
      continue;
    }
    const diff = fullDiff(expected[stack], template);
    if (!diff.isEmpty) {
      const text = new TextSink();
      formatDifferences(text, diff);
      differences.push(`${stack}:\n${text.data}`);
    }
  }
  return differences;
}

/**
 * Makes `assemblyDirectory` the app's snapshot, cleaned as integ-runner cleans one: without the asset cache, without
 * the assets (as integ-runner does for test cases with `stackUpdateWorkflow: false`, which every app here sets), and
 * without the stack traces of the manifest's metadata (paths of this machine). Without the assets, a snapshot is
 * about 100 KB instead of 3 MB (integ-tests-alpha's assertion handler alone is 2.2 MB), and a rebuilt handler bundle
 * leaves it unchanged.
 */
export function saveSnapshot(app: IntegApp, assemblyDirectory: string): void {
  fs.rmSync(app.snapshotDirectory, { recursive: true, force: true });
  fs.cpSync(assemblyDirectory, app.snapshotDirectory, {
    recursive: true,
    filter: (source) => source === assemblyDirectory || !/^(asset\.|\.cache$)/.test(path.basename(source)),
  });
  const manifestFile = path.join(app.snapshotDirectory, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    for (const entries of Object.values<any[]>(artifact.metadata ?? {})) {
      entries.forEach((entry) => delete entry.trace);
    }
  }
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, undefined, 2));
}

/** A CloudFormation template, as `fullDiff` takes it. */
type Template = { [key: string]: any };

/** Every stack's template, by artifact ID, with its asset hashes and assertion salts replaced by placeholders. */
function readTemplates(assemblyDirectory: string): Record<string, Template> {
  const assembly = new cxapi.CloudAssembly(assemblyDirectory);
  return Object.fromEntries(assembly.stacks.map((stack) => [
    stack.id, withoutAssertionSalts(withoutAssetHashes(stack.template, assetHashesOf(assemblyDirectory, stack.id))),
  ]));
}

/**
 * integ-tests-alpha gives every assertion a `salt`, the time of synthesis, so that CloudFormation runs it again on
 * each deployment. integ-runner never sees it, as it leaves the assertion stacks out of its diff.
 */
function withoutAssertionSalts(template: Template): Template {
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    if (String(resource.Type).startsWith('Custom::DeployAssert@') && resource.Properties?.salt !== undefined) {
      resource.Properties.salt = 'salt';
    }
  }
  return template;
}

/**
 * The IDs (content hashes) of a stack's file and image assets, in its asset manifest's order, as integ-runner's
 * `getAssetIdsForStack` finds them.
 */
function assetHashesOf(assemblyDirectory: string, stackId: string): string[] {
  const file = path.join(assemblyDirectory, `${stackId}.assets.json`);
  if (!fs.existsSync(file)) {
    return [];
  }
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  const files = Object.entries<any>(manifest.files ?? {}).filter(([, asset]) => asset.source.path?.startsWith('asset.'));
  const images = Object.entries<any>(manifest.dockerImages ?? {}).filter(([, asset]) => asset.source.directory?.startsWith('asset.'));
  return [...files, ...images].map(([id]) => id);
}

/** integ-runner's `canonicalizeTemplate`: each asset hash, wherever it appears, becomes `Asset<n>`. */
function withoutAssetHashes(template: Template, hashes: string[]): Template {
  const substitute = (text: string) => hashes.reduce((result, hash, index) => result.split(hash).join(`Asset${index + 1}`), text);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(walk);
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [substitute(key), walk(item)]));
    }
    return typeof value === 'string' ? substitute(value) : value;
  };
  return walk(template) as Template;
}

/** Collects what `formatDifferences` prints. */
class TextSink extends Writable {
  public data = '';

  public override _write(chunk: Buffer | string, _encoding: string, callback: () => void): void {
    this.data += chunk.toString();
    callback();
  }
}
