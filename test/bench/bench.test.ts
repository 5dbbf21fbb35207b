/**
 * The benchmark's computations on tiny inputs, so that `npm run bench` (not part of the test suite: minutes) cannot rot.
 * Nothing here asserts a time: only that each figure is computed, and the counts the benchmark reports against targets.
 */
import { accountTargetMet, benchmarkAccounts, existingResources } from '../../bench/account';
import { benchmarkDeploy, countOperations, listRequests, rateLimitOf } from '../../bench/deploy';
import {
  bundleSizes, countApiCalls, fakeAwsEnvironment, loadHandler, measureColdStart, measureEventTimes, PROVIDER_BUNDLE, RequestKind, startBenchTable,
  withEnvironment,
} from '../../bench/handler';
import { benchmarkPool } from '../../bench/pool';
import { linearFit, median, round, table } from '../../bench/stats';
import {
  fixedResources, footprintFits, footprintOf, invocationsPerMonth, maxStagesPerStack, measureSynthTimes, resourcesPerStage, scheduleRulesOf,
  synthesizeApp,
} from '../../bench/synth';
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
    // the provider's one function, the ServiceToken: no Provider framework function beside it.
    expect(footprints.filter((f) => f.kind === 'library').map((f) => f.lambdaFunctions)).toEqual([1, 1]);
    expect(footprints.filter((f) => f.kind === 'l1').map((f) => f.lambdaFunctions)).toEqual([0, 0]);
    expect(fits.library.templateBytes.slope).toBeGreaterThan(0);
    // computed from the templates: what the stacks hold whatever N, the app's own bucket and encoder configuration included.
    expect(fixedResources(footprints, 'l1')).toEqual({ 'AWS::IVS::EncoderConfiguration': 1, 'AWS::S3::Bucket': 1 });
    const fixed = fixedResources(footprints, 'library');
    expect(fixed).toMatchObject({ 'AWS::Lambda::Function': 1, 'AWS::S3::Bucket': 1, 'Custom::IvsRealTimeEncoderConfiguration': 1 });
    expect(Object.values(fixed).reduce((a, b) => a + b, 0)).toBeCloseTo(fits.library.resources.intercept);
    // the sweep's schedule starts disabled: nothing runs while the stack is idle.
    for (const footprint of footprints.filter((f) => f.kind === 'library')) {
      expect(footprint.scheduleRules).toEqual([expect.objectContaining({ scheduleExpression: 'rate(5 minutes)', enabled: false, invocationsPerMonth: 8640 })]);
      expect(footprint.idleInvocationsPerMonth).toBe(0);
    }
    expect(footprints.filter((f) => f.kind === 'l1').map((f) => f.idleInvocationsPerMonth)).toEqual([0, 0]);

    // within 17 resources: the bucket, the encoder configuration and 5 stages of 3 L1 resources each.
    expect(maxStagesPerStack('l1', fits.l1.resources, 17)).toBe(5);
    const limit = 40;
    const max = maxStagesPerStack('library', fits.library.resources, limit);
    const resources = (stages: number) => footprintOf('library', stages, synthesizeApp('library', stages).template).resources;
    expect(resources(max)).toBeLessThanOrEqual(limit);
    expect(resources(max + 1)).toBeGreaterThan(limit);
  });
});

