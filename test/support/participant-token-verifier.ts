/**
 * What IVS checks of a self-signed participant token when a participant joins a stage with it, as the user guide
 * ("Distribute Participant Tokens", creating tokens with a key pair) describes: an ES384 JWT whose signature verifies
 * with the public key its header names (`kid`, an IVS public key that still exists), not expired, for the stage joined
 * (`resource` its ARN, `topic` its ID). The guide does not say how IVS treats a malformed or partial token; this verifier
 * refuses anything that is not exactly the documented shape, so that a test cannot pass on a token IVS might refuse.
 *
 *   const claims = verifyParticipantToken(token, fakeIvs, { stageArn });   // throws ParticipantTokenRefused
 *
 * It reads the public keys and stages from anything shaped like the fake IVS (`FakeIvsServer` is).
 */
import { createPublicKey, verify } from 'node:crypto';

/** Where the verifier finds the public keys and stages IVS holds. */
export interface TokenVerificationContext {
  readonly publicKeys: ReadonlyMap<string, { readonly publicKeyMaterial: string }>;
  readonly stages: ReadonlyMap<string, unknown>;
}

/** The claims of a token IVS accepts. */
export interface ParticipantTokenClaims {
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  readonly resource: string;
  readonly topic: string;
  readonly events_url: string;
  readonly whip_url: string;
  readonly capabilities: { readonly allow_publish: boolean; readonly allow_subscribe: boolean };
  readonly user_id?: string;
  readonly attributes?: Record<string, string>;
  readonly version: string;
}

export class ParticipantTokenRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParticipantTokenRefused';
  }
}

const PARTICIPANT_ID = /^[a-zA-Z0-9_-]+$/;
const CLAIMS = ['exp', 'iat', 'jti', 'resource', 'topic', 'events_url', 'whip_url', 'capabilities', 'user_id', 'attributes', 'version'];

/** Verifies a token as IVS would when its holder joins `join.stageArn` at `join.now` (default: now); returns its claims. */
export function verifyParticipantToken(token: string, ivs: TokenVerificationContext,
  join: { readonly stageArn: string; readonly now?: Date }): ParticipantTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new ParticipantTokenRefused(`not a JWS: ${parts.length} parts`);
  }
  const [header, claims] = [decode(parts[0], 'header'), decode(parts[1], 'payload')];
  if (header.alg !== 'ES384' || header.typ !== 'JWT' || typeof header.kid !== 'string') {
    throw new ParticipantTokenRefused(`header must be alg ES384, typ JWT, with a kid: got ${JSON.stringify(header)}`);
  }
  const publicKey = ivs.publicKeys.get(header.kid);
  if (!publicKey) {
    throw new ParticipantTokenRefused(`signed with ${header.kid}, a public key IVS does not hold (deleted, or never imported)`);
  }
  const signature = Buffer.from(parts[2], 'base64url');
  const signed = signature.length === 96 && verify('sha384', Buffer.from(`${parts[0]}.${parts[1]}`),
    { key: createPublicKey(publicKey.publicKeyMaterial), dsaEncoding: 'ieee-p1363' }, signature);
  if (!signed) {
    throw new ParticipantTokenRefused(`the signature does not verify with ${header.kid}`);
  }
  checkClaims(claims);
  const now = Math.floor((join.now ?? new Date()).getTime() / 1000);
  if (claims.exp <= now) {
    throw new ParticipantTokenRefused(`expired at ${new Date(claims.exp * 1000).toISOString()}`);
  }
  if (claims.resource !== join.stageArn || claims.topic !== join.stageArn.split('/').pop()) {
    throw new ParticipantTokenRefused(`for stage ${claims.resource} (topic ${claims.topic}), not ${join.stageArn}`);
  }
  if (!ivs.stages.has(join.stageArn)) {
    throw new ParticipantTokenRefused(`stage ${join.stageArn} does not exist`);
  }
  return claims;
}

function decode(part: string, what: string): any {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new ParticipantTokenRefused(`the ${what} is not base64url JSON`);
  }
}

function checkClaims(claims: any): asserts claims is ParticipantTokenClaims {
  const problems = [
    ...Object.keys(claims).filter((key) => !CLAIMS.includes(key)).map((key) => `unknown claim ${key}`),
    ...['exp', 'iat'].filter((key) => !Number.isInteger(claims[key])).map((key) => `${key} is not whole seconds`),
    ...['resource', 'topic', 'events_url', 'whip_url'].filter((key) => typeof claims[key] !== 'string').map((key) => `${key} is not a string`),
    ...(typeof claims.jti === 'string' && PARTICIPANT_ID.test(claims.jti) ? [] : ['jti is not letters, digits, - and _']),
    ...(typeof claims.capabilities?.allow_publish === 'boolean' && typeof claims.capabilities?.allow_subscribe === 'boolean'
      && Object.keys(claims.capabilities).length === 2 ? [] : ['capabilities is not {allow_publish, allow_subscribe}']),
    ...(claims.version === '1.0' ? [] : [`version is ${JSON.stringify(claims.version)}, not "1.0"`]),
    ...(claims.user_id === undefined || typeof claims.user_id === 'string' ? [] : ['user_id is not a string']),
    ...(claims.attributes === undefined || Object.values(claims.attributes).every((v) => typeof v === 'string') ? [] : ['attributes are not strings']),
  ];
  if (problems.length > 0) {
    throw new ParticipantTokenRefused(`malformed claims: ${problems.join('; ')}`);
  }
}
