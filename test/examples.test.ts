import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The stacks of examples/app.ts. */
const EXAMPLE_STACKS = [
  'StageWithRecording', 'StageRecording', 'StageComposition', 'IvsRealTimePlatform', 'ParticipantTokens', 'StageMonitoring', 'RecordingPlayback',
  'StagePool',
];

/** A template without what changes with every build: asset hashes (in S3 keys and metadata) and the CLI's CDKMetadata. */
function masked(template: any): unknown {
  const { CDKMetadata: _metadata, ...resources } = template.Resources;
  const { CDKMetadataAvailable: _available, ...conditions } = template.Conditions ?? {};
  const text = JSON.stringify({ ...template, Resources: resources, Conditions: conditions });
  return JSON.parse(text.replace(/\b[0-9a-f]{64}\b/g, '<asset hash>'));
}

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

  /**
   * The templates as committed snapshots, asset hashes and the CLI's metadata masked: a change to any resource, and so a
   * moved construct path (a new logical ID: the provider's path is a public contract, since CloudFormation cannot change
   * a custom resource's ServiceToken), shows in review. After an intended change: `npx jest test/examples.test.ts -u`.
   */
  test.each(EXAMPLE_STACKS)('the %s template is its committed snapshot', (name) => {
    expect(Object.keys(templates).sort()).toEqual([...EXAMPLE_STACKS].sort());
    expect(masked(templates[name])).toMatchSnapshot();
  });

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
