// Bundles each Lambda entry point under handlers/ into handlers/dist/<name>/index.js, with its own
// @aws-sdk/client-ivs-realtime (the runtime's SDK lags and silently drops input fields it does not know), and its own
// @aws-sdk/client-kms where it signs or reads keys.
import { rmSync } from 'fs';
import { build } from 'esbuild';

const entries = ['provider', 'composition', 'participant-token-issuer', 'recording-ready', 'stage-pool-session', 'stage-pool-cleanup'];
rmSync('handlers/dist', { recursive: true, force: true });
for (const entry of entries) {
  const result = await build({
    entryPoints: [`handlers/${entry}/index.ts`],
    outfile: `handlers/dist/${entry}/index.js`,
    bundle: true,
    minify: true,
    platform: 'node',
    // the oldest Node.js the bundle runs on: the Lambda runtime (22) and the local lifecycle tests (20).
    target: 'node20',
    format: 'cjs',
    // the SDK loads node:http lazily with import(); as require() the bundle also runs where import() needs
    // a module loader that is not there (the lifecycle tests load it the way Lambda does, from plain CommonJS).
    supported: { 'dynamic-import': false },
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warnings in handlers/${entry}`);
  }
}
