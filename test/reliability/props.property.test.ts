/**
 * Bad input, by property: for generated props of every construct (strings empty, long, unicode; numbers negative,
 * fractional, huge, NaN; durations; enums with bogus values cast in; tag and attribute maps), either
 * - the stack synthesizes, and then the handler, given the custom resources exactly as CloudFormation sends them
 *   (every scalar a string), creates them against the fake IVS, which validates each request against the API's
 *   published constraints: no deploy-time surprise for what synth could have known; or
 * - construction or synthesis throws the library's validation error, naming the construct: never a TypeError, an
 *   unresolved token or an error from deeper down.
 */
import { generateKeyPairSync } from 'crypto';
import { App, CfnResource, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { onEvent as handler } from '../../handlers/provider/index';
import {
  AutoParticipantRecordingOptions, EncoderConfiguration, EncoderVideo, IngestConfiguration, IngestProtocol, ParticipantRecordingMediaType,
  PublicKey, PublicKeyMaterial, RecordingThumbnails, Stage, StageRecording, StorageConfiguration, ThumbnailStorage,
} from '../../lib';
import { CustomResourceEvents, useFakeIvs, useFakeSecretsManager } from '../support/handler-harness';

const fake = useFakeIvs();
const secrets = useFakeSecretsManager();

// enough runs per construct to meet every branch, few enough for the file to take seconds (each run synthesizes).
const RUNS = 60;
const STACK = 'Props';

// ---------- arbitraries ----------

/** Left out one time in three. */
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });
/** Mostly a value the API accepts, so that whole valid props are generated too; sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>, anything: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anything });

/** Any text a user might pass: unicode (lone surrogates included), blanks, the edges of the API's limits, long. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ minLength: 100, maxLength: 300 }),
  fc.constantFrom('', ' ', 'a'.repeat(128), 'a'.repeat(129), 'ünïcødé', '名前', '😀', 'aws:reserved', 'name with spaces', 'tab\there'),
);
/** Mostly what the API accepts for names, so that valid inputs are generated too. */
const resourceName = fc.oneof({ weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{0,130}$/) }, { weight: 1, arbitrary: anyText });
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 10_000_000 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 29.97, 1e12, 2 ** 53 + 2),
);
const anyDuration = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((s) => Duration.seconds(s)),
  fc.double({ min: 0, max: 400, noNaN: true }).map((s) => Duration.seconds(s)),
  fc.integer({ min: 0, max: 500_000 }).map((ms) => Duration.millis(ms)),
  fc.integer({ min: 0, max: 3000 }).map((h) => Duration.hours(h)),
  fc.constantFrom(Duration.seconds(NaN), Duration.seconds(Infinity), Duration.days(0.5), Duration.seconds(5e-324)),
);
const wholeSeconds = (min: number, max: number) => mostly(fc.integer({ min, max }).map((s) => Duration.seconds(s)), anyDuration);
/** An enum's values, and values a cast (or a JavaScript user) could pass. */
const enumOf = <T extends string>(values: Record<string, T>) =>
  mostly(fc.constantFrom(...Object.values(values)), fc.constantFrom('BOGUS', '', 'audio_video', 'rtmps') as fc.Arbitrary<T>);
const textMap = (maxKeys: number) => fc.dictionary(fc.oneof(fc.stringMatching(/^[a-zA-Z0-9 _.:/=+@-]{1,20}$/), anyText),
  fc.oneof(fc.string({ maxLength: 20 }), anyText), { maxKeys });
const tags = fc.oneof({ weight: 2, arbitrary: textMap(4) }, { weight: 1, arbitrary: textMap(55) });
const removalPolicy = fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);

