import { randomBytes } from 'crypto';
import { GetStageCommand } from '@aws-sdk/client-ivs-realtime';
import { SignCommand } from '@aws-sdk/client-kms';
import { PARTICIPANT_TOKEN_SIGNING_ALGORITHM } from '../../lib/private/iam';
import { ParticipantTokenResponse, TOKEN_ISSUER_CONFIG_ENV, TokenIssuerConfig } from '../../lib/private/participant-token-contract';
import { ivsClient } from '../shared/client';
import { describeError } from '../shared/errors';
import { kmsClient } from '../shared/kms';
import { log } from '../shared/log';
import { es384Jwt } from './jws';
import { grantFor, IssueFailed, RequestRefused, TokenGrant } from './request';

/**
 * Issues an Amazon IVS Real-Time participant token signed with KMS: the request is CreateParticipantToken's, the answer
 * CreateParticipantToken's response (see `ParticipantTokenIssuer`). Invoked directly (`lambda:InvokeFunction`), a refused
 * request fails the invocation with the error type ValidationException or AccessDeniedException; through a function URL,
 * it is answered 400 or 403 with `{"errorType", "errorMessage"}`. A failure of KMS or IVS reaches the caller without
 * detail, which goes to the log: ThrottlingException (HTTP 503 with `Retry-After`) or InternalFailure (HTTP 500).
 */
export async function handler(event: unknown): Promise<unknown> {
  return isFunctionUrlRequest(event) ? answerHttp(event) : issueOrFailPlainly(event);
}

/**
 * Issues a token; a failure that is not the request's is logged with its detail (which names the KMS key, the stage and
 * the service's own text) and reaches the caller as a short, generic `IssueFailed`: the caller can only retry, and the
 * detail is for whoever runs the function.
 */
async function issueOrFailPlainly(request: unknown): Promise<ParticipantTokenResponse> {
  try {
    return await issue(request);
  } catch (error) {
    if (error instanceof RequestRefused) {
      throw error;
    }
    const throttled = error instanceof UpstreamFailure ? error.throttled : false;
    log('failed', { reason: describeError(error), throttled });
    throw new IssueFailed(throttled);
  }
}

/** A call to KMS or IVS that failed (after the SDK's retries): `throttled` when the service was limiting the rate. */
class UpstreamFailure extends Error {
  constructor(message: string, cause: unknown) {
    super(`${message}: ${describeError(cause)}`);
    this.throttled = isThrottling(cause);
  }

  public readonly throttled: boolean;
}

/** KMS answers `ThrottlingException` (HTTP 400); other services may answer 429 or `TooManyRequestsException`. */
function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.$metadata?.httpStatusCode === 429 || /^(ThrottlingException|Throttling|TooManyRequestsException)$/.test(e?.name ?? '');
}

async function issue(request: unknown): Promise<ParticipantTokenResponse> {
  const config = loadConfig();
  let grant: TokenGrant;
  try {
    grant = grantFor(config, request);
  } catch (error) {
    log('refused', { reason: describeError(error) });
    throw error;
  }
  const endpoints = await stageEndpoints(grant.stageArn, config);
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + grant.durationMinutes * 60;
  // 12 characters of [A-Za-z0-9_-], the alphabet IVS allows in a participant ID.
  const participantId = randomBytes(9).toString('base64url');
  const token = await es384Jwt({ alg: 'ES384', typ: 'JWT', kid: config.publicKeyArn }, {
    exp: expiresAt,
    iat: issuedAt,
    jti: participantId,
    resource: grant.stageArn,
    topic: grant.stageArn.split('/').pop(),
    events_url: endpoints.events,
    whip_url: endpoints.whip,
    capabilities: { allow_publish: grant.capabilities.includes('PUBLISH'), allow_subscribe: grant.capabilities.includes('SUBSCRIBE') },
    ...(grant.userId !== undefined ? { user_id: grant.userId } : {}),
    ...(grant.attributes !== undefined ? { attributes: grant.attributes } : {}),
    version: '1.0',
  }, (digest) => sign(config.kmsKeyArn, digest));
  // identifiers only: the token is a secret, and the user ID and attributes are the app's.
  log('issued', {
    stageArn: grant.stageArn,
    participantId,
    durationMinutes: grant.durationMinutes,
    capabilities: grant.capabilities,
    publicKeyArn: config.publicKeyArn,
  });
  return {
    participantToken: {
      participantId,
      token,
      ...(grant.userId !== undefined ? { userId: grant.userId } : {}),
      ...(grant.attributes !== undefined ? { attributes: grant.attributes } : {}),
      duration: grant.durationMinutes,
      capabilities: grant.capabilities,
      expirationTime: new Date(expiresAt * 1000).toISOString(),
    },
  };
}

