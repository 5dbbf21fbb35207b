import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IParticipantTokenSigningKey } from './participant-token-signing-key';
import { defineBundledFunction } from './private/bundled-function';
import { ArnResource } from './private/contract';
import { renderApiRequest } from './private/custom-resource';
import { ISSUER_INVOKE_ACTIONS, TOKEN_ISSUER_STAGE_ACTIONS } from './private/iam';
import { acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './private/nag';
import { PARTICIPANT_TOKEN_LIMITS, TOKEN_ISSUER_CONFIG_ENV, TokenIssuerConfig } from './private/participant-token-contract';
import { PropsValidator } from './private/validation';
import { IStage } from './stage';
import { StagePool } from './stage-pool';

/** What a participant token lets its holder do in the stage. */
export enum ParticipantTokenCapability {
  /** Publish audio and video. */
  PUBLISH = 'PUBLISH',
  /** Receive the other participants' audio and video. */
  SUBSCRIBE = 'SUBSCRIBE',
}

/** Properties of a `ParticipantTokenIssuer`. */
export interface ParticipantTokenIssuerProps {
  /** The key pair tokens are signed with: the issuer signs with its current KMS key, and names its IVS public key (`kid`). */
  readonly signingKey: IParticipantTokenSigningKey;

  /**
   * The stages the issuer grants tokens for; a request for any other is refused. At most 25 (their ARNs travel in the
   * function's environment, which Lambda limits to 4 KB), in the signing key's account and region.
   *
   * @default - none: give `stagePool` instead
   */
  readonly stages?: IStage[];

  /**
   * A pool whose stages the issuer grants tokens for: those it makes at run time, recognized by the pool's tag (the
   * function's role may read only stages that carry it). Give `stages`, `stagePool` or both. The pool must be in the
   * signing key's account and region.
   *
   * @default - none: give `stages` instead
   */
  readonly stagePool?: StagePool;

  /**
   * The capabilities a token may have. A request may ask for fewer; one that leaves them out gets all of these.
   *
   * @default - PUBLISH and SUBSCRIBE
   */
  readonly capabilities?: ParticipantTokenCapability[];

  /**
   * The longest a token may last. A request may ask for less; one that leaves it out gets 12 hours (CreateParticipantToken's
   * default), or this if shorter. Whole minutes from 1 minute to 14 days (CreateParticipantToken's range). A token stays
   * valid until it expires, however the app changes meanwhile (unless its signing key is retired): keep it short.
   *
   * @default Duration.hours(12)
   */
  readonly maxDuration?: Duration;

  /**
   * Whether the function also gets a function URL with IAM authorization (requests signed with SigV4 for the `lambda`
   * service), for callers that speak HTTP rather than the Lambda API.
   *
   * @default false
   */
  readonly functionUrl?: boolean;
}

/**
 * Issues Amazon IVS Real-Time participant tokens with no private key anywhere but in AWS KMS: a Lambda function that
 * signs ES384 tokens with a `ParticipantTokenSigningKey` (`kms:Sign`), for the stages it is given, within bounds its
 * props set (stages, capabilities, longest duration; attributes of at most 1 KB and user IDs of at most 128 characters, as
 * for CreateParticipantToken), whatever a caller asks for. It reads each stage's endpoints with GetStage, cached at most
 * 14 days as the API allows.
 *
 * Callers are the app's own backend, after `grantInvoke`: they invoke the function with CreateParticipantToken's request
 * and get CreateParticipantToken's response, as JSON:
 *
 * ```json
 * {"stageArn": "arn:aws:ivs:...:stage/abcd", "duration": 60, "userId": "alice", "attributes": {"name": "Alice"}, "capabilities": ["SUBSCRIBE"]}
 * {"participantToken": {"participantId": "...", "token": "eyJ...", "userId": "alice", "attributes": {"name": "Alice"},
 *   "duration": 60, "capabilities": ["SUBSCRIBE"], "expirationTime": "2026-01-01T13:00:00.000Z"}}
 * ```
 *
 * A request beyond CreateParticipantToken's rules fails with the error type `ValidationException`, one beyond the props
 * with `AccessDeniedException` (with a function URL: 400 and 403, `{"errorType", "errorMessage"}`). A failure of KMS or
 * IVS reaches the caller without detail, as `ThrottlingException` (503 with `Retry-After`) or `InternalFailure` (500):
 * the detail goes to the log. Tokens never appear in the logs, which hold identifiers only.
 *
 * The bounds apply to the issuer's callers: any principal the account lets call `kms:Sign` on the signing key's KMS keys
 * can sign any token IVS accepts (see the README, "Who can mint tokens").
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { IStage, ParticipantTokenCapability, ParticipantTokenIssuer, ParticipantTokenSigningKey } from 'cdk-ivs-realtime';
 *
 * declare const stage: IStage;
 * declare const backendFunction: lambda.IFunction;
 *
 * const signingKey = new ParticipantTokenSigningKey(this, 'TokenSigningKey');
 * const issuer = new ParticipantTokenIssuer(this, 'Tokens', {
 *   signingKey,
 *   stages: [stage],
 *   capabilities: [ParticipantTokenCapability.SUBSCRIBE],
 *   maxDuration: Duration.hours(2),
 * });
 * issuer.grantInvoke(backendFunction);
 */
export class ParticipantTokenIssuer extends Construct {
  /** The stages the issuer grants tokens for. */
  public readonly stages: IStage[];
  /** The function that issues tokens. */
  public readonly handler: lambda.IFunction;
  /** The function's URL (IAM authorization), with `functionUrl: true`. */
  public readonly functionUrl?: lambda.IFunctionUrl;

  constructor(scope: Construct, id: string, props: ParticipantTokenIssuerProps) {
    super(scope, id);
    validateIssuerProps(this, props);
    this.stages = props.stages ?? [];
    const capabilities = props.capabilities ?? [ParticipantTokenCapability.PUBLISH, ParticipantTokenCapability.SUBSCRIBE];
    const stageArns = this.stages.map((stage) => stage.stageArn);
    const stageTag = props.stagePool ? { key: StagePool.POOL_TAG, value: props.stagePool.poolId } : undefined;
    const config: TokenIssuerConfig = {
      stageArns,
      stageTag,
      capabilities,
      maxDurationMinutes: (props.maxDuration ?? DEFAULT_MAX_DURATION).toMinutes(),
      kmsKeyArn: props.signingKey.kmsKey.keyArn,
      publicKeyArn: props.signingKey.publicKeyArn,
    };

    const handler = defineBundledFunction(this, 'Function', {
      bundle: 'participant-token-issuer',
      logGroupId: 'Logs',
      roleId: 'ServiceRole',
      description: 'Issues Amazon IVS Real-Time participant tokens signed with AWS KMS (cdk-ivs-realtime ParticipantTokenIssuer)',
      // a caller waits: room for the SDK's retries of a throttled Sign or GetStage, no more.
      timeout: Duration.seconds(10),
      environment: { [TOKEN_ISSUER_CONFIG_ENV]: renderApiRequest(this, config) },
    });
    this.handler = handler;
    props.signingKey.grantSign(handler);
    if (stageArns.length > 0) {
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: TOKEN_ISSUER_STAGE_ACTIONS, resources: stageArns }));
    }
    if (stageTag) {
      const poolStages = Stack.of(this).formatArn({ service: 'ivs', resource: ArnResource.STAGE, resourceName: '*' });
      handler.addToRolePolicy(new iam.PolicyStatement({
        actions: TOKEN_ISSUER_STAGE_ACTIONS,
        resources: [poolStages],
        conditions: { StringEquals: { [`aws:ResourceTag/${stageTag.key}`]: stageTag.value } },
      }));
      acknowledgeWildcardResource(handler.role!, poolStages, 'A pool makes its stages at run time, so no ARN is known before: the '
        + 'function may read only the stages that carry the pool\'s tag (an aws:ResourceTag condition)');
    }
    // the pool's session function may ask for a session's first token.
    props.stagePool?._issueFirstTokensWith(this);
    if (props.functionUrl) {
      this.functionUrl = handler.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    }
    acknowledgeCompliance(this, {
      ...LIBRARY_FUNCTION_REASONS,
      LambdaDLQ: 'The backend invokes the function for an answer (Invoke, or its function URL): it gets the error, and a '
        + 'dead-letter queue receives only the failures of asynchronous invocations',
    });
  }

  /**
   * Grants issuing tokens to an IAM principal of this account (the backend's role): `lambda:InvokeFunction` on the
   * function, and with `functionUrl: true` `lambda:InvokeFunctionUrl` (and the `lambda:InvokeFunction` a function URL also
   * needs, only through the URL).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    // the function itself, not `<ARN>:*` as lambda's grantInvoke: the issuer publishes no versions or aliases.
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ISSUER_INVOKE_ACTIONS, resourceArns: [this.handler.functionArn] });
    return this.functionUrl ? grant.combine(this.handler.grantInvokeUrl(grantee)) : grant;
  }
}

const DEFAULT_MAX_DURATION = Duration.minutes(PARTICIPANT_TOKEN_LIMITS.DEFAULT_DURATION_MINUTES);
/** Lambda's 4 KB of environment, at 131 bytes per stage (a 128-character ARN, quoted, a comma) beside the rest. */
const MAX_STAGES = 25;

