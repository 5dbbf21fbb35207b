/**
 * A `node --require` hook that makes every `require('aws-cdk-lib')` and `require('aws-cdk-lib/…')` of the process load
 * the newest aws-cdk-lib of the peer range instead, installed as the devDependency alias `aws-cdk-lib-latest`: the
 * library, the examples and cdk-nag then all see the one aws-cdk-lib an app resolving the newest version would have.
 * `constructs` stays the project's, as an app's would be one copy. The sources of the library and the testing kit load
 * before the `.js` the build leaves beside them, as in jest (`moduleFileExtensions`), so the check needs no build. Used by `nag.test.ts` through a
 * child process (with tsx, which compiles the sources).
 */
import * as fs from 'fs';
import * as Module from 'module';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// Module's resolver is internal to Node, not in its typings.
const internals = Module.Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = internals._resolveFilename;
const SOURCES = [path.join(ROOT, 'lib') + path.sep, path.join(ROOT, 'testing') + path.sep];
const CONSTRUCTS = require.resolve('constructs', { paths: [ROOT] });

internals._resolveFilename = function redirected(this: unknown, request: string, ...rest: unknown[]): string {
  if (request === 'aws-cdk-lib' || request.startsWith('aws-cdk-lib/')) {
    return resolve.call(this, `aws-cdk-lib-latest${request.slice('aws-cdk-lib'.length)}`, ...rest);
  }
  if (request === 'constructs') {
    return CONSTRUCTS;
  }
  const resolved = resolve.call(this, request, ...rest);
  const source = resolved.replace(/\.js$/, '.ts');
  return source !== resolved && SOURCES.some((dir) => resolved.startsWith(dir)) && fs.existsSync(source) ? source : resolved;
};
