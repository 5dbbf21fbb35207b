/**
 * `npm run bench`: what the library costs its users, beside the same app written with aws-cdk-lib's AWS::IVS L1s.
 * Prints figures and ratios; asserts nothing (the targets are reported as met or not).
 *
 *   npm run bench                      every section (a few minutes)
 *   npm run bench -- synth handler     only the named sections: synth, footprint, handler, tokens, deploy, account, pool
 */
import { cpus, loadavg } from 'os';
import { version as cdkVersion } from 'aws-cdk-lib/package.json';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeKms } from '../testing/fake-kms';
import { FakeSecretsManager } from '../testing/fake-secrets-manager';
import { ACCOUNT_TARGET_RATIO, accountTargetMet, benchmarkAccounts, DEFAULT_STAGE_QUOTA } from './account';
import { benchmarkDeploy, DeployBenchmark, listRequests, PhaseResult } from './deploy';
import {
  bundleSizes, countApiCalls, fakeAwsEnvironment, loadHandler, measureColdStart, measureEventTimes, PROVIDER_BUNDLE, startBenchTable, withEnvironment,
} from './handler';
import { benchmarkPool, CREATE_STAGE_TPS } from './pool';
import { round, table } from './stats';
import {
  AppKind, fixedResources, Footprint, STACK_RESOURCE_LIMIT, footprintFits, footprintOf, maxStagesPerStack, measureSynthTimes, resourcesPerStage,
  synthTimeFit, synthesizeApp,
} from './synth';
import { measureTokenColdStart, measureTokenThroughput, TOKEN_ISSUER_BUNDLE, tokenIssuerSetup } from './tokens';

const SECTIONS = ['synth', 'footprint', 'handler', 'tokens', 'deploy', 'account', 'pool'] as const;
type Section = typeof SECTIONS[number];

const STAGES = [10, 50, 100];
const SYNTH_REPEATS = 9;
const SYNTH_WARMUPS = 1;
const SYNTH_TARGET_RATIO = 1.25;
const COLD_START_SAMPLES = 10;
const EVENT_ITERATIONS = 300;
const TOKENS = 2000;
/** IVS Real-Time's API quota for CreateParticipantToken, per account and region (not adjustable). */
const CREATE_PARTICIPANT_TOKEN_TPS = 50;
/** KMS's default quota for cryptographic operations on ECC keys (Sign and Verify shared), per account and region, adjustable. */
const KMS_ECC_TPS = 1000;
// as test/reliability/scale.slow.ts deploys it, so the figures compare.
const DEPLOY = { stages: 200, concurrency: 20, rateLimitPerSecond: 5 };
const DEPLOY_TARGET_RATIO = 1.2;
/** Issue #20: a few stages into an empty account and into one that holds a thousand of each type, at IVS's own rate quotas. */
const ACCOUNT = { stages: 40, accountSizes: [0, 1000], concurrency: DEPLOY.concurrency, stageQuota: DEFAULT_STAGE_QUOTA };
/** Issue #20: at most half the fixed resources of the design with aws-cdk-lib's Provider framework (17). */
const FIXED_RESOURCES_BEFORE = 17;
/** The design before: the sweep's rate(5 minutes) schedule enabled from deploy. */
const IDLE_INVOCATIONS_BEFORE = 8640;

function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function heading(title: string): void {
  print();
  print(`## ${title}`);
  print();
}

const LABEL: Record<AppKind, string> = { library: 'library', l1: 'L1' };

function benchSynth(): void {
  heading(`Synth time (building the app + app.synth(), warm, in one process; median of ${SYNTH_REPEATS} runs, interleaved)`);
  const timings = measureSynthTimes({ stages: STAGES, repeats: SYNTH_REPEATS, warmups: SYNTH_WARMUPS });
  const timing = (kind: AppKind, stages: number) => timings.find((t) => t.kind === kind && t.stages === stages)!;
  const at = (kind: AppKind, stages: number) => timing(kind, stages).medianMs;
  print(table(['stages', 'library ms', 'L1 ms', 'ratio', 'library synth() ms', 'L1 synth() ms'], STAGES.map((n) =>
    [n, round(at('library', n)), round(at('l1', n)), round(at('library', n) / at('l1', n), 2),
      round(timing('library', n).medianSynthMs), round(timing('l1', n).medianSynthMs)])));
  const fits = { library: synthTimeFit(timings, 'library'), l1: synthTimeFit(timings, 'l1') };
  print();
  print(table(['linear fit', 'ms per stage', 'fixed ms', 'r²'], (['library', 'l1'] as const).map((kind) =>
    [LABEL[kind], round(fits[kind].slope, 2), round(fits[kind].intercept), round(fits[kind].r2, 4)])));
  const largest = Math.max(...STAGES);
  const ratio = at('library', largest) / at('l1', largest);
  print();
  print(`Per-stage cost ratio: ${round(fits.library.slope / fits.l1.slope, 2)}×. `
    + `Target (within ${SYNTH_TARGET_RATIO}× of L1 at ${largest} stages, linear): ${ratio <= SYNTH_TARGET_RATIO ? 'met' : 'NOT met'} `
    + `(${round(ratio, 2)}×; r² ${round(fits.library.r2, 4)}).`);
}

