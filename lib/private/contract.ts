/**
 * The wire contract between the constructs (lib/) and the provider's handler (handlers/).
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment.
 * It must stay dependency-free: esbuild bundles it into the handler. The SDK's request types are imported as types
 * only, which compile away (and which jsii never sees: nothing public names them).
 */
import type {
  CreateEncoderConfigurationRequest,
  CreateIngestConfigurationRequest,
  CreateStageRequest,
  CreateStorageConfigurationRequest,
  ImportPublicKeyRequest,
} from '@aws-sdk/client-ivs-realtime';

/** CloudFormation resource types, one per IVS Real-Time resource (at most 60 characters each). */
export const ResourceType = {
  STAGE: 'Custom::IvsRealTimeStage',
  STORAGE_CONFIGURATION: 'Custom::IvsRealTimeStorageConfiguration',
  ENCODER_CONFIGURATION: 'Custom::IvsRealTimeEncoderConfiguration',
  INGEST_CONFIGURATION: 'Custom::IvsRealTimeIngestConfiguration',
  PUBLIC_KEY: 'Custom::IvsRealTimePublicKey',
  /** a public key whose material the handler reads from a KMS key (`ParticipantTokenSigningKey`). */
  KMS_PUBLIC_KEY: 'Custom::IvsRealTimeKmsPublicKey',
} as const;

/**
 * Keys of the custom resource's properties.
 *
 * `Request` holds the API's create request without tags, as one JSON text (`Stack.toJsonString`): CloudFormation turns
 * every scalar of a custom resource's properties into a string, but leaves a string as it is, so the handler gets the
 * request's numbers and booleans back by parsing it, with no per-field list of types.
 * `Tags` holds the tags as a string map (strings already), applied at create and diffed on update.
 * The others are settings of the handler itself, never sent to the API: changing one replaces nothing.
 */
export const Property = {
  REQUEST: 'Request',
  TAGS: 'Tags',
  /** ingest configuration: the Secrets Manager secret the handler copies the stream key(s) to; absent, it copies them nowhere. */
  STREAM_KEY_SECRET_ARN: 'StreamKeySecretArn',
  /** ingest configuration: `"true"` disconnects a live broadcaster on delete instead of failing. */
  FORCE_DELETE: 'ForceDelete',
} as const;

/**
 * The prefix of the tag keys the library sets itself: a create request's token, the mark of a deferred delete, a
 * composition's owner. Reserved: a user's tag under it could make the handler take a resource for one it made, or delete
 * one a stack still uses. Synth refuses such keys; the handler ignores them in the tags it is given.
 */
export const LIBRARY_TAG_PREFIX = 'cdk-ivs-realtime:';

/** Attribute keys (the `Data` the handler returns), readable with `Fn::GetAtt`. */
export const Attribute = {
  /** every resource: its ARN (also the physical resource ID). */
  ARN: 'Arn',
  STAGE_WHIP_ENDPOINT: 'WhipEndpoint',
  STAGE_RTMP_ENDPOINT: 'RtmpEndpoint',
  STAGE_RTMPS_ENDPOINT: 'RtmpsEndpoint',
  STAGE_EVENTS_ENDPOINT: 'EventsEndpoint',
  PUBLIC_KEY_FINGERPRINT: 'Fingerprint',
  INGEST_CONFIGURATION_PARTICIPANT_ID: 'ParticipantId',
} as const;

/** Resource names in IVS ARNs (`arn:<partition>:ivs:<region>:<account>:<resource>/<id>`). */
export const ArnResource = {
  STAGE: 'stage',
  STORAGE_CONFIGURATION: 'storage-configuration',
  ENCODER_CONFIGURATION: 'encoder-configuration',
  INGEST_CONFIGURATION: 'ingest-configuration',
  PUBLIC_KEY: 'public-key',
  COMPOSITION: 'composition',
  /** an IVS (low-latency) channel, a composition destination. */
  CHANNEL: 'channel',
} as const;

/**
 * What each resource type's construct renders as `Request`, and its handler parses: the API's create request, in the
 * SDK's own types, without the members that travel otherwise (tags) or are never sent (a stage's participant tokens
 * are secrets and would come back in the response).
 */
export type StageRequest = Omit<CreateStageRequest, 'tags' | 'participantTokenConfigurations'>;
export type StorageConfigurationRequest = Omit<CreateStorageConfigurationRequest, 'tags'>;
export type EncoderConfigurationRequest = Omit<CreateEncoderConfigurationRequest, 'tags'>;
export type IngestConfigurationRequest = Omit<CreateIngestConfigurationRequest, 'tags'>;
export type PublicKeyRequest = Omit<ImportPublicKeyRequest, 'tags'>;
/**
 * A public key whose private half is a KMS key: ImportPublicKey's request with, instead of the material, the KMS key the
 * handler reads it from (`kms:GetPublicKey`), so that no key material is in the template. The key is part of the request
 * because another key is another public key: changing it replaces the resource.
 */
export type KmsPublicKeyRequest = Omit<PublicKeyRequest, 'publicKeyMaterial'> & { readonly kmsKeyArn: string };
