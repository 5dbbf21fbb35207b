/**
 * The contract between `ParticipantTokenIssuer` (lib/) and its function (handlers/participant-token-issuer), and the
 * JSON its callers exchange with it.
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment. It must stay
 * dependency-free: esbuild bundles it into the function. The SDK's types are imported as types only.
 */
import type { CreateParticipantTokenRequest, ParticipantTokenCapability } from '@aws-sdk/client-ivs-realtime';
import type { StageTagFilter } from './stage-pool-contract';

/** The environment variable holding the function's configuration, as JSON. */
export const TOKEN_ISSUER_CONFIG_ENV = 'IVS_TOKEN_ISSUER_CONFIG';

/** What the function needs to know, rendered by the construct (ARNs resolved by CloudFormation). */
export interface TokenIssuerConfig {
  /** The stages the function issues tokens for; a request for any other is refused (but those of `stageTag`). */
  readonly stageArns: string[];
  /** The stages of a `StagePool`, by its tag: a request for one of them is granted once GetStage shows the tag. */
  readonly stageTag?: StageTagFilter;
  /** The capabilities a token may have; a request for another is refused. */
  readonly capabilities: ParticipantTokenCapability[];
  /** The longest lifetime a token may have, in minutes. */
  readonly maxDurationMinutes: number;
  /** The KMS key that signs (`kms:Sign`, ECDSA_SHA_384). */
  readonly kmsKeyArn: string;
  /** The IVS public key holding that key's public half: the tokens' `kid`. */
  readonly publicKeyArn: string;
}

/**
 * What a caller sends: CreateParticipantToken's own request (`stageArn`, and optionally `duration` in minutes, `userId`,
 * `attributes`, `capabilities`), so that a backend can move between the two without changing its code.
 */
export type ParticipantTokenRequest = CreateParticipantTokenRequest;

/** What the function answers: CreateParticipantToken's response, as JSON (the expiration time as ISO 8601 text). */
export interface ParticipantTokenResponse {
  readonly participantToken: {
    /** The token's `jti`: the participant's ID once they join. */
    readonly participantId: string;
    /** The ES384 JWT: a secret, to hand to the participant only. */
    readonly token: string;
    readonly userId?: string;
    readonly attributes?: Record<string, string>;
    /** Minutes. */
    readonly duration: number;
    readonly capabilities: ParticipantTokenCapability[];
    readonly expirationTime: string;
  };
}

/** CreateParticipantToken's limits, which the issuer applies too. */
export const PARTICIPANT_TOKEN_LIMITS = {
  /** `duration`: 1 to 20160 minutes (14 days), 720 (12 hours) by default. */
  MAX_DURATION_MINUTES: 20_160,
  DEFAULT_DURATION_MINUTES: 720,
  /** `userId`: up to 128 characters. */
  MAX_USER_ID_CHARACTERS: 128,
  /** `attributes`: "1 KB total", counted as the UTF-8 bytes of every key and value. */
  MAX_ATTRIBUTES_BYTES: 1024,
} as const;