function benchFootprint(): void {
  heading('Deployed footprint (synthesized templates; template bytes as compact JSON)');
  const footprints: Footprint[] = STAGES.flatMap((n) =>
    (['library', 'l1'] as const).map((kind) => footprintOf(kind, n, synthesizeApp(kind, n).template)));
  const of = (kind: AppKind, n: number) => footprints.find((f) => f.kind === kind && f.stages === n)!;
  print(table(['stages', 'library resources', 'L1 resources', 'library Lambda functions', 'L1 Lambda functions', 'library KB', 'L1 KB'],
    STAGES.map((n) => [n, of('library', n).resources, of('l1', n).resources, of('library', n).lambdaFunctions, of('l1', n).lambdaFunctions,
      round(of('library', n).templateBytes / 1024), round(of('l1', n).templateBytes / 1024)])));
  const fits = { library: footprintFits(footprints, 'library'), l1: footprintFits(footprints, 'l1') };
  print();
  print(table(['per stage (linear fit)', 'resources', 'fixed resources', 'template bytes', 'fixed template bytes'], (['library', 'l1'] as const)
    .map((kind) => [LABEL[kind], round(fits[kind].resources.slope, 2), round(fits[kind].resources.intercept, 1),
      Math.round(fits[kind].templateBytes.slope), Math.round(fits[kind].templateBytes.intercept)])));
  print();
  print(`Template bytes per stage: ${round(fits.library.templateBytes.slope / fits.l1.templateBytes.slope, 2)}× the L1 app's.`);
  const perStage = (kind: AppKind) => Object.entries(resourcesPerStage(footprints, kind)).map(([type, count]) => `${type} ${round(count, 2)}`);
  print(`Resources each stage adds, library: ${perStage('library').join(', ')}.`);
  print(`Resources each stage adds, L1: ${perStage('l1').join(', ')}.`);
  const fixed = (kind: AppKind) => Object.entries(fixedResources(footprints, kind)).map(([type, count]) => `${type} ${round(count, 2)}`);
  print(`Fixed resources, library: ${fixed('library').join(', ')}.`);
  print(`Fixed resources, L1: ${fixed('l1').join(', ')}.`);
  const fixedCount = { library: round(fits.library.resources.intercept, 1), l1: round(fits.l1.resources.intercept, 1) };
  const fixedTarget = Math.floor(FIXED_RESOURCES_BEFORE / 2);
  print(`Fixed resources per stack: library ${fixedCount.library}, L1 ${fixedCount.l1} (the library's beyond the L1 app's: `
    + `${round(fixedCount.library - fixedCount.l1, 1)}). Target (at most half the ${FIXED_RESOURCES_BEFORE} before, ${fixedTarget}): `
    + `${fixedCount.library <= fixedTarget ? 'met' : 'NOT met'}.`);
  const lambdas = (kind: AppKind) => footprints.filter((f) => f.kind === kind).map((f) => f.lambdaFunctions);
  print(`Lambda functions per stack at ${STAGES.join(', ')} stages: library ${lambdas('library').join(', ')} `
    + `(${new Set(lambdas('library')).size === 1 ? 'constant' : 'NOT constant'}), L1 ${lambdas('l1').join(', ')}.`);
  const idle = (kind: AppKind) => footprints.filter((f) => f.kind === kind).map((f) => f.idleInvocationsPerMonth);
  const rules = footprints.filter((f) => f.kind === 'library').flatMap((f) => f.scheduleRules)
    .filter((rule, i, all) => all.findIndex((r) => r.logicalId === rule.logicalId) === i);
  print('Invocations per month of an idle stack (schedule rules enabled at deploy × their rate, 30 days): library '
    + `${idle('library').join(', ')}, L1 ${idle('l1').join(', ')} at ${STAGES.join(', ')} stages; the library's schedule rules: `
    + `${rules.map((r) => `${r.scheduleExpression} ${r.enabled ? 'ENABLED' : 'DISABLED'} at deploy (${r.invocationsPerMonth} a month while enabled)`).join('; ') || 'none'}. `
    + `Target (0; ${IDLE_INVOCATIONS_BEFORE} before, the sweep enabled from deploy): ${idle('library').every((n) => n === 0) ? 'met' : 'NOT met'}.`);
  const max = { library: maxStagesPerStack('library', fits.library.resources), l1: maxStagesPerStack('l1', fits.l1.resources) };
  print(`Stages per stack within CloudFormation's ${STACK_RESOURCE_LIMIT} resources: library ${max.library}, L1 ${max.l1} `
    + '(each stage with a storage and an ingest configuration, beside one shared encoder configuration; found by synthesizing).');
}

