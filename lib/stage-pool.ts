import { Aws, CfnResource, Duration, Fn, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IDependable } from 'constructs';
import type { ParticipantTokenIssuer } from './participant-token-issuer';
import { defineBundledFunction } from './private/bundled-function';
import { ArnResource } from './private/contract';
import { renderApiRequest } from './private/custom-resource';
import {
  CREATE_REQUEST_ITEM_ACTIONS, ISSUER_INVOKE_ACTIONS, STAGE_POOL_CREATE_ACTIONS, STAGE_POOL_LIST_ACTIONS, STAGE_POOL_READ_ACTIONS,
  STAGE_POOL_DELETE_ACTIONS, SWEEP_ARMING_ACTIONS,
} from './private/iam';
import { alarmAtOrAbove } from './private/metrics';
import { acknowledgeAwsSolutions, acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './private/nag';
import { SERVICE_TIMEOUT } from './private/provider';
import { STAGES_QUOTA } from './private/quotas';
import { defineStageEventRule } from './private/stage-event-rule';
import {
  CREATED_TAG, DELETE_STAGES_PROPERTY, POOL_METRIC_DIMENSION, POOL_METRIC_NAMESPACE, POOL_METRIC_STAGES, POOL_TAG, POOL_TAG_COUNT,
  RECONCILE_EVENT_KEY, RECONCILE_INTERVAL_MINUTES, RETAIN_TAG, SESSION_TAG, STAGE_POOL_CONFIG_ENV, STAGE_POOL_RESOURCE_TYPE, StagePoolConfig,
} from './private/stage-pool-contract';
import { renderStageSettings, validateStageSettings } from './private/stage-settings';
import { PropsValidator, ValidationError } from './private/validation';
import { StageSettings } from './stage';
import { StageEvent } from './stage-event';

/** Properties of a `StagePool`: the settings every stage of the pool gets (as a `Stage`'s), and when stages end. */
export interface StagePoolProps extends StageSettings {
  /**
   * The most stages the pool holds at once. A session asked for beyond it fails with `StagePoolFullError`.
   *
   * @default - as many as the account's stage quota allows (1,000 per Region by default)
   */
  readonly maxStages?: number;

  /**
   * How long a stage waits for its first participant: a stage nobody joined within it is deleted. Whole seconds.
   *
   * @default Duration.minutes(5)
   */
  readonly emptyTimeout?: Duration;

  /**
   * How long a stage is kept after its last participant left (its last session ended): someone who rejoins within it
   * finds the same stage. Whole seconds.
   *
   * @default Duration.seconds(20)
   */
  readonly departureTimeout?: Duration;

  /**
   * The age after which a stage is deleted as soon as nobody is on it, whatever the other timeouts say. A stage someone
   * is on is never deleted: deleting it would disconnect them. Whole seconds.
   *
   * @default - no limit of age
   */
  readonly maxAge?: Duration;

  /**
   * What happens to the pool's stages when the stack is deleted. `DESTROY` deletes every one, people on it or not (they
   * are disconnected), but those that carry `StagePool.RETAIN_TAG`: once the pool's functions are gone nothing else
   * would. `RETAIN` keeps them all.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly stageRemovalPolicy?: RemovalPolicy;
}

/** Options of `StagePool.addStageCountAlarm`. */
export interface StagePoolAlarmOptions {
  /**
   * The share of the limit at which the alarm goes off: more than 0, at most 1.
   *
   * @default 0.8
   */
  readonly threshold?: number;

  /**
   * The account's stage quota in this Region, when it was raised. The limit is the pool's `maxStages` if set, else this.
   *
   * @default 1000
   */
  readonly stageQuota?: number;
}

/**
 * Stages made at run time, one per session, from settings declared once, and deleted when their session is over: AWS's
 * advice for IVS Real-Time (a new stage for each logical session), in the way LiveKit closes rooms.
 *
 * The app's backend invokes `sessionFunction` (`grantCreateSession`) with `{ "sessionKey": "..." }` and gets the
 * session's stage: `{ sessionKey, stageArn, created, endpoints: { whip, events, rtmp, rtmps } }`. The first call with a
 * key makes the stage; later calls, even at the same moment, answer with the same one while it exists. A full pool
 * (`maxStages`, or the account's stage quota) fails with `StagePoolFullError`. With a `ParticipantTokenIssuer` of the
 * pool (`stagePool: pool`), a call may also ask for the session's first token: `participantToken: { userId, capabilities,
 * duration, attributes }` (the issuer's request but the stage), answered as the issuer answers (`participantToken`).
 *
 * A stage is deleted when nobody joined it within `emptyTimeout`, when its last session ended `departureTimeout` ago,
 * or when it is older than `maxAge` and nobody is on it; never while someone is on it, nor when it carries
 * `StagePool.RETAIN_TAG`. IVS's `Participant Unpublished` events make the pool look at a stage at once; a reconcile
 * every minute, which runs only while the pool holds stages, does the rest.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { StagePool } from 'cdk-ivs-realtime';
 *
 * declare const backend: lambda.IFunction;
 *
 * const pool = new StagePool(this, 'Sessions', { emptyTimeout: Duration.minutes(2), maxStages: 200 });
 * pool.grantCreateSession(backend);
 */
export class StagePool extends Construct {
  /**
   * The tag that keeps a stage of a pool (any value): add it with IVS's TagResource to a stage that must outlive its
   * session, and remove it to let the pool delete the stage again.
   */
  public static readonly RETAIN_TAG = RETAIN_TAG;

  /** The tag every stage of a pool carries, valued with `poolId`. */
  public static readonly POOL_TAG = POOL_TAG;

  /** The pool's ID: the value of `StagePool.POOL_TAG` on its stages, and the dimension of its metric. */
  public readonly poolId: string;
  /** The function the backend invokes for a session's stage. */
  public readonly sessionFunction: lambda.IFunction;
  /** The function that deletes the stages whose session is over. */
  public readonly cleanupFunction: lambda.IFunction;
  private readonly maxStages?: number;
  /** The custom resource whose delete removes the pool's stages with the stack. */
  private readonly stagesResource: CfnResource;
  /** The issuer of the pool's stages that signs a session's first token, once one names the pool. */
  private tokenIssuer?: ParticipantTokenIssuer;

  constructor(scope: Construct, id: string, props: StagePoolProps = {}) {
    super(scope, id);
    validateStagePoolProps(this, props);
    this.maxStages = props.maxStages;
    const stack = Stack.of(this);
    this.poolId = this.node.addr;

    // records of sessions for a week at most (their time to live), and the stage count: nothing to back up.
    const table = new dynamodb.CfnTable(this, 'Sessions', {
      keySchema: [{ attributeName: 'token', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'token', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      timeToLiveSpecification: { attributeName: 'expiresAt', enabled: true },
      sseSpecification: { sseEnabled: true },
    });
    table.applyRemovalPolicy(RemovalPolicy.DESTROY);
    acknowledgeAwsSolutions(table, 'AwsSolutions-DDB3', 'The table holds which stage each live session has, and a count: nothing to restore');

    // named from the stack ID and the pool, as the configuration names it: the cleanup function, which the rule targets,
    // disarms it, and naming it by reference would be a cycle.
    const reconcileRuleName = Fn.join('-', ['ivs-pool', Fn.select(2, Fn.split('/', Aws.STACK_ID)), this.poolId.slice(0, 8)]);
    const config: StagePoolConfig = {
      poolId: this.poolId,
      stage: renderStageSettings(props),
      tags: props.tags ?? {},
      maxStages: props.maxStages,
      emptyTimeoutSeconds: (props.emptyTimeout ?? Duration.minutes(5)).toSeconds(),
      departureTimeoutSeconds: (props.departureTimeout ?? Duration.seconds(20)).toSeconds(),
      maxAgeSeconds: props.maxAge?.toSeconds(),
      tableName: table.ref,
      reconcileRuleName,
      // at synth: the issuer is defined after the pool (it names the pool).
      tokenIssuerFunctionArn: Lazy.string({ produce: () => this.tokenIssuer?.handler.functionArn ?? '' }),
    };
    const environment = { [STAGE_POOL_CONFIG_ENV]: renderApiRequest(this, config) };

    const sessionFunction = defineBundledFunction(this, 'SessionFunction', {
      bundle: 'stage-pool-session',
      logGroupId: 'SessionLogs',
      roleId: 'SessionRole',
      description: 'Makes the Amazon IVS Real-Time stage of a session from the pool\'s settings (cdk-ivs-realtime StagePool)',
      // CreateStage's throttling retries (5 per second per account) and the wait for a concurrent call with the same key.
      timeout: Duration.minutes(1),
      environment,
    });
    const cleanupFunction = defineBundledFunction(this, 'CleanupFunction', {
      bundle: 'stage-pool-cleanup',
      logGroupId: 'CleanupLogs',
      roleId: 'CleanupRole',
      description: 'Deletes the Amazon IVS Real-Time stages of a pool whose sessions are over (cdk-ivs-realtime StagePool)',
      timeout: Duration.minutes(5),
      environment,
      // events and the schedule: a failed look is made again by the next reconcile, a minute later.
      retryAttempts: 0,
    });
    this.sessionFunction = sessionFunction;
    this.cleanupFunction = cleanupFunction;

    const stages = stack.formatArn({ service: 'ivs', resource: ArnResource.STAGE, resourceName: '*' });
    const ofThePool = { StringEquals: { [`aws:ResourceTag/${POOL_TAG}`]: this.poolId } };
    sessionFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: STAGE_POOL_CREATE_ACTIONS,
      resources: [stages],
      conditions: {
        'StringEquals': { [`aws:RequestTag/${POOL_TAG}`]: this.poolId },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG, SESSION_TAG, CREATED_TAG, ...Object.keys(props.tags ?? {})] },
      },
    }));
    sessionFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['ivs:GetStage'], resources: [stages], conditions: ofThePool }));
    cleanupFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: [...STAGE_POOL_READ_ACTIONS, ...STAGE_POOL_DELETE_ACTIONS], resources: [stages], conditions: ofThePool,
    }));
    cleanupFunction.addToRolePolicy(new iam.PolicyStatement({ actions: STAGE_POOL_LIST_ACTIONS, resources: [stages] }));
    for (const fn of [sessionFunction, cleanupFunction]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: CREATE_REQUEST_ITEM_ACTIONS, resources: [table.attrArn] }));
      acknowledgeWildcardResource(fn.role!, stages, 'IVS gives a stage its ID when it creates it, so no ARN is known before: the '
        + `function may act only on the stages that carry the pool's tag (${POOL_TAG}), by the aws:RequestTag and aws:ResourceTag `
        + 'conditions, except ListStages, a List call that names no stage');
    }
    acknowledgeCompliance(this, {
      ...LIBRARY_FUNCTION_REASONS,
      LambdaDLQ: 'The session function answers its caller; what the cleanup function misses, the next reconcile does a minute later',
      DynamoDBInBackupPlan: 'The table holds which stage each live session has, and a count: nothing to restore',
      DynamoDBPITREnabled: 'The table holds which stage each live session has, and a count: nothing to restore',
      DynamoDBAutoScalingEnabled: 'The table is on demand (PAY_PER_REQUEST): there is no provisioned capacity to scale',
    });
    const reconcileRuleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: reconcileRuleName });
    sessionFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:EnableRule'], resources: [reconcileRuleArn] }));
    cleanupFunction.addToRolePolicy(new iam.PolicyStatement({ actions: SWEEP_ARMING_ACTIONS, resources: [reconcileRuleArn] }));

    new events.Rule(this, 'ReconcileSchedule', {
      ruleName: reconcileRuleName,
      enabled: false,
      description: 'cdk-ivs-realtime StagePool: deletes the stages whose sessions are over (enabled while the pool holds stages)',
      schedule: events.Schedule.rate(Duration.minutes(RECONCILE_INTERVAL_MINUTES)),
      targets: [new targets.LambdaFunction(cleanupFunction, {
        event: events.RuleTargetInput.fromObject({ [RECONCILE_EVENT_KEY]: this.poolId }),
        retryAttempts: 0,
      })],
    });
    // every stage of the account: the function looks only at the pool's (its role may read no other).
    defineStageEventRule(this, 'UnpublishedRule', undefined, {
      description: 'cdk-ivs-realtime StagePool: a participant stopped publishing, so a session may be over',
      target: new targets.LambdaFunction(cleanupFunction, { retryAttempts: 0 }),
    }, StageEvent.PARTICIPANT_UNPUBLISHED);

    const stageRemoval = props.stageRemovalPolicy ?? RemovalPolicy.DESTROY;
    const drain = this.stagesResource = new CfnResource(this, 'Stages', {
      type: STAGE_POOL_RESOURCE_TYPE,
      properties: {
        ServiceToken: cleanupFunction.functionArn,
        ServiceTimeout: SERVICE_TIMEOUT.toSeconds().toString(),
        [DELETE_STAGES_PROPERTY]: String(stageRemoval === RemovalPolicy.DESTROY),
      },
    });
    // deleted before the stages are: no session made after them.
    sessionFunction.node.addDependency(drain);
  }

  /**
   * Makes the stack's delete remove the pool's stages before it deletes `dependable`: what the stages' sessions use (a
   * composition's storage configuration, which IVS refuses to delete while a live stage's composition uses it).
   *
   * @internal
   */
  public _deleteStagesBefore(dependable: IDependable): void {
    this.stagesResource.node.addDependency(dependable);
  }

  /**
   * Lets the session function ask `issuer` (a `ParticipantTokenIssuer` of this pool) for a session's first token.
   *
   * @internal
   */
  public _issueFirstTokensWith(issuer: ParticipantTokenIssuer): void {
    if (this.tokenIssuer) {
      throw new ValidationError(`StagePool at '${this.node.path}': the pool's first tokens already come from ${this.tokenIssuer.node.path}; `
        + `give ${issuer.node.path} the pool's stages with one issuer only`);
    }
    this.tokenIssuer = issuer;
    issuer.grantInvoke(this.sessionFunction);
  }

  /**
   * Grants invoking the session function (`lambda:InvokeFunction`), to make and find sessions' stages. Invoke it with
   * `{ "sessionKey": "..." }` (1-128 letters, digits or `_.:/=+@-`).
   */
  public grantCreateSession(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ISSUER_INVOKE_ACTIONS, resourceArns: [this.sessionFunction.functionArn] });
  }

  /**
   * How many stages the pool holds (`PoolStages`, Count, namespace `cdk-ivs-realtime`, dimension `StagePool`), written by
   * its functions when a session's stage is made and by each reconcile. Nothing is written while the pool holds none.
   *
   * @default - statistic Maximum, period 5 minutes
   */
  public metricStages(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: POOL_METRIC_NAMESPACE,
      metricName: POOL_METRIC_STAGES,
      statistic: cloudwatch.Stats.MAXIMUM,
      ...props,
      dimensionsMap: { [POOL_METRIC_DIMENSION]: this.poolId, ...props.dimensionsMap },
    });
  }

  /**
   * An alarm when the pool holds `threshold` of its limit: `maxStages` if set, else the account's stage quota. It has no
   * action until you add one (`addAlarmAction`).
   */
  public addStageCountAlarm(id: string, options: StagePoolAlarmOptions = {}): cloudwatch.Alarm {
    const validator = new PropsValidator(this, 'StagePool.addStageCountAlarm', id);
    const share = options.threshold ?? 0.8;
    validator.check(share > 0 && share <= 1, `\`threshold\` must be a share of the limit, more than 0 and at most 1, got ${share}`);
    validator.integerAtLeast('stageQuota', options.stageQuota, 1);
    validator.throwIfInvalid();
    const limit = this.maxStages ?? options.stageQuota ?? STAGES_QUOTA.defaultLimit;
    return this.metricStages().createAlarm(this, id, {
      alarmDescription: `IVS Real-Time: stage pool ${this.node.path} holds ${share * 100}% of its limit (${limit} stages)`,
      ...alarmAtOrAbove(Math.ceil(share * limit)),
    });
  }
}