async function sign(kmsKeyArn: string, digest: Buffer): Promise<Uint8Array> {
  try {
    const { Signature } = await kmsClient().send(new SignCommand({
      KeyId: kmsKeyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: PARTICIPANT_TOKEN_SIGNING_ALGORITHM,
    }));
    return Signature!;
  } catch (error) {
    throw new UpstreamFailure(`signing with KMS key ${kmsKeyArn} failed`, error);
  }
}

interface Endpoints {
  readonly events: string;
  readonly whip: string;
}

/** The API reference (StageEndpoints): the values may be cached for at most 14 days, then read again from GetStage. */
const ENDPOINTS_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const endpointsCache = new Map<string, { readonly endpoints: Endpoints; readonly readAt: number }>();

/** A stage's events and WHIP endpoints, read once per stage and execution environment (GetStage is limited to 5 TPS). */
async function stageEndpoints(stageArn: string, config: TokenIssuerConfig): Promise<Endpoints> {
  const cached = endpointsCache.get(stageArn);
  if (cached && Date.now() - cached.readAt < ENDPOINTS_MAX_AGE_MS) {
    return cached.endpoints;
  }
  let stage;
  const notOfThePool = () => new RequestRefused('AccessDeniedException', `\`stageArn\` must be a stage this issuer serves, got ${stageArn}`);
  try {
    stage = (await ivsClient().send(new GetStageCommand({ arn: stageArn }))).stage;
  } catch (error) {
    // a pool's issuer may read only the pool's stages (its role's aws:ResourceTag condition).
    if (config.stageTag && !config.stageArns.includes(stageArn) && ['AccessDeniedException', 'ResourceNotFoundException'].includes((error as Error).name)) {
      throw notOfThePool();
    }
    throw new UpstreamFailure(`reading the endpoints of stage ${stageArn} failed`, error);
  }
  if (!config.stageArns.includes(stageArn) && stage?.tags?.[config.stageTag?.key ?? ''] !== config.stageTag?.value) {
    throw notOfThePool();
  }
  const { events, whip } = stage?.endpoints ?? {};
  if (!events || !whip) {
    throw new Error(`stage ${stageArn} has no events or WHIP endpoint`);
  }
  endpointsCache.set(stageArn, { endpoints: { events, whip }, readAt: Date.now() });
  return { events, whip };
}

function loadConfig(): TokenIssuerConfig {
  const json = process.env[TOKEN_ISSUER_CONFIG_ENV];
  if (!json) {
    throw new Error(`${TOKEN_ISSUER_CONFIG_ENV} is not set: this function is configured by the ParticipantTokenIssuer construct`);
  }
  return JSON.parse(json) as TokenIssuerConfig;
}

/** The parts of a Lambda function URL's request (payload format 2.0) the function reads. */
interface FunctionUrlRequest {
  readonly requestContext: { readonly http: { readonly method: string } };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

function isFunctionUrlRequest(event: unknown): event is FunctionUrlRequest {
  return typeof (event as FunctionUrlRequest | undefined)?.requestContext?.http?.method === 'string';
}

const HTTP_STATUS: Record<string, number> = { ValidationException: 400, AccessDeniedException: 403 };

/** How long a caller throttled by KMS or IVS should wait before it asks again: the SDK's own retries have run already. */
const RETRY_AFTER_SECONDS = 2;

async function answerHttp(request: FunctionUrlRequest): Promise<object> {
  const respond = (statusCode: number, body: object, headers: Record<string, string> = {}) => ({
    statusCode,
    // a token must not be kept by any cache on the way.
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  });
  if (request.requestContext.http.method !== 'POST') {
    return respond(405, { errorType: 'MethodNotAllowed', errorMessage: 'POST the request as JSON' });
  }
  try {
    const text = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : request.body ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RequestRefused('ValidationException', 'the request body must be JSON');
    }
    return respond(200, await issueOrFailPlainly(body));
  } catch (error) {
    const { name, message } = error as Error;
    if (error instanceof RequestRefused) {
      return respond(HTTP_STATUS[name], { errorType: name, errorMessage: message });
    }
    // issueOrFailPlainly turned every other failure into an IssueFailed, its detail logged: the caller gets none.
    const failure = error as IssueFailed;
    return failure.throttled
      ? respond(503, { errorType: failure.name, errorMessage: failure.message }, { 'retry-after': String(RETRY_AFTER_SECONDS) })
      : respond(500, { errorType: failure.name, errorMessage: failure.message });
  }
}
