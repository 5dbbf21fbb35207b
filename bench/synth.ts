/**
 * Synth time and deployed footprint of the same N-stage app written with this library and with aws-cdk-lib's
 * `AWS::IVS::*` L1s (`bench/apps.ts`).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { l1Stack, libraryStack } from './apps';
import { LinearFit, linearFit, median } from './stats';

export type AppKind = 'library' | 'l1';

const BUILDERS: Record<AppKind, (stages: number, app: App) => Stack> = { library: libraryStack, l1: l1Stack };

/** CloudFormation's limit on resources in one stack. */
export const STACK_RESOURCE_LIMIT = 500;

/**
 * CDK refuses to synthesize a stack over the limit, and its template validation warns about one. The benchmark lifts
 * both so that it can time apps too big for one stack: how many stages fit is measured on its own (`maxStagesPerStack`).
 */
const UNLIMITED_CONTEXT = { '@aws-cdk/core:stackResourceLimit': 0 };
const OVER_RESOURCE_LIMIT_RULE = 'CloudFormation-Validate::F0007';

export interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

export interface SynthRun {
  /** Building the app's constructs plus `app.synth()`, in milliseconds. */
  readonly ms: number;
  /** Of which `app.synth()`: aspects, validation (aws-cdk-lib's template checks included), templates, asset staging. */
  readonly synthMs: number;
  readonly template: Template;
}

/** Builds and synthesizes one app into a temporary cloud assembly, timing both. */
export function synthesizeApp(kind: AppKind, stages: number): SynthRun {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-ivs-bench-'));
  try {
    const start = performance.now();
    const app = new App({ outdir, context: UNLIMITED_CONTEXT });
    const stack = BUILDERS[kind](stages, app);
    Validations.of(stack).acknowledge({ id: OVER_RESOURCE_LIMIT_RULE, reason: 'a benchmark app, over the limit on purpose' });
    const built = performance.now();
    const assembly = app.synth();
    const end = performance.now();
    return { ms: end - start, synthMs: end - built, template: assembly.getStackArtifact(stack.artifactId).template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface SynthTiming {
  readonly kind: AppKind;
  readonly stages: number;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  /** The median of `app.synth()` alone; the rest is building the constructs. */
  readonly medianSynthMs: number;
}

export interface SynthTimingOptions {
  readonly stages: readonly number[];
  /** Timed runs of each app at each N. */
  readonly repeats: number;
  /** Untimed runs of each app first, so that module loading and JIT warm-up count against neither. */
  readonly warmups: number;
}

/**
 * Times both apps at every N, interleaved in one process (library and L1 alternate which goes first) so that machine
 * noise falls on both alike. Each timed run follows an untimed run of the same app, and a garbage collection when node
 * runs with `--expose-gc`: otherwise a run pays for the previous app's garbage and for the JIT re-optimizing after a
 * switch of app, about 100 ms here whichever app it is, which would hide the difference being measured.
 */
export function measureSynthTimes(options: SynthTimingOptions): SynthTiming[] {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  for (let i = 0; i < options.warmups; i++) {
    for (const stages of options.stages) {
      synthesizeApp('library', stages);
      synthesizeApp('l1', stages);
    }
  }
  const runs = new Map<string, SynthRun[]>();
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    for (const stages of options.stages) {
      const order: AppKind[] = repeat % 2 === 0 ? ['library', 'l1'] : ['l1', 'library'];
      for (const kind of order) {
        synthesizeApp(kind, stages);
        gc();
        const key = `${kind}:${stages}`;
        runs.set(key, [...runs.get(key) ?? [], synthesizeApp(kind, stages)]);
      }
    }
  }
  return (['library', 'l1'] as const).flatMap((kind) => options.stages.map((stages) => {
    const ofApp = runs.get(`${kind}:${stages}`)!;
    const samplesMs = ofApp.map((run) => run.ms);
    return { kind, stages, samplesMs, medianMs: median(samplesMs), medianSynthMs: median(ofApp.map((run) => run.synthMs)) };
  }));
}

/** Median synth time against N, as a line: `slope` is the milliseconds each stage adds. */
export function synthTimeFit(timings: readonly SynthTiming[], kind: AppKind): LinearFit {
  const ofKind = timings.filter((t) => t.kind === kind);
  return linearFit(ofKind.map((t) => t.stages), ofKind.map((t) => t.medianMs));
}

/** What a synthesized app deploys. */
export interface Footprint {
  readonly kind: AppKind;
  readonly stages: number;
  readonly resources: number;
  readonly lambdaFunctions: number;
  /** The template as compact JSON, in bytes (CloudFormation's limit is 1 MB from S3, 51,200 bytes inline). */
  readonly templateBytes: number;
  readonly resourcesByType: Readonly<Record<string, number>>;
  /** The schedule rules that invoke the stack's Lambda functions: what runs while nothing happens. */
  readonly scheduleRules: readonly ScheduleRule[];
  /** Invocations a month of the stack's functions by the schedule rules enabled at deploy, while the stack is idle. */
  readonly idleInvocationsPerMonth: number;
}

/** An EventBridge schedule rule of a template that targets one of its Lambda functions. */
export interface ScheduleRule {
  readonly logicalId: string;
  readonly scheduleExpression: string;
  /** The rule's `State` as deployed (CloudFormation's default, when absent, is ENABLED). */
  readonly enabled: boolean;
  /** Invocations a month while enabled (30 days), per function it targets. */
  readonly invocationsPerMonth: number;
  /** The logical IDs of the template's functions it targets. */
  readonly targets: readonly string[];
}

const MINUTES_PER_MONTH = 30 * 24 * 60;
const RATE_UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 24 * 60, days: 24 * 60 };

/** Invocations a month of `rate(<n> <unit>)`; a cron expression is refused rather than guessed. */
export function invocationsPerMonth(scheduleExpression: string): number {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(scheduleExpression);
  if (!rate) {
    throw new Error(`cannot count the invocations of schedule ${scheduleExpression}: only rate(...) is counted`);
  }
  return MINUTES_PER_MONTH / (Number(rate[1]) * RATE_UNIT_MINUTES[rate[2]]);
}

/** The template's schedule rules (`AWS::Events::Rule` with a `ScheduleExpression`) whose targets include its Lambda functions. */
export function scheduleRulesOf(template: Template): ScheduleRule[] {
  const functions = new Set(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id));
  return Object.entries(template.Resources).flatMap(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    if (resource.Type !== 'AWS::Events::Rule' || typeof properties.ScheduleExpression !== 'string') {
      return [];
    }
    const targets = ((properties.Targets ?? []) as { Arn?: unknown }[])
      .map((target) => (target.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0])
      .filter((id): id is string => id !== undefined && functions.has(id));
    if (targets.length === 0) {
      return [];
    }
    const scheduleExpression = properties.ScheduleExpression;
    return [{ logicalId, scheduleExpression, enabled: (properties.State ?? 'ENABLED') !== 'DISABLED', invocationsPerMonth: invocationsPerMonth(scheduleExpression), targets }];
  });
}