test('idle invocations: enabled schedule rules that target a function of the template, times their rate over 30 days', () => {
  expect(invocationsPerMonth('rate(5 minutes)')).toBe(8640);
  expect(invocationsPerMonth('rate(1 hour)')).toBe(720);
  expect(invocationsPerMonth('rate(1 day)')).toBe(30);
  expect(() => invocationsPerMonth('cron(0 12 * * ? *)')).toThrow('only rate(...) is counted');
  const rule = (state: string | undefined, arn: unknown) => ({
    Type: 'AWS::Events::Rule',
    Properties: { ScheduleExpression: 'rate(5 minutes)', ...(state ? { State: state } : {}), Targets: [{ Arn: arn, Id: 'Target0' }] },
  });
  const rules = scheduleRulesOf({
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function' },
      Enabled: rule('ENABLED', { 'Fn::GetAtt': ['Fn', 'Arn'] }),
      Default: rule(undefined, { 'Fn::GetAtt': ['Fn', 'Arn'] }),
      Disabled: rule('DISABLED', { 'Fn::GetAtt': ['Fn', 'Arn'] }),
      Elsewhere: rule('ENABLED', 'arn:aws:lambda:us-east-1:123456789012:function:other'),
      Pattern: { Type: 'AWS::Events::Rule', Properties: { EventPattern: {}, Targets: [{ Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } },
    },
  });
  expect(rules.map((r) => [r.logicalId, r.enabled, r.targets])).toEqual([['Enabled', true, ['Fn']], ['Default', true, ['Fn']], ['Disabled', false, ['Fn']]]);
});

describe('handler', () => {
  let fake: FakeIvsServer;
  let secretsManager: FakeSecretsManager;
  let createRequests: FakeDynamoDb;
  beforeAll(async () => {
    fake = await FakeIvsServer.start({ rateLimits: 'none' });
    secretsManager = await FakeSecretsManager.start();
    createRequests = await startBenchTable();
  });
  afterAll(async () => {
    await createRequests.stop();
    await secretsManager.stop();
    await fake.stop();
  });

  test('bundle sizes of every handler bundle, the provider included', () => {
    const provider = bundleSizes().find((b) => b.name === 'provider');
    expect(provider?.bytes).toBeGreaterThan(provider!.gzipBytes);
  });

  test('cold start in a fresh node process, and warm time per event beside the bare SDK call', async () => {
    const cold = await measureColdStart(fake, 1, PROVIDER_BUNDLE, undefined, createRequests);
    expect(Object.values(cold).every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
    const events = await withEnvironment(fakeAwsEnvironment(fake, undefined, createRequests), () => measureEventTimes(fake, 4, loadHandler()));
    expect(Object.values(events).every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
  });

  test('API calls: one IVS call to create, tags included, beside the claim and record of the create request; one to delete, none for a '
    + 'no-op update when the attributes derive from the ARN', async () => {
    const counts = await withEnvironment(fakeAwsEnvironment(fake, secretsManager, createRequests),
      () => countApiCalls(fake, secretsManager, loadHandler(), createRequests));
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
  expect(result).toMatchObject({ leftOver: 0, existingKept: true, deploy: { status: 'SUCCEEDED', floorSeconds: 0.6 }, destroy: { status: 'SUCCEEDED' } });
  const accepted = (phase: 'deploy' | 'destroy') => Object.fromEntries(result[phase].operations.map((o) => [o.operation, o.accepted]));
  // one IVS call per create, no List: the create requests take turns in the stack's table, not by a look in IVS.
  expect(accepted('deploy')).toEqual({ CreateStage: 3, CreateStorageConfiguration: 3 });
  expect(listRequests(result.deploy)).toBe(0);
  // on delete, the drain of deferred deletes lists the storage and the encoder configurations (for those tagged with the
  // stack's ID: none here).
  expect(accepted('destroy')).toEqual({ DeleteStage: 3, DeleteStorageConfiguration: 3, ListEncoderConfigurations: 1, ListStorageConfigurations: 1 });
  expect(result.destroy.floorSeconds).toBe(0.6);
});

test('operation counts and the rate floor they impose: the largest operation\'s accepted requests over its limit', () => {
  const call = (operation: string, status = 200) => ({ operation, input: {}, status });
  const counted = countOperations([call('CreateStage'), call('CreateStage', 429), call('CreateStage'), call('ListStages'), call('TagResource')],
    (operation) => rateLimitOf({ rateLimits: 'service' }, operation));
  expect(counted).toEqual({
    operations: [
      { operation: 'CreateStage', accepted: 2, throttled: 1, limitPerSecond: 5 },
      { operation: 'ListStages', accepted: 1, throttled: 0, limitPerSecond: 5 },
      { operation: 'TagResource', accepted: 1, throttled: 0, limitPerSecond: 10 },
    ],
    floorSeconds: 0.4,
    floorOperation: 'CreateStage',
  });
  expect(rateLimitOf({ rateLimitPerSecond: 2 }, 'TagResource')).toBe(2);
  expect(rateLimitOf({ rateLimits: { CreateStage: 1 } }, 'ListStages')).toBe(5);
  expect(countOperations([call('CreateStage')], () => undefined)).toMatchObject({ floorSeconds: 0 });
});

test('account sizes: the deploy into an account holding resources of other apps lists none of them and leaves them be', async () => {
  expect(existingResources(1000, 40)).toEqual({ stages: 960, storageConfigurations: 1000 });
  expect(existingResources(20, 3, 10)).toEqual({ stages: 7, storageConfigurations: 20 });
  const runs = await benchmarkAccounts({ stages: 3, accountSizes: [0, 20], concurrency: 4 });
  expect(runs.map((run) => run.existing)).toEqual([{ stages: 0, storageConfigurations: 0 }, { stages: 20, storageConfigurations: 20 }]);
  for (const { result } of runs) {
    expect(result).toMatchObject({ leftOver: 0, existingKept: true, deploy: { status: 'SUCCEEDED' }, destroy: { status: 'SUCCEEDED' } });
    expect(listRequests(result.deploy)).toBe(0);
    expect(result.deploy.operations.map((o) => [o.operation, o.accepted])).toEqual([['CreateStage', 3], ['CreateStorageConfiguration', 3]]);
    // the service's quotas: 5 creates per second per operation.
    expect(result.deploy).toMatchObject({ floorSeconds: 0.6, floorOperation: 'CreateStage' });
  }
  expect(typeof accountTargetMet(runs)).toBe('boolean');
  expect(accountTargetMet(runs, Infinity)).toBe(true);
  expect(accountTargetMet(runs, 0)).toBe(false);
});

describe('stage pool', () => {
  test('a burst of sessions is counted, every CreateStage accepted once, and an idle pool makes no IVS call', async () => {
    const result = await benchmarkPool({ sessions: 3, environments: 2 });

    expect(result).toMatchObject({ sessions: 3, environments: 2, createStageAccepted: 3, ivsCallsPerHourIdle: 0 });
    expect(result.sessionsPerSecond).toBeGreaterThan(0);
    // one ListStages a minute while it holds a stage someone is on.
    expect(result.ivsCallsPerHourHoldingOne).toBe(60);
  });
});
