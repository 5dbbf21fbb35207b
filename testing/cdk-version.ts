/**
 * The aws-cdk-lib versions the testing kit supports: those of the package's `peerDependencies` range (a caret range,
 * `^2.276.0`: 2.276.0 or later within major version 2). The kit reads cloud assemblies as those versions write them;
 * `LocalIvs.start` and `new LocalDeployment` check the installed version against it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The package's `peerDependencies['aws-cdk-lib']`. */
export function supportedAwsCdkLibRange(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  return manifest.peerDependencies['aws-cdk-lib'];
}

/** The version of the aws-cdk-lib the test's project has installed (as Node.js resolves it from here). */
export function installedAwsCdkLibVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('aws-cdk-lib/package.json').version;
}

/** Whether `version` satisfies a caret range (`^MAJOR.MINOR.PATCH`), the only form the package's range takes. */
export function satisfiesCaret(version: string, range: string): boolean {
  const parse = (text: string) => /^(\d+)\.(\d+)\.(\d+)/.exec(text)?.slice(1, 4).map(Number);
  const wanted = /^\^/.test(range) ? parse(range.slice(1)) : undefined;
  const actual = parse(version);
  if (!wanted) throw new Error(`Cannot read the supported aws-cdk-lib range ${range}: a caret range (^X.Y.Z) was expected`);
  if (!actual || actual[0] !== wanted[0]) return false;
  for (let index = 1; index < 3; index++) {
    if (actual[index] !== wanted[index]) return actual[index] > wanted[index];
  }
  // a prerelease of exactly the minimum version is older than it.
  return !/-/.test(version);
}

/** Throws, naming both, unless `version` (by default the installed one) is in the supported range. */
export function assertSupportedAwsCdkLib(version: string = installedAwsCdkLibVersion()): void {
  const range = supportedAwsCdkLibRange();
  if (!satisfiesCaret(version, range)) {
    throw new Error(`cdk-ivs-realtime/testing supports aws-cdk-lib ${range} (the package's peerDependencies); `
      + `aws-cdk-lib ${version} is installed: install a version in that range`);
  }
}
