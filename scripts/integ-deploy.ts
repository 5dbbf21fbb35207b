// Runs the integration tests against a real AWS account: what `integ-runner --update-on-failed` does, with the CDK CLI
// this repository pins, because no integ-runner release reads aws-cdk-lib 2.276's cloud assembly yet (see
// test/support/integ-snapshot.ts). For each app (those named, or all): synthesize it as the snapshot check does,
// deploy it with its assertion stack (CloudFormation runs the assertions; one that fails fails the deployment),
// destroy it whatever happened, and, if both went through, make that assembly the app's snapshot.
//
//   npm run integ:deploy [-- integ.stage-recording.ts ...]
//
// Credentials and region come from the environment, as for any `cdk deploy` (AWS_PROFILE, AWS_REGION); the account
// and region must be bootstrapped (`npx cdk bootstrap`). See CONTRIBUTING.md, "Integration tests".
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { integApps, saveSnapshot, synthesize } from '../test/support/integ-snapshot';

const requested = process.argv.slice(2);
const apps = integApps().filter((app) => requested.length === 0 || requested.includes(app.name));
const unknown = requested.filter((name) => !apps.some((app) => app.name === name));
if (unknown.length > 0) {
  console.error(`no such integration test: ${unknown.join(', ')} (there are: ${integApps().map((app) => app.name).join(', ')})`);
  process.exit(2);
}

/** Runs the pinned CDK CLI on the assembly in `assemblyDirectory`; true when it succeeded. */
function cdk(assemblyDirectory: string, ...args: string[]): boolean {
  const cli = require.resolve('aws-cdk/bin/cdk');
  const result = spawnSync(process.execPath, [cli, ...args, '--all', '--app', assemblyDirectory, '--no-notices'], { stdio: 'inherit' });
  return result.status === 0;
}

const failed: string[] = [];
for (const app of apps) {
  const assembly = fs.mkdtempSync(path.join(os.tmpdir(), `${app.name}-`));
  console.log(`\n${app.name}: deploying (assertions run as part of the deployment)`);
  synthesize(app, assembly, { validate: true });
  const deployed = cdk(assembly, 'deploy', '--require-approval', 'never');
  // also after a failed deployment: a stack that failed to create is left in ROLLBACK_COMPLETE, and must go.
  const destroyed = cdk(assembly, 'destroy', '--force');
  if (deployed && destroyed) {
    saveSnapshot(app, assembly);
    console.log(`${app.name}: passed; snapshot updated`);
  } else {
    failed.push(app.name);
    console.error(`${app.name}: ${deployed ? 'passed, but destroying its stacks failed (delete them by hand)' : 'failed'}`);
  }
  fs.rmSync(assembly, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