const thumbnails: fc.Arbitrary<RecordingThumbnails> = fc.oneof(
  fc.constant(RecordingThumbnails.disabled()),
  fc.record({ interval: wholeSeconds(1, 86_400), storage: maybe(fc.array(enumOf(ThumbnailStorage), { maxLength: 3 })) })
    .map(({ interval, storage }) => RecordingThumbnails.interval(interval, { storage })),
);
const recordingOptions: fc.Arbitrary<AutoParticipantRecordingOptions> = fc.record({
  mediaType: maybe(enumOf(ParticipantRecordingMediaType)),
  thumbnails: maybe(thumbnails),
  recordingReconnectWindow: maybe(wholeSeconds(0, 300)),
  hlsTargetSegmentDuration: maybe(wholeSeconds(2, 10)),
  recordParticipantReplicas: maybe(fc.boolean()),
}, { requiredKeys: [] });

function pem(key: { export(options: { type: 'spki' | 'pkcs8'; format: 'pem' }): string | Buffer }, type: 'spki' | 'pkcs8' = 'spki'): string {
  return key.export({ type, format: 'pem' }).toString();
}
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const P384_PEM = pem(P384.publicKey);
const publicKeyText = fc.oneof(
  fc.constant(P384_PEM),
  fc.constant(P384_PEM.replace(/\n/g, '\r\n')),
  fc.constant(`a comment line\n${P384_PEM}trailing text`),
  fc.constant(pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)),
  fc.constant(pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)),
  fc.constant(pem(P384.privateKey, 'pkcs8')),
  fc.constant(P384_PEM.replace(/[A-Za-z]{8}\n/, '!!!!!!!!\n')),
  fc.constant(P384_PEM + P384_PEM),
  anyText,
);

// ---------- the property ----------

type Outcome = 'synthesized' | 'rejected';

/** Defines the constructs in a fresh stack; returns whether it synthesized (and deployed) or the library rejected it. */
async function outcomeOf(define: (stack: Stack) => void): Promise<Outcome> {
  const stack = new Stack(new App(), STACK);
  let template: Template;
  try {
    define(stack);
    template = Template.fromStack(stack);
  } catch (error) {
    if (fc.PreconditionFailure.isFailure(error)) {
      throw error;
    }
    expectLibraryValidationError(error);
    return 'rejected';
  }
  await expectDeployable(template);
  return 'synthesized';
}

/**
 * The library's `ValidationError` from a constructor or method (`<Class> '<path>' has invalid props: ...`), or its
 * end-of-construction checks as aws-cdk-lib reports them at synth (`[<path>] <message>`).
 */
function expectLibraryValidationError(error: unknown): void {
  const { name, message } = error as Error;
  if (name === 'ValidationError' && new RegExp(`^[\\w.]+ (at )?'${STACK}(/[^']*)?'`).test(message)) {
    return;
  }
  if (name === 'ValidationFailedWithErrors' && new RegExp(`\\[${STACK}/[^\\]]+\\] \``).test(message)) {
    return;
  }
  throw new Error(`not the library's validation error: ${name}: ${message}`);
}

/** Creation order: what is referenced before what references it. */
const CREATION_ORDER = [
  'Custom::IvsRealTimeStorageConfiguration', 'Custom::IvsRealTimeStage', 'Custom::IvsRealTimeIngestConfiguration',
  'Custom::IvsRealTimeEncoderConfiguration', 'Custom::IvsRealTimePublicKey',
];

