/**
 * The contract between `StagePool` (lib/stage-pool.ts) and its two functions: the session function the app's backend
 * invokes (handlers/stage-pool-session) and the cleanup function that events, a schedule and CloudFormation invoke
 * (handlers/stage-pool-cleanup).
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment. It must stay
 * dependency-free: esbuild bundles it into the functions. The SDK's types are imported as types only.
 */
import type { StageRequest } from './contract';
import type { ParticipantTokenRequest, ParticipantTokenResponse } from './participant-token-contract';

/** The environment variable holding the pool's configuration (`StagePoolConfig`), as JSON. */
export const STAGE_POOL_CONFIG_ENV = 'IVS_STAGE_POOL_CONFIG';

/** The tag every stage of a pool carries, valued with the pool's ID: what the functions' IAM policies are scoped by. */
export const POOL_TAG = 'cdk-ivs-realtime:stage-pool';
/** The tag valued with the session key a stage was made for. */
export const SESSION_TAG = 'cdk-ivs-realtime:session';
/** The tag valued with the time the stage was made (milliseconds since the epoch): IVS reports no creation time. */
export const CREATED_TAG = 'cdk-ivs-realtime:created-at';
/** A stage carrying this tag (any value) is never deleted by its pool: not by the cleanup, not with the stack. */
export const RETAIN_TAG = 'cdk-ivs-realtime:retain';
/** The tags the session function gives a stage besides the user's. */
export const POOL_TAG_COUNT = 3;

/**
 * Stages named by a tag instead of by ARN: a pool's, made at run time. A function given one acts on a stage only if the
 * stage's tag `key` has `value` (and its role may read only such stages).
 */
export interface StageTagFilter {
  readonly key: string;
  readonly value: string;
}

/** What the pool's functions know of it, rendered by the construct (tokens resolved by CloudFormation). */
export interface StagePoolConfig {
  /** The pool's ID, the value of `POOL_TAG`. */
  readonly poolId: string;
  /** CreateStage's request for each stage, without name and tags. */
  readonly stage: Omit<StageRequest, 'name'>;
  /** The user's tags of each stage. */
  readonly tags: Record<string, string>;
  /** The most stages the pool holds at once; undefined: as many as the account's quota allows. */
  readonly maxStages?: number;
  /** A stage nobody joined is deleted this long after it was made. */
  readonly emptyTimeoutSeconds: number;
  /** A stage whose last session ended this long ago is deleted. */
  readonly departureTimeoutSeconds: number;
  /** A stage this old is deleted once nobody is on it; undefined: no limit. */
  readonly maxAgeSeconds?: number;
  /** The table of the pool's sessions (session key → stage) and of its stage count. */
  readonly tableName: string;
  /** The reconcile schedule, an EventBridge rule that starts disabled: enabled while the pool holds stages. */
  readonly reconcileRuleName: string;
  /** The `ParticipantTokenIssuer` of the pool's stages that signs a session's first token (its function's ARN); empty: none. */
  readonly tokenIssuerFunctionArn?: string;
}

/** What the backend sends the session function. */
export interface CreateSessionRequest {
  /** Identifies the session: the same key answers with the same stage while it exists. 1-128 characters. */
  readonly sessionKey: string;
  /**
   * A first participant token for the session's stage, signed by the pool's `ParticipantTokenIssuer`: the issuer's request
   * but the stage (`userId`, `attributes`, `capabilities`, `duration`), within the issuer's bounds.
   */
  readonly participantToken?: Omit<ParticipantTokenRequest, 'stageArn'>;
}

/** What the session function answers. */
export interface CreateSessionResponse {
  readonly sessionKey: string;
  readonly stageArn: string;
  /** Whether this call made the stage (false: an earlier call with the key did). */
  readonly created: boolean;
  readonly endpoints: {
    readonly whip?: string;
    readonly events?: string;
    readonly rtmp?: string;
    readonly rtmps?: string;
  };
  /** The token asked for with `participantToken`: a secret, for that participant only. */
  readonly participantToken?: ParticipantTokenResponse['participantToken'];
}

/** The reconcile schedule's event: the key, valued with the pool's ID. */
export const RECONCILE_EVENT_KEY = 'reconcileStagePool';

/** How often the reconcile runs while the pool holds stages, in minutes. */
export const RECONCILE_INTERVAL_MINUTES = 1;

/** The custom resource whose delete removes the pool's stages with the stack (the cleanup function answers it). */
export const STAGE_POOL_RESOURCE_TYPE = 'Custom::IvsRealTimeStagePool';
/** Its property: `"true"` deletes the pool's stages (but retained ones) when the stack is deleted. */
export const DELETE_STAGES_PROPERTY = 'DeleteStages';

/** The metric of the pool's stage count, written by its functions in CloudWatch's embedded metric format. */
export const POOL_METRIC_NAMESPACE = 'cdk-ivs-realtime';
export const POOL_METRIC_STAGES = 'PoolStages';
export const POOL_METRIC_DIMENSION = 'StagePool';
