/**
 * The benchmark's computations on tiny inputs, so that `npm run bench` (not part of the test suite: minutes) cannot rot.
 * Nothing here asserts a time: only that each figure is computed, and the counts the benchmark reports against targets.
 */
import { benchmarkDeploy } from '../../bench/deploy';
import {
  bundleSizes, countApiCalls, fakeAwsEnvironment, loadHandler, measureColdStart, measureEventTimes, PROVIDER_BUNDLE, RequestKind, startBenchTable,
  withEnvironment,
} from '../../bench/handler';
import { linearFit, median, round, table } from '../../bench/stats';
import { footprintFits, footprintOf, maxStagesPerStack, measureSynthTimes, resourcesPerStage, synthesizeApp } from '../../bench/synth';
import { measureTokenColdStart, measureTokenThroughput, tokenIssuerSetup } from '../../bench/tokens';
import { FakeDynamoDb } from '../../testing/fake-dynamodb';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { FakeKms } from '../../testing/fake-kms';
import { FakeSecretsManager } from '../../testing/fake-secrets-manager';

beforeEach(() => {
  // the handler logs a line per event.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('statistics', () => {
  test('median of odd and even counts, unsorted', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });

  test('a linear fit recovers a line exactly, and measures how far points are from one', () => {
    expect(linearFit([10, 50, 100], [25, 105, 205])).toEqual({ slope: 2, intercept: 5, r2: 1 });
    expect(linearFit([1, 2], [7, 7])).toEqual({ slope: 0, intercept: 7, r2: 1 });
    expect(linearFit([1, 2, 3], [1, 3, 2]).r2).toBeCloseTo(0.25);
    expect(() => linearFit([5, 5], [1, 2])).toThrow('two different x values');
  });

  test('tables align text left and numbers right', () => {
    expect(table(['app', 'ms'], [['library', 12.5], ['L1', 3]])).toBe([
      'app        ms',
      '-------  ----',
      'library  12.5',
      'L1          3',
    ].join('\n'));
    expect(round(1.2345, 2)).toBe(1.23);
  });
});

describe('synth and footprint', () => {
  test('times both apps at every N', () => {
    const timings = measureSynthTimes({ stages: [1, 2], repeats: 1, warmups: 0 });
    expect(timings.map((t) => `${t.kind}:${t.stages}`)).toEqual(['library:1', 'library:2', 'l1:1', 'l1:2']);
    for (const timing of timings) {
      expect(timing.samplesMs).toHaveLength(1);
      expect(timing.medianMs).toBeGreaterThan(0);
      expect(timing.medianSynthMs).toBeLessThanOrEqual(timing.medianMs);
    }
  });

  test('footprints: three L1 resources per stage beside a bucket and an encoder configuration; the library adds its provider once', () => {
    const footprints = [1, 3].flatMap((n) => (['library', 'l1'] as const).map((kind) => footprintOf(kind, n, synthesizeApp(kind, n).template)));
    const fits = { library: footprintFits(footprints, 'library'), l1: footprintFits(footprints, 'l1') };
    expect(fits.l1.resources).toMatchObject({ slope: 3, intercept: 2 });
    expect(resourcesPerStage(footprints, 'l1')).toEqual({
      'AWS::IVS::IngestConfiguration': 1, 'AWS::IVS::Stage': 1, 'AWS::IVS::StorageConfiguration': 1,
    });
    expect(resourcesPerStage(footprints, 'library')).toMatchObject({ 'Custom::IvsRealTimeStage': 1 });
    // the ingest stream key stays in IVS by default: no secret per stage.
    expect(resourcesPerStage(footprints, 'library')).not.toHaveProperty(['AWS::SecretsManager::Secret']);
    expect(footprints.filter((f) => f.kind === 'library').map((f) => f.lambdaFunctions)).toEqual([2, 2]);
    expect(footprints.filter((f) => f.kind === 'l1').map((f) => f.lambdaFunctions)).toEqual([0, 0]);
    expect(fits.library.templateBytes.slope).toBeGreaterThan(0);

    // within 17 resources: the bucket, the encoder configuration and 5 stages of 3 L1 resources each.
    expect(maxStagesPerStack('l1', fits.l1.resources, 17)).toBe(5);
    const limit = 40;
    const max = maxStagesPerStack('library', fits.library.resources, limit);
    const resources = (stages: number) => footprintOf('library', stages, synthesizeApp('library', stages).template).resources;
    expect(resources(max)).toBeLessThanOrEqual(limit);
    expect(resources(max + 1)).toBeGreaterThan(limit);
  });
});

