import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs the pinned CDK CLI on the example app, as the README's quick start does: a CLI that cannot read the
 * cloud assembly of the pinned aws-cdk-lib fails here instead of on a user's machine.
 */
describe('cdk synth of examples/app.ts', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ivs-realtime-synth-'));
  let templates: Record<string, any>;

  beforeAll(() => {
    const root = path.join(__dirname, '..');
    execFileSync(path.join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '--quiet', '--output', outdir], {
      cwd: root,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
      stdio: 'pipe',
    });
    templates = Object.fromEntries(fs.readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => [file.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'))]));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes every example stack offline, each with one provider handler', () => {
    expect(Object.keys(templates).length).toBeGreaterThan(0);
    for (const template of Object.values(templates)) {
      const handlers = Object.values<any>(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.startsWith('cdk-ivs-realtime:'));
      expect(handlers).toHaveLength(1);
    }
  });

  test('the recording example holds the stage custom resource', () => {
    const types = Object.values<any>(templates.StageWithRecording.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['Custom::IvsRealTimeStage', 'Custom::IvsRealTimeStorageConfiguration']));
  });
});
