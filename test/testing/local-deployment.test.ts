import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CompositionDestination, RecordingBucket, Stage, StageComposition, StorageConfiguration } from '../../lib';
import { LocalDeployment, LocalIvs } from '../../testing';

/**
 * The testing kit as a user's test drives it: cloud assemblies synthesized to a directory, as `cdk synth` writes
 * them, deployed, driven at run time, updated and deleted against the local services.
 */
describe('LocalDeployment', () => {
  let local: LocalIvs;
  let outdir: string;
  let deployment: LocalDeployment;
  beforeAll(async () => {
    // a composition stops 50 ms (not IVS's minute) after its stage's last participant has left.
    local = await LocalIvs.start({ compositionIdleTimeoutMs: 50 });
  });
  afterAll(async () => {
    await local.stop();
  });
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-deployment-'));
    deployment = new LocalDeployment(local);
  });
  afterEach(async () => {
    await deployment.close();
    local.reset();
    fs.rmSync(outdir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  /**
   * Two stacks with a reference between them: the stage in one, the composition of it (and a bucket that empties
   * itself on delete, an aws-cdk-lib custom resource) in the other.
   */
  function studioApp(stageName: string): string {
    const app = new App({ outdir: path.join(outdir, stageName) });
    const studio = new Stack(app, 'Studio');
    const stage = new Stage(studio, 'Stage', { stageName });
    const composition = new Stack(app, 'Composition');
    const bucket = new RecordingBucket(composition, 'Recordings');
    new s3.Bucket(composition, 'Scratch', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    new StageComposition(composition, 'Recording', {
      stages: [stage],
      destinations: [CompositionDestination.s3(new StorageConfiguration(composition, 'Storage', { bucket }))],
    });
    return app.synth().directory;
  }

  test('deploys every stack in dependency order with the cross-stack reference resolved, and reports the custom resource it skipped', async () => {
    const result = await deployment.deploy(studioApp('studio'));

    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(result.stacks.map((stack) => stack.stackName)).toEqual(['Studio', 'Composition']);
    expect(deployment.skipped).toEqual([
      { stackName: 'Composition', logicalId: expect.stringMatching(/^ScratchAutoDeleteObjectsCustomResource/), type: 'Custom::S3AutoDeleteObjects' },
    ]);
    const [stageArn] = [...local.ivs.stages.keys()];
    const composition = deployment.stack('Composition');
    const rules = Object.keys(composition.template!.Resources!).filter((id) => composition.template!.Resources![id].Properties?.EventPattern);
    expect(rules.map((id) => (composition.resolvedProperties(id) as any).EventPattern.resources)).toEqual([[stageArn]]);
  });

  test('a participant publishing starts the composition; once the last one has left, IVS stops it', async () => {
    await deployment.deploy(studioApp('studio'));
    const [stageArn] = [...local.ivs.stages.keys()];

    const { participant, deliveries } = await deployment.publish(stageArn, { userId: 'host' });

    expect(deliveries).toEqual([expect.objectContaining({ stackName: 'Composition', invocation: { attempts: [{ ok: true, payload: null }] } })]);
    expect([...local.ivs.compositions.values()].map((c) => [c.stageArn, c.state])).toEqual([[stageArn, 'ACTIVE']]);

    await deployment.leave(participant);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);
  });

  test('updates from a second assembly, then deletes everything', async () => {
    await deployment.deploy(studioApp('studio'));
    const [stageArn] = [...local.ivs.stages.keys()];
    const { participant } = await deployment.publish(stageArn);

    const updated = await deployment.deploy(studioApp('studio-2'));

    expect(updated.status).toBe('SUCCEEDED');
    expect([...local.ivs.stages.values()].map((stage) => [stage.arn, stage.name])).toEqual([[stageArn, 'studio-2']]);
    // the storage configuration cannot be deleted while the composition that writes to it runs.
    await deployment.leave(participant);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const destroyed = await deployment.destroy();

    expect(destroyed.stacks.map((stack) => [stack.stackName, stack.result.status])).toEqual([['Composition', 'SUCCEEDED'], ['Studio', 'SUCCEEDED']]);
    expect(local.ivs.resourceCount()).toBe(0);
    expect([...local.ivs.compositions.values()].map((c) => c.state)).toEqual(['STOPPED']);
    expect(deployment.stackNames).toEqual([]);
  });

  test('an import of a value no stack exports fails the resource, as CloudFormation does', async () => {
    const app = new App({ outdir });
    new Stage(new Stack(app, 'Orphan'), 'Stage', { stageName: Fn.importValue('NotExported') });

    const result = await deployment.deploy(app.synth().directory);

    expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: expect.stringMatching(/^Orphan: Stage[A-Z0-9]+: No export named NotExported found\.$/) });
    expect(deployment.stackNames).toEqual([]);
  });
});
