import { Annotations, Duration, ITaggable, Lazy, Stack, TagManager, TagType } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CompositionDestination, CompositionDestinationType } from './composition-destination';
import { CompositionLayout } from './composition-layout';
import { EncoderConfiguration } from './encoder-configuration';
import { defineBundledFunction } from './private/bundled-function';
import { COMPOSITION_CONFIG_ENV, CompositionFunctionConfig } from './private/composition-contract';
import { validateSameEnvironment } from './private/composition-environment';
import { ArnResource } from './private/contract';
import { renderApiRequest } from './private/custom-resource';
import { COMPOSITION_FUNCTION_ACTIONS } from './private/iam';
import { acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './private/nag';
import { defineStageEventRule } from './private/stage-event-rule';
import { PropsValidator } from './private/validation';
import { IStage } from './stage';
import { StageEvent } from './stage-event';
import { StagePool } from './stage-pool';

/** Properties of a `StageComposition`. */
export interface StageCompositionProps {
  /**
   * The stages composed, each the same way. Stages in this app or imported ones, in the stack's account and region.
   *
   * @default - none: give `stagePool` instead
   */
  readonly stages?: IStage[];

  /**
   * A pool whose stages are composed, each the same way: those it makes at run time, found by the pool's tag (the
   * function's role may read and compose only stages that carry it). Give either `stages` or `stagePool`.
   *
   * @default - none: give `stages` instead
   */
  readonly stagePool?: StagePool;

  /**
   * Where each composition goes: one or two destinations, at most one S3 recording and one channel broadcast.
   */
  readonly destinations: CompositionDestination[];

  /**
   * How participants are placed.
   *
   * @default CompositionLayout.grid()
   */
  readonly layout?: CompositionLayout;

  /**
   * Whether to stop a stage's composition as soon as its session has no publisher left, instead of when IVS stops it
   * itself (60 seconds after the last publisher stops). A publisher who comes back in the same session then starts a
   * new composition, and so a new recording.
   *
   * @default false
   */
  readonly stopOnSessionEnd?: boolean;

  /**
   * Tags for each composition (at most 49, with those from `Tags.of()`: the function adds one of its own,
   * `cdk-ivs-realtime:stage-composition`).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Where events go that the function could not handle after its retries (a throttled or failing IVS API), and events
   * EventBridge could not deliver to it.
   *
   * @default - a new SQS queue, encrypted, keeping messages for 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Starts a server-side composition of a stage whenever one of its sessions starts publishing.
 *
 * A composition is ephemeral: IVS stops it a minute after the last participant stops publishing, so it cannot be
 * started at deployment. This construct defines an EventBridge rule for the stages' `Participant Published` events
 * and a function that calls StartComposition with the declared layout and destinations, at most once per stage:
 * it skips events of a session that is no longer active and stages that already have a running composition of this
 * construct, and it derives StartComposition's idempotency token from the session, so duplicated, replayed and
 * concurrent events start one composition.
 *
 * IVS runs a limited number of compositions at once per account and region (a quota, adjustable). Beyond it
 * StartComposition fails with ServiceQuotaExceededException, which the function logs and does not retry: the session
 * is composed only when a later `Participant Published` event of it finds a free slot.
 *
 * @example
 * import { CompositionDestination, CompositionLayout, IStage, IStorageConfiguration, StageComposition } from 'cdk-ivs-realtime';
 *
 * declare const stage: IStage;
 * declare const storageConfiguration: IStorageConfiguration;
 *
 * new StageComposition(this, 'Recording', {
 *   stages: [stage],
 *   layout: CompositionLayout.grid({ featuredParticipantAttribute: 'featured' }),
 *   destinations: [CompositionDestination.s3(storageConfiguration)],
 * });
 */
export class StageComposition extends Construct implements ITaggable {
  /** The stages composed (none when it composes a `stagePool`'s). */
  public readonly stages: IStage[];
  /** The function that starts (and, with `stopOnSessionEnd`, stops) compositions. */
  public readonly handler: lambda.IFunction;
  /** The rule that sends the stages' participant events to `handler`. */
  public readonly rule: events.Rule;
  /** Where events land that could not be handled; alarm on its depth. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The encoder configuration of destinations that name none; undefined when each names its own. */
  public readonly defaultEncoderConfiguration?: EncoderConfiguration;
  /** Tags of the compositions, including those added with `Tags.of()`. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: StageCompositionProps) {
    super(scope, id);
    validateStageCompositionProps(this, props);
    this.stages = props.stages ?? [];
    this.tags = new TagManager(TagType.MAP, COMPOSITION_TAG_TYPE, props.tags);
    const stopOnSessionEnd = props.stopOnSessionEnd ?? false;
    const stageArns = this.stages.map((stage) => stage.stageArn);
    const stageTag = props.stagePool ? { key: StagePool.POOL_TAG, value: props.stagePool.poolId } : undefined;

    // defined by the first destination that names no encoder configuration, if any does.
    let defaultEncoder: EncoderConfiguration | undefined;
    const defaultEncoderFor = () => defaultEncoder ??= new EncoderConfiguration(this, 'DefaultEncoderConfiguration');
    const config: UntaggedConfig = {
      key: this.node.addr,
      stageArns,
      stageTag,
      layout: (props.layout ?? CompositionLayout.grid())._render(),
      destinations: props.destinations.map((destination) => destination._render(defaultEncoderFor)),
      stopOnSessionEnd,
    };
    this.defaultEncoderConfiguration = defaultEncoder;
    // tags lazily, so that Tags.of() applied anywhere above reaches the compositions.
    const configJson = renderApiRequest(this, { ...config, tags: Lazy.any({ produce: () => this.tags.tagValues() }) });
    this.node.addValidation({ validate: () => validateFunctionConfig(this, { ...config, tags: this.tags.tagValues() }) });

    this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const handler = defineBundledFunction(this, 'Function', {
      bundle: 'composition',
      logGroupId: 'Logs',
      roleId: 'ServiceRole',
      // not "cdk-ivs-realtime: …", which names the stack's one custom-resource provider.
      description: 'Starts Amazon IVS Real-Time compositions when a stage session starts publishing (cdk-ivs-realtime StageComposition)',
      // room for the SDK's throttling backoff and the bounded conflict retries of a start.
      timeout: Duration.minutes(2),
      environment: { [COMPOSITION_CONFIG_ENV]: configJson },
      // the function fails only when a later attempt may succeed (throttling beyond the SDK's retries, server errors, a
      // lasting conflict, the concurrent-composition quota): two more attempts, then the dead-letter queue; never an endless loop.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.handler = handler;
    this.grantFunction(handler, props.destinations.flatMap((destination) => destination._resourceArns(defaultEncoderFor)), stageArns,
      stopOnSessionEnd, stageTag);

    const stageEvents = [StageEvent.PARTICIPANT_PUBLISHED, ...(stopOnSessionEnd ? [StageEvent.PARTICIPANT_UNPUBLISHED] : [])];
    // a pool's stages are made at run time: the rule takes every stage's events, and the function those of the pool.
    this.rule = defineStageEventRule(this, 'Rule', stageTag ? undefined : stageArns, {
      description: 'Participant events of the stages a cdk-ivs-realtime StageComposition composes',
      target: new targets.LambdaFunction(handler, { deadLetterQueue: this.deadLetterQueue }),
    }, ...stageEvents);
    acknowledgeCompliance(this, LIBRARY_FUNCTION_REASONS);
    // the function names the destinations' resources: the stack's delete removes the pool's stages (and so stops their
    // compositions) before those, which IVS refuses to delete while a composition uses them.
    props.stagePool?._deleteStagesBefore(handler);
  }

  /**
   * Least privilege: the stages, the compositions, and exactly the encoder and storage configurations and channels
   * the destinations name (StartComposition is authorized against each resource of the request). Checked against the
   * Service Authorization Reference by `test/reliability/iam-authorization.test.ts`.
   */
  private grantFunction(handler: lambda.Function, destinationArns: string[], stageArns: string[], stopOnSessionEnd: boolean,
    stageTag: CompositionFunctionConfig['stageTag']): void {
    const stack = Stack.of(this);
    const compositions = stack.formatArn({ service: 'ivs', resource: ArnResource.COMPOSITION, resourceName: '*' });
    const stageActions = [...COMPOSITION_FUNCTION_ACTIONS.readStage, ...(stopOnSessionEnd ? COMPOSITION_FUNCTION_ACTIONS.listPublishers : [])];

    if (stageTag) {
      // a pool's stages: any stage of the account and region that carries the pool's tag.
      const stages = stack.formatArn({ service: 'ivs', resource: ArnResource.STAGE, resourceName: '*' });
      handler.addToRolePolicy(new iam.PolicyStatement({
        actions: [...stageActions, ...COMPOSITION_FUNCTION_ACTIONS.start],
        resources: [stages],
        conditions: { StringEquals: { [`aws:ResourceTag/${stageTag.key}`]: stageTag.value } },
      }));
      acknowledgeWildcardResource(handler.role!, stages, 'A pool makes its stages at run time, so no ARN is known before: the function '
        + 'may read and compose only the stages that carry the pool\'s tag (an aws:ResourceTag condition)');
    } else {
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: stageActions, resources: stageArns }));
    }
    handler.addToRolePolicy(new iam.PolicyStatement({
      actions: COMPOSITION_FUNCTION_ACTIONS.start,
      resources: unique([...stageArns, ...destinationArns]),
    }));
    handler.addToRolePolicy(new iam.PolicyStatement({
      actions: [...COMPOSITION_FUNCTION_ACTIONS.tag, ...(stopOnSessionEnd ? COMPOSITION_FUNCTION_ACTIONS.stop : [])],
      resources: [compositions],
    }));
    acknowledgeWildcardResource(handler.role!, compositions, 'IVS gives a composition its ID when it starts it, so no ARN is known '
      + 'before: the function may tag the compositions it starts (and with stopOnSessionEnd stop them), of this account and region');
  }
}