export function footprintOf(kind: AppKind, stages: number, template: Template): Footprint {
  const resourcesByType: Record<string, number> = {};
  for (const resource of Object.values(template.Resources)) {
    resourcesByType[resource.Type] = (resourcesByType[resource.Type] ?? 0) + 1;
  }
  const scheduleRules = scheduleRulesOf(template);
  return {
    kind,
    stages,
    resources: Object.keys(template.Resources).length,
    lambdaFunctions: resourcesByType['AWS::Lambda::Function'] ?? 0,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    resourcesByType,
    scheduleRules,
    idleInvocationsPerMonth: scheduleRules.filter((rule) => rule.enabled)
      .reduce((sum, rule) => sum + rule.invocationsPerMonth * rule.targets.length, 0),
  };
}

/** Resources and template bytes against N, as lines: the fixed overhead (`intercept`) and what each stage adds (`slope`). */
export function footprintFits(footprints: readonly Footprint[], kind: AppKind): { resources: LinearFit; templateBytes: LinearFit } {
  const ofKind = footprints.filter((f) => f.kind === kind);
  const stages = ofKind.map((f) => f.stages);
  return {
    resources: linearFit(stages, ofKind.map((f) => f.resources)),
    templateBytes: linearFit(stages, ofKind.map((f) => f.templateBytes)),
  };
}

/** The resources each stage adds, by type (sorted), from the smallest to the largest app of `kind` measured. */
export function resourcesPerStage(footprints: readonly Footprint[], kind: AppKind): Record<string, number> {
  const ofKind = footprints.filter((f) => f.kind === kind).sort((a, b) => a.stages - b.stages);
  const [first, last] = [ofKind[0], ofKind[ofKind.length - 1]];
  const types = Object.keys(last.resourcesByType).sort();
  return Object.fromEntries(types
    .map((type) => [type, (last.resourcesByType[type] - (first.resourcesByType[type] ?? 0)) / (last.stages - first.stages)] as const)
    .filter(([, added]) => added > 0));
}

/**
 * The most stages one stack of `kind` holds within `limit` resources, found by synthesizing: from the estimate the
 * resource fit gives, stepping down while over the limit and up while the next N still fits (resources only grow with N).
 */
export function maxStagesPerStack(kind: AppKind, resources: LinearFit, limit = STACK_RESOURCE_LIMIT): number {
  const fits = (stages: number) => footprintOf(kind, stages, synthesizeApp(kind, stages).template).resources <= limit;
  let stages = Math.max(0, Math.floor((limit - resources.intercept) / resources.slope));
  while (stages > 0 && !fits(stages)) {
    stages--;
  }
  while (fits(stages + 1)) {
    stages++;
  }
  return stages;
}

/**
 * The resources of `kind`'s stack that do not grow with N, by type (sorted): the smallest app's, less what its stages
 * add (`resourcesPerStage`). Those the app defines itself (its bucket, its encoder configuration) included.
 */
export function fixedResources(footprints: readonly Footprint[], kind: AppKind): Record<string, number> {
  const smallest = footprints.filter((f) => f.kind === kind).sort((a, b) => a.stages - b.stages)[0];
  const perStage = resourcesPerStage(footprints, kind);
  return Object.fromEntries(Object.keys(smallest.resourcesByType).sort()
    .map((type) => [type, smallest.resourcesByType[type] - (perStage[type] ?? 0) * smallest.stages] as const)
    .filter(([, fixed]) => fixed > 0));
}