async function benchHandler(): Promise<void> {
  heading('Handler (handlers/dist, as shipped)');
  print(table(['bundle', 'KB', 'gzip KB'],
    bundleSizes().map((b) => [`handlers/dist/${b.name}/index.js`, round(b.bytes / 1024), round(b.gzipBytes / 1024)])));
  const fake = await FakeIvsServer.start({ rateLimits: 'none' });
  const secretsManager = await FakeSecretsManager.start();
  const createRequests = await startBenchTable();
  try {
    const cold = await measureColdStart(fake, COLD_START_SAMPLES, PROVIDER_BUNDLE, undefined, createRequests);
    print();
    print(`Cold start (median of ${COLD_START_SAMPLES} fresh node processes): require() ${round(cold.requireMs)} ms, `
      + `first event ${round(cold.firstEventMs)} ms (creates the SDK client), second event ${round(cold.warmEventMs)} ms.`);
    await withEnvironment(fakeAwsEnvironment(fake, secretsManager, createRequests), async () => {
      const events = await measureEventTimes(fake, EVENT_ITERATIONS, loadHandler());
      print(`Per event, warm (median of ${EVENT_ITERATIONS} stage Creates against the local fake): handler ${round(events.handlerMs, 2)} ms, `
        + `bare IVSRealTimeClient.send(CreateStage) ${round(events.bareSdkMs, 2)} ms: `
        + `+${round(events.handlerMs - events.bareSdkMs, 2)} ms (${round(events.handlerMs / events.bareSdkMs, 2)}×).`);
      const counts = await countApiCalls(fake, secretsManager, loadHandler(), createRequests);
      print();
      print(table(['resource', 'request', 'IVS calls', 'IVS operations', 'other calls'], counts.map((c) => [
        c.resource,
        c.updateKind ? `${c.request} (${c.updateKind})` : c.request,
        c.ivsOperations.length,
        c.ivsOperations.join(', ') || '-',
        c.otherOperations.join(', ') || '-',
      ])));
      const offTarget = counts.filter((c) => (c.request === 'no-op update' ? c.ivsOperations.length !== 0
        : ['create', 'create with tags', 'delete'].includes(c.request) && c.ivsOperations.length !== 1));
      print();
      const misses = offTarget.map((c) => `${c.resource} ${c.request} (${c.ivsOperations.join(', ')})`);
      print('Target (IVS calls: create and delete one each, tags within the create call, a no-op update none): '
        + (misses.length === 0 ? 'met.' : `NOT met by ${misses.join('; ')}.`));
    });
  } finally {
    await createRequests.stop();
    await secretsManager.stop();
    await fake.stop();
  }
}

