/**
 * The package as a user gets it: packed (after `npm run build`, which `npm run test:install` runs first), installed
 * from the tarball into a fresh app with its peer dependencies, the examples synthesized there by the real CDK CLI
 * offline, and the app's own jest test (test/install/app/offline.test.js, the README's "Testing your app offline")
 * deploying them with the testing kit, publishing a participant, updating and deleting.
 *
 * Every package comes from the npm cache where it can (`--prefer-offline`): the versions are those of this
 * repository's node_modules, which `npm ci` put there.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'app');

/**
 * What the app installs beside the tarball: the peer dependencies, the CDK CLI (and tsx, which runs its TypeScript
 * app), jest and TypeScript (to type-check the test against the kit's declarations): the README's install line. No
 * SDK client: the library's handler bundles its own, and the kit reads nothing of aws-cdk-lib's Provider framework.
 */
const APP_DEPENDENCIES = ['aws-cdk-lib', 'constructs', 'aws-cdk', 'tsx', 'jest', 'typescript', '@types/jest', '@types/node'];

const installed = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** Runs a command in the app; returns what it printed (stdout and stderr), or throws with it. */
function run(cwd: string, command: string, args: string[]): string {
  const started = Date.now();
  try {
    const output = execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', npm_config_loglevel: 'warn' },
      maxBuffer: 64 * 1024 * 1024,
    });
    console.info(`${command} ${args.slice(0, 2).join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return output;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

describe('the packed package, installed into a fresh app', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ivs-realtime-install-'));
  const app = path.join(work, 'app');
  let installOutput: string;

  beforeAll(() => {
    // the build is current (npm run test:install builds first): --ignore-scripts packs what is there.
    const [packed] = JSON.parse(run(ROOT, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work]));
    fs.cpSync(FIXTURE, app, { recursive: true });
    // the repository's examples, importing the package by its name.
    fs.cpSync(path.join(ROOT, 'examples'), path.join(app, 'examples'), { recursive: true });
    for (const file of fs.readdirSync(path.join(app, 'examples')).filter((f) => f.endsWith('.ts'))) {
      const source = path.join(app, 'examples', file);
      fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace(/from '\.\.\/lib'/g, "from 'cdk-ivs-realtime'"));
    }
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'kit-app', version: '1.0.0', private: true, jest: { testEnvironment: 'node', testTimeout: 120000 },
    }));
    fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'npx tsx examples/app.ts' }));
    // npm prints its install-script warnings to stderr: capture both.
    installOutput = run(app, 'sh', ['-c', `npm install --prefer-offline --no-audit --no-fund ${path.join(work, packed.filename)} `
      + `${APP_DEPENDENCIES.map((name) => `${name}@${installed(name)}`).join(' ')} 2>&1`]);
  }, 300_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('installs without an install script of the package, and without building anything', () => {
    expect(installOutput.split('\n').filter((line) => line.includes('cdk-ivs-realtime'))).toEqual([]);
    expect(fs.existsSync(path.join(app, 'node_modules', 'cdk-ivs-realtime', 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'node_modules', 'cdk-ivs-realtime', 'lib', 'index.ts'))).toBe(false);
  });

  test('the real CDK CLI synthesizes the examples offline, and they use every construct of the library', () => {
    run(app, 'npx', ['cdk', 'synth', '--no-notices', '--quiet']);

    const used = new Set<string>();
    const visit = (node: any): void => {
      used.add(node.constructInfo?.fqn);
      Object.values(node.children ?? {}).forEach(visit);
    };
    visit(JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'tree.json'), 'utf8')).tree);
    const assembly = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'cdk-ivs-realtime', '.jsii'), 'utf8'));
    // a construct: a class whose initializer takes (scope: Construct, id, ...).
    const constructs = Object.entries<any>(assembly.types)
      .filter(([, type]) => type.kind === 'class' && type.initializer?.parameters?.[0]?.type?.fqn === 'constructs.Construct')
      .map(([fqn]) => fqn);
    expect(constructs.length).toBeGreaterThan(5);
    expect(constructs.filter((fqn) => !used.has(fqn))).toEqual([]);
  });

  test('the app\'s jest test deploys the examples with the testing kit, composes, updates and deletes them', () => {
    run(app, 'npx', ['cdk', 'synth', '--no-notices', '--quiet', '--app', 'npx tsx update.ts', '--output', 'cdk.out.update']);
    // the test as a user's editor checks it, against the declarations the package ships.
    run(app, 'npx', ['tsc', '--noEmit', '--allowJs', '--checkJs', '--skipLibCheck', '--module', 'node20', '--target', 'es2022',
      '--types', 'jest,node', 'offline.test.js']);

    const output = run(app, 'sh', ['-c', 'npx jest --ci 2>&1']);

    expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
  });
});