/** Creates every IVS custom resource of the template through the handler, as CloudFormation would, against the fake. */
async function expectDeployable(template: Template): Promise<void> {
  fake().reset();
  secrets().reset();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const physicalIds = new Map<string, string>();
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(resolve);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const ref = (value as { Ref?: string }).Ref;
    if (ref !== undefined) {
      return physicalIdOf(ref, resources[ref].Type);
    }
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined) {
      return join[1].map(resolve).join(join[0]);
    }
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, resolve(member)]));
  };
  const physicalIdOf = (logicalId: string, type: string): string => {
    if (type === 'AWS::S3::Bucket') {
      return 'props-recordings';
    }
    if (type === 'AWS::SecretsManager::Secret') {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${logicalId}-AbCdEf`;
      secrets().defineSecret(arn);
      return arn;
    }
    const id = physicalIds.get(logicalId);
    if (!id) {
      throw new Error(`${logicalId} (${type}) is referenced before it is created`);
    }
    return id;
  };
  const ordered = Object.entries(resources)
    .filter(([, resource]) => CREATION_ORDER.includes(resource.Type))
    .sort(([, a], [, b]) => CREATION_ORDER.indexOf(a.Type) - CREATION_ORDER.indexOf(b.Type));
  for (const [logicalId, resource] of ordered) {
    const { ServiceToken: _token, ...properties } = resolve(resource.Properties) as Record<string, unknown>;
    const response = await handler(new CustomResourceEvents(resource.Type, logicalId).create(properties)).catch((error: Error) => {
      throw new Error(`synthesized, but the deployment would fail: ${error.message}\nproperties: ${JSON.stringify(properties)}`);
    });
    physicalIds.set(logicalId, response.PhysicalResourceId);
  }
}

/** A bucket import aws-cdk-lib accepts; one it refuses itself (a malformed name) is not this library's input: skipped. */
function imported(importBucket: () => s3.IBucket): s3.IBucket {
  try {
    return importBucket();
  } catch {
    return fc.pre(false) as never;
  }
}

async function check<T>(arbitrary: fc.Arbitrary<T>, define: (stack: Stack, props: T) => void): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { synthesized: 0, rejected: 0 };
  await fc.assert(fc.asyncProperty(arbitrary, async (props) => {
    counts[await outcomeOf((stack) => define(stack, props))]++;
  }), { numRuns: RUNS });
  return counts;
}

/** Both outcomes occurred: the generators reach valid and invalid props alike. */
function expectBoth(counts: Record<Outcome, number>): void {
  expect(counts.synthesized).toBeGreaterThan(0);
  expect(counts.rejected).toBeGreaterThan(0);
}

describe('generated props either synthesize and deploy, or fail with the library\'s validation error', () => {
  test('Stage', async () => {
    expectBoth(await check(fc.record({
      stageName: maybe(resourceName),
      tags: maybe(tags),
      recording: maybe(recordingOptions),
      removalPolicy: maybe(removalPolicy),
    }), (stack, { recording, ...props }) => {
      const storageConfiguration = recording && new StorageConfiguration(stack, 'Storage', { bucket: new s3.Bucket(stack, 'Bucket') });
      new Stage(stack, 'Stage', { ...props, autoParticipantRecording: storageConfiguration && { ...recording, storageConfiguration } });
    }));
  });

  test('Stage with tags from Tags.of(), checked when the stage is synthesized', async () => {
    expectBoth(await check(fc.array(fc.tuple(fc.oneof(fc.stringMatching(/^[a-z:]{1,8}$/), anyText.filter((key) => key.length > 0)),
      fc.oneof(fc.string({ maxLength: 10 }), anyText)), { maxLength: 55 }), (stack, pairs) => {
      const stage = new Stage(stack, 'Stage');
      pairs.forEach(([key, value]) => Tags.of(stage).add(key, value));
    }));
  });

  test('StageRecording, and Stage.enableAutoParticipantRecording under it', async () => {
    expectBoth(await check(fc.record({
      options: recordingOptions,
      storageConfigurationName: maybe(resourceName),
      bucketProps: maybe(fc.record({
        recordingRetention: maybe(mostly(fc.integer({ min: 1, max: 400 }).map((days) => Duration.days(days)), anyDuration)),
        removalPolicy: maybe(removalPolicy),
        autoDeleteObjects: maybe(fc.boolean()),
      })),
      ownBucket: mostly(fc.constant(false), fc.constant(true)),
    }), (stack, { options, ownBucket, ...props }) => {
      const stage = new Stage(stack, 'Stage');
      const bucket = ownBucket ? new s3.Bucket(stack, 'Bucket') : undefined;
      new StageRecording(stack, 'Recording', { ...options, ...props, stage, bucket });
    }));
  });

  test('StorageConfiguration', async () => {
    const bucketKind = fc.constantFrom('new', 'kms', 'object-writer', 'imported');
    expectBoth(await check(fc.record({
      storageConfigurationName: maybe(resourceName),
      tags: maybe(tags),
      bucketKind,
      importedName: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/), anyText),
    }), (stack, { bucketKind: kind, importedName, ...props }) => {
      const bucket = kind === 'imported' ? imported(() => s3.Bucket.fromBucketName(stack, 'Bucket', importedName)) : new s3.Bucket(stack, 'Bucket', {
        ...(kind === 'kms' ? { encryptionKey: new kms.Key(stack, 'Key') } : {}),
        ...(kind === 'object-writer' ? { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER } : {}),
      });
      new StorageConfiguration(stack, 'Storage', { ...props, bucket });
    }));
  });

  test('EncoderConfiguration', async () => {
    const presets = ['landscape480p', 'portrait480p', 'landscape720p', 'portrait720p', 'landscape1080p', 'portrait1080p'] as const;
    const video = fc.oneof(
      fc.record({ preset: fc.constantFrom(...presets), framerate: maybe(anyNumber), bitrate: maybe(anyNumber) })
        .map(({ preset, ...options }) => EncoderVideo[preset](options)),
      fc.record({ width: maybe(anyNumber), height: maybe(anyNumber), framerate: maybe(anyNumber), bitrate: maybe(anyNumber) })
        .map((settings) => EncoderVideo.custom(settings)),
    );
    expectBoth(await check(fc.record({ encoderConfigurationName: maybe(resourceName), video: maybe(video), tags: maybe(tags) }),
      (stack, props) => {
        new EncoderConfiguration(stack, 'Encoder', props);
      }));
  });

  test('IngestConfiguration', async () => {
    expectBoth(await check(fc.record({
      ingestConfigurationName: maybe(resourceName),
      ingestProtocol: maybe(enumOf(IngestProtocol)),
      insecureIngest: maybe(fc.boolean()),
      userId: maybe(anyText),
      // small maps, and maps around the API's 1 KB limit.
      attributes: maybe(fc.oneof(textMap(5), fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ minLength: 100, maxLength: 400 }),
        { maxKeys: 5 }))),
      redundantIngest: maybe(fc.boolean()),
      forceDelete: maybe(fc.boolean()),
      tags: maybe(tags),
    }), (stack, props) => {
      new IngestConfiguration(stack, 'Ingest', { ...props, stage: new Stage(stack, 'Stage') });
    }));
  });

  test('PublicKey', async () => {
    expectBoth(await check(fc.record({
      material: fc.oneof({ weight: 4, arbitrary: publicKeyText.map(PublicKeyMaterial.fromString) },
        { weight: 1, arbitrary: anyText.map((file) => PublicKeyMaterial.fromFile(`/nonexistent/${file}`)) }),
      publicKeyName: maybe(resourceName),
      tags: maybe(tags),
    }), (stack, { material, ...props }) => {
      new PublicKey(stack, 'Key', { ...props, publicKeyMaterial: material });
    }));
  });

  test('found by these properties: an imported bucket whose legacy name IVS refuses (capitals) is rejected at synth', async () => {
    const define = (name: string) => (stack: Stack) => {
      new StorageConfiguration(stack, 'Storage', { bucket: s3.Bucket.fromBucketName(stack, 'Bucket', name) });
    };
    expect(await outcomeOf(define('Legacy-Recordings'))).toBe('rejected');
    expect(() => define('Legacy-Recordings')(new Stack(new App(), STACK))).toThrow(
      /`bucket.bucketName` must contain only lowercase letters, digits, periods and hyphens .*, got "Legacy-Recordings"/);
    expect(await outcomeOf(define('legacy-recordings'))).toBe('synthesized');
  });

  test('a stack that synthesizes what the API refuses fails the property: the deployment check has teeth', async () => {
    // the property's own check: a stack that synthesizes what the API refuses must fail the property, not pass it.
    await expect(outcomeOf((stack) => {
      const stage = new Stage(stack, 'Stage');
      (stage.node.findChild('Resource') as CfnResource).addPropertyOverride('Request', JSON.stringify({ name: 'not valid!' }));
    })).rejects.toThrow(/synthesized, but the deployment would fail: Create stage Stage\w+ failed: ValidationException/);
  });
});