async function benchTokens(): Promise<void> {
  heading('Participant token issuer (handlers/dist/participant-token-issuer, as shipped, against the local fake KMS and IVS)');
  const ivs = await FakeIvsServer.start();
  const kms = await FakeKms.start();
  try {
    const setup = await tokenIssuerSetup(ivs, kms);
    const size = bundleSizes().find((b) => TOKEN_ISSUER_BUNDLE.includes(`/${b.name}/`))!;
    print(`Bundle: ${round(size.bytes / 1024)} KB (${round(size.gzipBytes / 1024)} KB gzip).`);
    const cold = await measureTokenColdStart(ivs, setup, COLD_START_SAMPLES);
    print(`Cold start (median of ${COLD_START_SAMPLES} fresh node processes): require() ${round(cold.requireMs)} ms, first token `
      + `${round(cold.firstEventMs)} ms (creates the clients, reads the stage's endpoints), second token ${round(cold.warmEventMs)} ms.`);
    const warm = await measureTokenThroughput(ivs, kms, setup, TOKENS);
    print(`Warm, one execution environment, one request at a time: ${round(warm.tokensPerSecond)} tokens per second `
      + `(${warm.tokens} tokens, median ${round(warm.medianMs, 2)} ms each, of which a bare KMS Sign against the fake takes `
      + `${round(warm.bareSignMs, 2)} ms); ${warm.accepted} of ${warm.tokens} accepted by the participant-token verifier.`);
    print(`Quotas beside it: CreateParticipantToken ${CREATE_PARTICIPANT_TOKEN_TPS} per second per account (not adjustable); `
      + `KMS ECC Sign and Verify ${KMS_ECC_TPS} per second per account and region, shared (adjustable). `
      + `Environments needed to reach KMS's quota at this rate: ${Math.ceil(KMS_ECC_TPS / warm.tokensPerSecond)}; `
      + 'a real KMS round trip is slower than the local fake (not measured here), so more.');
  } finally {
    await kms.stop();
    await ivs.stop();
  }
}

/** `CreateStage 40, ListStages 2 (+3 throttled)`: the requests of each operation, throttled ones beside. */
function operationsText(phase: PhaseResult, filter: (operation: string) => boolean = () => true): string {
  return phase.operations.filter((o) => filter(o.operation))
    .map((o) => `${o.operation} ${o.accepted}${o.throttled > 0 ? ` (+${o.throttled} throttled)` : ''}`).join(', ') || 'none';
}

/** `CreateStage 0.2-9.1 s`: when each operation's first and last accepted request arrived. */
function arrivalsText(phase: PhaseResult): string {
  return phase.operations.filter((o) => o.lastAcceptedSeconds !== undefined)
    .map((o) => `${o.operation} ${round(o.firstAcceptedSeconds!, 1)}-${round(o.lastAcceptedSeconds!, 1)} s`).join(', ');
}

function phaseRow(label: string, phase: PhaseResult): (string | number)[] {
  return [label, phase.status, round(phase.seconds), round(phase.floorSeconds, 1), phase.floorOperation ?? '-',
    round(phase.seconds / phase.floorSeconds, 2), phase.requests, phase.throttled, listRequests(phase)];
}

const PHASE_HEADER = ['phase', 'status', 'seconds', 'floor seconds', 'floor set by', '× floor', 'IVS requests', 'throttled', 'List requests'];

function printReasons(result: DeployBenchmark): void {
  for (const phase of ['deploy', 'destroy'] as const) {
    if (result[phase].reason) {
      print(`${phase}: ${result[phase].reason}`);
    }
  }
}

async function benchDeploy(): Promise<void> {
  heading(`Deploy of ${DEPLOY.stages} recording stages (lifecycle driver, ${DEPLOY.concurrency} operations at once; `
    + `fake limited to ${DEPLOY.rateLimitPerSecond} requests per second per operation)`);
  const result = await benchmarkDeploy(DEPLOY);
  print(table(PHASE_HEADER, (['deploy', 'destroy'] as const).map((phase) => phaseRow(phase, result[phase]))));
  print();
  for (const phase of ['deploy', 'destroy'] as const) {
    print(`IVS requests, ${phase}: ${operationsText(result[phase])}; accepted (first-last) ${arrivalsText(result[phase])}, `
      + `done at ${round(result[phase].seconds, 1)} s.`);
  }
  printReasons(result);
  print(`IVS resources left in the fake: ${result.leftOver}.`);
  const ratio = result.deploy.seconds / result.deploy.floorSeconds;
  print(`Target (deploy succeeds within ${DEPLOY_TARGET_RATIO}× of the rate floor): `
    + `${result.deploy.status === 'SUCCEEDED' && ratio <= DEPLOY_TARGET_RATIO ? 'met' : 'NOT met'} (${round(ratio, 2)}×; `
    + `delete ${round(result.destroy.seconds / result.destroy.floorSeconds, 2)}×).`);
}