describe('handler', () => {
  let fake: FakeIvsServer;
  let secretsManager: FakeSecretsManager;
  let table: FakeDynamoDb;
  beforeAll(async () => {
    fake = await FakeIvsServer.start({ rateLimits: 'none' });
    secretsManager = await FakeSecretsManager.start();
    table = await startBenchTable();
  });
  afterAll(async () => {
    await table.stop();
    await secretsManager.stop();
    await fake.stop();
  });

  test('bundle sizes of every handler bundle, the provider included', () => {
    const provider = bundleSizes().find((b) => b.name === 'provider');
    expect(provider?.bytes).toBeGreaterThan(provider!.gzipBytes);
  });

  test('cold start in a fresh node process, and warm time per event beside the bare SDK call', async () => {
    const cold = await measureColdStart(fake, 1, PROVIDER_BUNDLE, undefined, table);
    expect(Object.values(cold).every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
    const events = await withEnvironment(fakeAwsEnvironment(fake, undefined, table), () => measureEventTimes(fake, 4, loadHandler()));
    expect(Object.values(events).every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
  });

  test('API calls: one IVS call to create, tags included, beside the claim and record of the create request; one to delete, none for a '
    + 'no-op update when the attributes derive from the ARN', async () => {
    const counts = await withEnvironment(fakeAwsEnvironment(fake, secretsManager, table),
      () => countApiCalls(fake, secretsManager, loadHandler(), table));
    const other = (resource: string, request: RequestKind) => counts.find((c) => c.resource === resource && c.request === request)!.otherOperations;
    const calls = (resource: string, request: RequestKind) => counts.find((c) => c.resource === resource && c.request === request)!.ivsOperations;
    const resources = ['Stage', 'StorageConfiguration', 'EncoderConfiguration', 'IngestConfiguration', 'PublicKey'];
    expect(counts).toHaveLength(resources.length * 6);
    for (const resource of resources) {
      // no List, whatever the account holds: IVS is searched only when an attempt went unanswered.
      for (const request of ['create', 'create with tags'] as const) {
        expect(calls(resource, request)).toHaveLength(1);
        expect(calls(resource, request)[0]).toMatch(/^(Create|Import)/);
        // the create request claimed, then what it made recorded: later deliveries answer with it.
        expect(other(resource, request).slice(0, 2)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
      }
      expect(calls(resource, 'delete')).toHaveLength(1);
    }
    expect(calls('StorageConfiguration', 'no-op update')).toEqual([]);
    expect(calls('EncoderConfiguration', 'no-op update')).toEqual([]);
    // the endpoints are only known to the service, and CloudFormation keeps only the latest response's attributes.
    expect(calls('Stage', 'no-op update')).toEqual(['GetStage']);
    expect(counts.find((c) => c.resource === 'Stage' && c.request === 'real update')?.updateKind).toBe('in place');
    expect(counts.find((c) => c.resource === 'EncoderConfiguration' && c.request === 'real update')?.updateKind).toBe('replacement');
    expect(other('IngestConfiguration', 'create'))
      .toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    expect(other('Stage', 'delete')).toEqual([]);
    expect(fake.resourceCount()).toBe(2); // the two stages the ingest configurations were attached to
  });
});

test('token issuer: cold start, and warm tokens per second beside the bare Sign, every token accepted', async () => {
  const [ivs, kms] = [await FakeIvsServer.start(), await FakeKms.start()];
  try {
    const setup = await tokenIssuerSetup(ivs, kms);
    const cold = await measureTokenColdStart(ivs, setup, 1);
    expect(Object.values(cold).every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
    const warm = await measureTokenThroughput(ivs, kms, setup, 3);
    expect(warm).toMatchObject({ tokens: 3, accepted: 3 });
    expect([warm.tokensPerSecond, warm.medianMs, warm.bareSignMs].every((n) => Number.isFinite(n) && n > 0)).toBe(true);
  } finally {
    await kms.stop();
    await ivs.stop();
  }
});

test('deploy and delete of a few recording stages through the lifecycle driver, against a rate-limited fake', async () => {
  const result = await benchmarkDeploy({ stages: 3, concurrency: 4, rateLimitPerSecond: 5 });
  expect(result).toMatchObject({ floorSeconds: 0.6, leftOver: 0, deploy: { status: 'SUCCEEDED' }, destroy: { status: 'SUCCEEDED' } });
  // 3 storage configurations and 3 stages each way, each create after a List that looks for an earlier attempt; on delete, the drain of deferred deletes lists the storage and the
  // encoder configurations (for those tagged with the stack's ID: none here).
  expect(result.deploy.requests - result.deploy.throttled).toBe(12);
  expect(result.destroy.requests - result.destroy.throttled).toBe(8);
});
