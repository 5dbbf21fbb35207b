import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffAssemblies, IntegApp, integApps, saveSnapshot, synthesize } from '../support/integ-snapshot';

// The integration test apps synthesize to the templates of their committed snapshots, which were last deployed with
// their assertions (see CONTRIBUTING.md, "Integration tests"). `npm run integ:update` (UPDATE_INTEG_SNAPSHOTS=1)
// rewrites the snapshots that differ, without deploying.
const UPDATE = process.env.UPDATE_INTEG_SNAPSHOTS === '1';
const apps = integApps();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshots-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Synthesizes each app once, into the scratch directory. */
const assemblies = new Map<string, string>();
function assemblyOf(app: IntegApp): string {
  if (!assemblies.has(app.name)) {
    const outdir = path.join(scratch, app.name);
    synthesize(app, outdir, { validate: UPDATE });
    assemblies.set(app.name, outdir);
  }
  return assemblies.get(app.name)!;
}

test('every integration test app has a committed snapshot', () => {
  expect(apps.map((app) => app.name)).toEqual(expect.arrayContaining(['integ.ingest-configuration.ts', 'integ.stage-composition.ts',
    'integ.stage-recording.ts']));
  if (!UPDATE) {
    expect(apps.filter((app) => !fs.existsSync(app.snapshotDirectory)).map((app) => app.name)).toEqual([]);
  }
});

test.each(apps.map((app) => [app.name, app] as const))('%s synthesizes to its snapshot', (_name, app) => {
  const actual = assemblyOf(app);
  const differences = fs.existsSync(app.snapshotDirectory) ? diffAssemblies(app.snapshotDirectory, actual) : ['no snapshot'];
  if (UPDATE && differences.length > 0) {
    saveSnapshot(app, actual);
    return;
  }
  // a difference: deploy the app (npm run integ:deploy), or rewrite its snapshot without deploying (npm run integ:update).
  expect(differences).toEqual([]);
});

describe('the snapshot check', () => {
  const app = apps.find((candidate) => candidate.name === 'integ.stage-recording.ts')!;
  const stack = 'IvsRealTimeIntegStageRecording';

  /** A copy of the app's snapshot, changed by `edit` (which gets the copy's directory). */
  function editedSnapshot(edit: (directory: string) => void): string {
    const directory = fs.mkdtempSync(path.join(scratch, 'edited-'));
    fs.cpSync(app.snapshotDirectory, directory, { recursive: true });
    edit(directory);
    return directory;
  }

  function editFile(file: string, edit: (text: string) => string): void {
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  }

  test('fails when a construct renders its resource differently, and shows the property', () => {
    const edited = editedSnapshot((directory) => editFile(path.join(directory, `${stack}.template.json`),
      (text) => text.replace('AUDIO_ONLY', 'AUDIO_VIDEO')));

    const differences = diffAssemblies(app.snapshotDirectory, edited);

    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(new RegExp(`^${stack}:`));
    expect(differences[0]).toContain('AUDIO_VIDEO');
  });

  test('fails when an assertion changes', () => {
    const assertionTemplate = fs.readdirSync(app.snapshotDirectory).find((file) => /^StageRecordingDefaultTestDeployAssert.*\.template\.json$/.test(file))!;
    const edited = editedSnapshot((directory) => editFile(path.join(directory, assertionTemplate),
      (text) => text.replace('integ-recordings', 'other-recordings')));

    expect(diffAssemblies(app.snapshotDirectory, edited)).toEqual([expect.stringContaining('other-recordings')]);
  });

  test('passes when only a handler bundle changed: its asset hash is no difference', () => {
    const assets = JSON.parse(fs.readFileSync(path.join(app.snapshotDirectory, `${stack}.assets.json`), 'utf8'));
    const bundleHash = Object.keys(assets.files).find((hash) => assets.files[hash].source.path === `asset.${hash}`)!;
    const rebuiltHash = 'f'.repeat(bundleHash.length);
    // what a rebuilt bundle changes: its hash, in the template (the function's S3 key) and in the asset manifest.
    const edited = editedSnapshot((directory) => {
      for (const file of [`${stack}.template.json`, `${stack}.assets.json`]) {
        editFile(path.join(directory, file), (text) => text.split(bundleHash).join(rebuiltHash));
      }
    });
    expect(fs.readFileSync(path.join(edited, `${stack}.template.json`), 'utf8')).toContain(rebuiltHash);

    expect(diffAssemblies(app.snapshotDirectory, edited)).toEqual([]);
  });
});