async function benchAccount(): Promise<void> {
  heading(`Deploy of ${ACCOUNT.stages} recording stages into accounts that already hold resources (lifecycle driver, `
    + `${ACCOUNT.concurrency} operations at once; the fake at IVS Real-Time's request rate quotas: 5 per second per operation, `
    + 'tagging 10, public keys 3)');
  const runs = await benchmarkAccounts(ACCOUNT);
  const largest = runs[runs.length - 1].existing;
  print('The accounts hold, before the deploy, as many storage configurations as the account size, and as many stages up to '
    + `${ACCOUNT.stageQuota - ACCOUNT.stages} (${largest.stages} at ${runs[runs.length - 1].accountSize}): the fake enforces no stage quota, `
    + `and an account at IVS's default of ${ACCOUNT.stageQuota} stages per region still fits the ${ACCOUNT.stages} deployed. `
    + 'They are made through the fake\'s API before its rate limits apply, and count in no figure below.');
  print();
  print(table(['existing stages', 'existing storage configurations', ...PHASE_HEADER], runs.flatMap(({ existing, result }) =>
    (['deploy', 'destroy'] as const).map((phase) => [existing.stages, existing.storageConfigurations, ...phaseRow(phase, result[phase])]))));
  print();
  for (const { existing, result } of runs) {
    const account = `${existing.stages} stages and ${existing.storageConfigurations} storage configurations`;
    print(`IVS requests into ${account}: deploy ${operationsText(result.deploy)} (accepted ${arrivalsText(result.deploy)}, done at `
      + `${round(result.deploy.seconds, 1)} s); delete ${operationsText(result.destroy)} (accepted ${arrivalsText(result.destroy)}, done at `
      + `${round(result.destroy.seconds, 1)} s). Other apps' resources ${result.existingKept ? 'untouched' : 'NOT all kept'}; `
      + `the stack's left: ${result.leftOver}.`);
    printReasons(result);
  }
  const ratios = runs.map(({ accountSize, result }) => `${round(result.deploy.seconds / result.deploy.floorSeconds, 2)}× at ${accountSize}`);
  print(`Target ("Both succeed, within ${ACCOUNT_TARGET_RATIO}× of the rate floor"): ${accountTargetMet(runs) ? 'met' : 'NOT met'} `
    + `(deploy ${ratios.join(', ')}).`);
}

/** Issue #23: a burst of sessions into one pool, against CreateStage's quota. */
const POOL = { sessions: 50, environments: 10 };

async function benchPool(): Promise<void> {
  heading(`A StagePool: ${POOL.sessions} sessions asked for at once, over ${POOL.environments} Lambda execution environments (the fake at `
    + `IVS Real-Time's request rate quotas: CreateStage ${CREATE_STAGE_TPS} per second)`);
  const result = await benchmarkPool(POOL);
  print(table(['sessions', 'seconds', 'sessions per second', `share of CreateStage's ${CREATE_STAGE_TPS}/s`, 'CreateStage accepted', 'throttled (retried)'], [[
    result.sessions, round(result.seconds, 1), round(result.sessionsPerSecond, 2), `${round(100 * result.sessionsPerSecond / CREATE_STAGE_TPS)}%`,
    result.createStageAccepted, result.createStageThrottled,
  ]]));
  print();
  print(`IVS calls in an hour of the reconcile schedule (rate(1 minute)): ${result.ivsCallsPerHourHoldingOne} while the pool holds one stage `
    + `someone is on, ${result.ivsCallsPerHourIdle} once it holds none (target: none) — ${result.ivsCallsPerHourIdle === 0 ? 'met' : 'NOT met'}.`);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(`unknown section(s) ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
  }
  const sections = new Set<Section>(requested.length > 0 ? requested as Section[] : SECTIONS);
  // the handler logs one JSON line per event: thousands here, and nothing the report needs.
  console.log = () => undefined;
  const cpu = cpus();
  print(`# cdk-ivs-realtime benchmarks: node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} × ${cpu[0]?.model.trim()}, `
    + `aws-cdk-lib ${cdkVersion}`);
  // timings are only as quiet as the machine: a load above the CPU count means other work shared it.
  print(`Load average at start: ${loadavg().map((load) => round(load, 2)).join(', ')}`);
  const started = performance.now();
  if (sections.has('synth')) {
    benchSynth();
  }
  if (sections.has('footprint')) {
    benchFootprint();
  }
  if (sections.has('handler')) {
    await benchHandler();
  }
  if (sections.has('tokens')) {
    await benchTokens();
  }
  if (sections.has('deploy')) {
    await benchDeploy();
  }
  if (sections.has('account')) {
    await benchAccount();
  }
  if (sections.has('pool')) {
    await benchPool();
  }
  print();
  print(`(${round((performance.now() - started) / 1000)} s in all; load average at end: ${loadavg().map((load) => round(load, 2)).join(', ')})`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