/** The function's configuration but its tags, which are only known once `Tags.of()` has applied. */
type UntaggedConfig = Omit<CompositionFunctionConfig, 'tags'>;

/** The `TagManager` type name of compositions, for `Tags.of(…).add(…, { includeResourceTypes })`. */
const COMPOSITION_TAG_TYPE = 'Custom::IvsRealTimeComposition';
/** StartComposition's limit, less the owner tag. */
const MAX_COMPOSITION_TAGS = 49;
/** Lambda's limit on a function's environment (every key and value). */
const MAX_ENVIRONMENT_BYTES = 4096;
/** The API's longest ARN, assumed for every ARN only known at deployment. */
const MAX_ARN_LENGTH = 128;

function validateStageCompositionProps(scope: StageComposition, props: StageCompositionProps): void {
  const validator = new PropsValidator(scope, 'StageComposition');
  const stack = Stack.of(scope);
  const stages = props.stages ?? [];
  validator.check((stages.length > 0) !== (props.stagePool !== undefined),
    `give either \`stages\` (at least one stage) or \`stagePool\`, got ${stages.length} stages and ${props.stagePool ? 'a' : 'no'} stage pool`);
  const arns = stages.map((stage) => stage.stageArn);
  stages.forEach((stage, index) => {
    validator.check(arns.indexOf(stage.stageArn) === index, `\`stages\` must not repeat a stage, got ${stage.node.path} more than once`);
    validateSameEnvironment(validator, `stages[${index}]`, stage.env, stack);
  });
  (props.layout ?? CompositionLayout.grid())._validate(validator, 'layout');
  CompositionDestination._validateAll(validator, 'destinations', props.destinations, stack);
  validateCompositionTags(validator, props.tags);
  validator.throwIfInvalid();

  if ((stages.length > 1 || props.stagePool) && props.destinations.some((d) => d.destinationType === CompositionDestinationType.CHANNEL)) {
    Annotations.of(scope).addWarningV2('cdk-ivs-realtime:sharedChannel', 'Every stage of this StageComposition broadcasts to the '
      + 'same channel, and a channel takes one broadcast at a time: while one stage is composed, the composition of another fails. '
      + 'Give each stage its own StageComposition and channel unless their sessions never overlap.');
  }
}