/** A year: the longest timeout (a longer one is surely a mistake of units). */
const MAX_TIMEOUT_SECONDS = 365 * 24 * 3600;
/** CreateStage takes 50 tags; the pool's functions add `POOL_TAG_COUNT`. */
const MAX_POOL_STAGE_TAGS = 50 - POOL_TAG_COUNT;

function validateStagePoolProps(pool: StagePool, props: StagePoolProps): void {
  const validator = new PropsValidator(pool, 'StagePool');
  validateStageSettings(validator, props);
  const tagCount = Object.keys(props.tags ?? {}).length;
  validator.check(tagCount <= MAX_POOL_STAGE_TAGS, `\`tags\` must have at most ${MAX_POOL_STAGE_TAGS} tags (IVS allows 50; the pool `
    + `adds ${POOL_TAG_COUNT} of its own), got ${tagCount}`);
  validator.integerAtLeast('maxStages', props.maxStages, 1);
  validator.wholeSeconds('emptyTimeout', props.emptyTimeout, 0, MAX_TIMEOUT_SECONDS);
  validator.wholeSeconds('departureTimeout', props.departureTimeout, 0, MAX_TIMEOUT_SECONDS);
  validator.wholeSeconds('maxAge', props.maxAge, 1, MAX_TIMEOUT_SECONDS);
  validator.check(props.stageRemovalPolicy === undefined || [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN].includes(props.stageRemovalPolicy),
    `\`stageRemovalPolicy\` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.${props.stageRemovalPolicy}`);
  validator.throwIfInvalid();
}
