import type { ParticipantTokenCapability } from '@aws-sdk/client-ivs-realtime';
import { PARTICIPANT_TOKEN_LIMITS, ParticipantTokenRequest, TokenIssuerConfig } from '../../lib/private/participant-token-contract';

/** A request the issuer refuses. `name` is the error type the caller sees, as the IVS API would name it. */
export class RequestRefused extends Error {
  constructor(name: 'ValidationException' | 'AccessDeniedException', message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A token the issuer could not make for a reason of its own, not the request's (KMS or IVS failing or throttling): the
 * caller sees this short text only, and the function's log has the detail. `name` is the error type the caller sees:
 * `ThrottlingException` (retry after a pause) or `InternalFailure` (retry; if it persists, the issuer's operator must act).
 */
export class IssueFailed extends Error {
  constructor(public readonly throttled: boolean) {
    super(throttled ? 'too many token requests at the moment: retry after a short pause'
      : 'the token could not be issued: retry later (the issuer\'s log says why)');
    this.name = throttled ? 'ThrottlingException' : 'InternalFailure';
  }
}

/** What a token will grant: the request, checked and completed with the issuer's defaults. */
export interface TokenGrant {
  readonly stageArn: string;
  readonly durationMinutes: number;
  readonly capabilities: ParticipantTokenCapability[];
  readonly userId?: string;
  readonly attributes?: Record<string, string>;
}

/** A stage's ARN, as the API's pattern has it (any partition): a pool's stages are checked by their tag after this. */
const STAGE_ARN = /^arn:aws[-a-z]*:ivs:[a-z0-9-]+:[0-9]+:stage\/[a-zA-Z0-9-]+$/;
const MEMBERS: readonly (keyof ParticipantTokenRequest)[] = ['stageArn', 'duration', 'userId', 'attributes', 'capabilities'];
const CAPABILITIES: readonly ParticipantTokenCapability[] = ['PUBLISH', 'SUBSCRIBE'];

/**
 * Checks a caller's request against CreateParticipantToken's rules (ValidationException) and against what the issuer's
 * construct allows (AccessDeniedException): the bounds are the construct's, whatever the caller asks for. Every problem
 * of the request is reported at once.
 */
export function grantFor(config: TokenIssuerConfig, request: unknown): TokenGrant {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new RequestRefused('ValidationException', 'the request must be a JSON object with CreateParticipantToken\'s members '
      + `(${MEMBERS.join(', ')}), got ${request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request}`);
  }
  const { stageArn, duration, userId, attributes, capabilities } = request as Record<string, unknown>;
  const invalid: string[] = Object.keys(request).filter((key) => !(MEMBERS as string[]).includes(key))
    .map((key) => `unknown member ${JSON.stringify(key)} (CreateParticipantToken's are ${MEMBERS.join(', ')})`);
  const denied: string[] = [];

  if (typeof stageArn !== 'string') {
    invalid.push('`stageArn` is required, as a string');
  } else if (!config.stageArns.includes(stageArn) && !(config.stageTag && STAGE_ARN.test(stageArn))) {
    denied.push(`\`stageArn\` must be one of the ${config.stageArns.length} stage(s) this issuer serves${config.stageTag ? ', or a stage of its pool' : ''}, `
      + `got ${stageArn}`);
  }

  const maxDuration = config.maxDurationMinutes;
  if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) < 1)) {
    invalid.push(`\`duration\` must be a whole number of minutes, at least 1, got ${JSON.stringify(duration)}`);
  } else if (duration !== undefined && (duration as number) > maxDuration) {
    denied.push(`\`duration\` may be at most ${maxDuration} minutes with this issuer, got ${duration}`);
  }

  if (userId !== undefined && (typeof userId !== 'string' || [...userId].length > PARTICIPANT_TOKEN_LIMITS.MAX_USER_ID_CHARACTERS)) {
    invalid.push(`\`userId\` must be a string of at most ${PARTICIPANT_TOKEN_LIMITS.MAX_USER_ID_CHARACTERS} characters, got `
      + (typeof userId === 'string' ? `${[...userId].length} characters` : typeof userId));
  }

  if (attributes !== undefined) {
    checkAttributes(attributes, invalid);
  }

  if (capabilities !== undefined) {
    if (!Array.isArray(capabilities) || capabilities.some((c) => !CAPABILITIES.includes(c)) || new Set(capabilities).size !== capabilities.length) {
      invalid.push(`\`capabilities\` must be a list of distinct ${CAPABILITIES.join(' and ')}, got ${JSON.stringify(capabilities)}`);
    } else {
      const refused = capabilities.filter((c) => !config.capabilities.includes(c));
      if (refused.length > 0) {
        denied.push(`\`capabilities\` may only be ${config.capabilities.join(' and ') || 'none'} with this issuer, got ${refused.join(', ')}`);
      }
    }
  }

  if (invalid.length > 0) {
    throw new RequestRefused('ValidationException', invalid.join('; '));
  }
  if (denied.length > 0) {
    throw new RequestRefused('AccessDeniedException', denied.join('; '));
  }
  return {
    stageArn: stageArn as string,
    durationMinutes: (duration as number | undefined) ?? Math.min(PARTICIPANT_TOKEN_LIMITS.DEFAULT_DURATION_MINUTES, maxDuration),
    capabilities: (capabilities as ParticipantTokenCapability[] | undefined) ?? config.capabilities,
    ...(userId !== undefined ? { userId: userId as string } : {}),
    ...(attributes !== undefined ? { attributes: attributes as Record<string, string> } : {}),
  };
}

function checkAttributes(attributes: unknown, invalid: string[]): void {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)
    || Object.values(attributes).some((value) => typeof value !== 'string')) {
    invalid.push('`attributes` must be a map of strings to strings');
    return;
  }
  const bytes = Object.entries(attributes).flat().reduce((total, text) => total + Buffer.byteLength(text as string, 'utf8'), 0);
  if (bytes > PARTICIPANT_TOKEN_LIMITS.MAX_ATTRIBUTES_BYTES) {
    invalid.push(`\`attributes\` must total at most ${PARTICIPANT_TOKEN_LIMITS.MAX_ATTRIBUTES_BYTES} bytes (UTF-8 keys and values), got ${bytes} bytes`);
  }
}