function validateIssuerProps(scope: ParticipantTokenIssuer, props: ParticipantTokenIssuerProps): void {
  const validator = new PropsValidator(scope, 'ParticipantTokenIssuer');
  const stages = props.stages ?? [];
  validator.check(props.stages !== undefined || props.stagePool !== undefined, 'give `stages` (1-25 stages), `stagePool` or both, got neither');
  validator.listSize('stages', props.stages, props.stagePool ? 0 : 1, MAX_STAGES);
  const arns = stages.map((stage) => stage.stageArn);
  stages.forEach((stage, index) => {
    validator.check(arns.indexOf(stage.stageArn) === index, `\`stages\` must not repeat a stage, got ${stage.node.path} more than once`);
    // IVS verifies a token with the public keys of the stage's own account and region.
    for (const part of ['account', 'region'] as const) {
      const [theirs, ours] = [stage.env[part], props.signingKey.env[part]];
      validator.check(Token.isUnresolved(theirs) || Token.isUnresolved(ours) || theirs === ours,
        `\`stages[${index}]\` must be in the signing key's ${part} ${ours} (IVS verifies a token with its stage's public keys), got ${theirs}`);
    }
  });
  const capabilities = props.capabilities;
  validator.check(capabilities === undefined || (capabilities.length > 0 && new Set(capabilities).size === capabilities.length),
    `\`capabilities\` must list PUBLISH, SUBSCRIBE or both, each once, got [${capabilities?.join(', ')}]`);
  if (props.maxDuration && !props.maxDuration.isUnresolved()) {
    const minutes = props.maxDuration.toMinutes({ integral: false });
    validator.check(Number.isInteger(minutes) && minutes >= 1 && minutes <= PARTICIPANT_TOKEN_LIMITS.MAX_DURATION_MINUTES,
      `\`maxDuration\` must be a whole number of minutes from 1 to ${PARTICIPANT_TOKEN_LIMITS.MAX_DURATION_MINUTES} (14 days), got ${minutes} minutes`);
  }
  validator.throwIfInvalid();
}