function validateCompositionTags(validator: PropsValidator, tags: Record<string, string> | undefined): void {
  validator.tags('tags', tags, 'none');
  const keys = Object.keys(tags ?? {});
  validator.check(keys.length <= MAX_COMPOSITION_TAGS,
    `\`tags\` must have at most ${MAX_COMPOSITION_TAGS} tags (StartComposition takes 50, one is the function's own), got ${keys.length}`);
}

/**
 * End-of-construction checks of what only then is known: the tags from `Tags.of()`, and the size of the function's
 * configuration (Lambda refuses an environment over 4 KB at deployment, with a less helpful message).
 */
function validateFunctionConfig(scope: StageComposition, config: CompositionFunctionConfig): string[] {
  const validator = new PropsValidator(scope, 'StageComposition');
  validateCompositionTags(validator, config.tags);
  const json = JSON.stringify(config);
  const bytes = COMPOSITION_CONFIG_ENV.length + Buffer.byteLength(json.replace(/\$\{Token\[[^\]]*\]\}/g, 'x'.repeat(MAX_ARN_LENGTH)), 'utf8');
  validator.check(bytes <= MAX_ENVIRONMENT_BYTES, '`stages`, `destinations` and `tags` must fit the function\'s environment '
    + `(Lambda takes ${MAX_ENVIRONMENT_BYTES} bytes), got up to ${bytes} bytes with ${config.stageArns.length} stage ARNs (ARNs known `
    + 'only at deployment counted at their 128-character maximum); compose fewer stages per StageComposition or use fewer tags');
  return validator.messages;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
