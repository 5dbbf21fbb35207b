/**
 * What the package ships, and in which languages: the jsii targets (one truth, `.jsiirc.json`), the files of the npm
 * package, the API reference generated from the assembly, and the install names the README gives.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { builtinModules } from 'module';
import { tmpdir } from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json'));
const jsiirc = JSON.parse(read('.jsiirc.json'));

test('package.json declares exactly the jsii targets of .jsiirc.json: Python, Java, .NET and Go', () => {
  // jsii reads only package.json at the package root; .jsiirc.json holds the names, and this keeps the two identical.
  expect(packageJson.jsii.targets).toEqual(jsiirc.targets);
  expect(Object.keys(jsiirc.targets).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
});

test('the README installs each language\'s package by the names of .jsiirc.json', () => {
  const { python, java, dotnet, go } = jsiirc.targets;
  const install = read('README.md').split('\n## Install\n')[1]?.split('\n## ')[0] ?? '';
  expect(install).toContain(`npm install ${packageJson.name}`);
  expect(install).toContain(`pip install ${python.distName}`);
  expect(install).toContain(`from ${python.module} import`);
  expect(install).toContain(`<groupId>${java.maven.groupId}</groupId>`);
  expect(install).toContain(`<artifactId>${java.maven.artifactId}</artifactId>`);
  expect(install).toContain(`import ${java.package}.`);
  expect(install).toContain(`dotnet add package ${dotnet.packageId}`);
  expect(install).toContain(`using ${dotnet.namespace};`);
  expect(install).toContain(`go get ${go.moduleName}/`);
});

/** The files `npm pack` puts in the package. */
function packedFiles(): string[] {
  // --ignore-scripts: the files as they are (`npm test` builds first); packing must not rebuild under a running test suite.
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  }));
  return packed.files.map((f: { path: string }) => f.path);
}

test('the npm package ships the compiled library, the assembly, the handler bundles, the testing kit and the docs, and nothing else', () => {
  const files = packedFiles();
  const required = ['.jsii', 'API.md', 'README.md', 'CHANGELOG.md', 'LICENSE', 'lib/index.js', 'lib/index.d.ts',
    'handlers/dist/provider/index.js', 'testing/index.js', 'testing/index.d.ts', 'testing/ivs-realtime-api-constraints.json', 'testing/API.md'];
  expect(files).toEqual(expect.arrayContaining(required));
  const shipped = /^((lib|testing)\/.*\.(js|d\.ts)|testing\/ivs-realtime-api-constraints\.json|testing\/API\.md|handlers\/dist\/[^/]+\/index\.js|\.jsii|API\.md|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
  const unexpected = files.filter((f) => !shipped.test(f));
  expect(unexpected).toEqual([]);
});

// eslint-disable-next-line jest/expect-expect -- it throws a message that says how to fix a stale API.md (a 10,000-line diff says nothing)
test('API.md is what jsii-docgen makes of the assembly: run `npm run docgen` after changing the public API', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-md-'));
  try {
    const generated = path.join(dir, 'API.md');
    execFileSync(process.execPath, [require.resolve('jsii-docgen/bin/jsii-docgen'), '-o', generated], { cwd: ROOT, stdio: 'pipe' });
    const current = read('API.md') === readFileSync(generated, 'utf8');
    if (!current) {
      throw new Error('API.md differs from what jsii-docgen generates from the assembly (.jsii): run `npm run docgen`, which compiles '
        + 'the library and regenerates API.md, and commit the result');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('the declarations a consumer compiles name only the package\'s dependencies: none of its dev dependencies, such as the SDK', () => {
  // a consumer compiling with skipLibCheck: false reads every .d.ts reachable from lib/index.d.ts; jsii keeps @internal
  // members (which name the SDK's request types) in what it emits, so `npm run compile` rewrites the declarations without them.
  const allowed = new Set([...Object.keys(packageJson.dependencies ?? {}), ...Object.keys(packageJson.peerDependencies ?? {})]);
  const reachable = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (reachable.has(file)) {
      return;
    }
    reachable.add(file);
    // TypeScript's own reading of the imports: the examples in the doc comments import the package itself, and do not count.
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('.')) {
        visit(path.join(path.dirname(file), `${specifier.replace(/\.js$/, '')}.d.ts`));
      } else {
        external.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
  };
  visit(path.join(ROOT, 'lib', 'index.d.ts'));
  expect(reachable.size).toBeGreaterThan(10);
  const builtins = new Set(builtinModules);
  expect([...external].filter((name) => !allowed.has(name) && !builtins.has(name.replace(/^node:/, '')))).toEqual([]);
});

test('installing the package runs no script: it is built before packing, not on install', () => {
  // npm runs these when the package is installed (and warns about them); `prepack` runs only where the package is packed.
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((script) => packageJson.scripts[script]);
  expect(installScripts).toEqual([]);
  expect(packageJson.scripts.prepack).toBe('npm run build');
});

test("the README's Upgrading section points to the packed changelog and names each breaking change's consequence", () => {
  const upgrading = read('README.md').split('\n## Upgrading\n')[1]?.split('\n## ')[0] ?? '';

  expect(upgrading).toContain('[CHANGELOG.md](CHANGELOG.md)');
  expect(packedFiles()).toContain('CHANGELOG.md');
  // the breaking changes the changelog marks as such, each by what names it in both.
  for (const name of ['StreamKeyStorage.secretsManager()', 'Modifying service token is not allowed', 'oldestGeneration',
    'cdk-ivs-realtime:', 'onStageEvent', 'bucketProps', 'RemovalPolicy.SNAPSHOT']) {
    expect([name, upgrading.includes(name)]).toEqual([name, true]);
  }
  expect(upgrading).toMatch(/the next deployment deletes the stream key\s+secret/);
});

test('every link of the README leads somewhere: a file of the package, a file of the repository, or one of its headings', () => {
  // the README is the package's front page on npm and in node_modules, where only the packed files exist: a link to any
  // other file of the repository is absolute, to the repository on GitHub.
  const readme = read('README.md');
  const repository = `${packageJson.repository.url.replace(/\.git$/, '')}/`;
  const prose = readme.replace(/^```[\s\S]*?^```$/gm, '');
  const headings = new Set([...prose.matchAll(/^#+ (.*)$/gm)]
    .map(([, heading]) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
  const files = new Set(packedFiles());

  const relative = links.filter((target) => !/^(https?:|mailto:|#)/.test(target)).map((target) => target.split('#')[0]);
  expect(relative.filter((target) => !files.has(target))).toEqual([]);
  const inRepository = links.filter((target) => target.startsWith(repository))
    .map((target) => target.slice(repository.length).replace(/^(blob|tree)\/main\//, '').split('#')[0]);
  expect(inRepository.length).toBeGreaterThan(5);
  expect(inRepository.filter((target) => !existsSync(path.join(ROOT, target)))).toEqual([]);
  const anchors = links.filter((target) => target.startsWith('#')).map((target) => target.slice(1));
  expect(anchors.filter((anchor) => !headings.has(anchor))).toEqual([]);
});
