/**
 * The wire contract between the constructs (lib/) and the provider's handler (handlers/).
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment.
 * It must stay dependency-free: esbuild bundles it into the handler.
 */

/** CloudFormation resource types, one per IVS Real-Time resource (at most 60 characters each). */
export const ResourceType = {
  STAGE: 'Custom::IvsRealTimeStage',
  STORAGE_CONFIGURATION: 'Custom::IvsRealTimeStorageConfiguration',
  ENCODER_CONFIGURATION: 'Custom::IvsRealTimeEncoderConfiguration',
  INGEST_CONFIGURATION: 'Custom::IvsRealTimeIngestConfiguration',
  PUBLIC_KEY: 'Custom::IvsRealTimePublicKey',
} as const;

/**
 * Keys of the custom resource's properties.
 *
 * `Config` holds the API's create request (camelCase, exactly as the SDK input) without tags;
 * `Tags` holds the tags as a string map, applied at create and diffed on update.
 */
export const Property = {
  CONFIG: 'Config',
  TAGS: 'Tags',
} as const;

/** Attribute keys (the `Data` the handler returns), readable with `Fn::GetAtt`. */
export const Attribute = {
  /** every resource: its ARN (also the physical resource ID). */
  ARN: 'Arn',
  STAGE_WHIP_ENDPOINT: 'WhipEndpoint',
  STAGE_RTMP_ENDPOINT: 'RtmpEndpoint',
  STAGE_RTMPS_ENDPOINT: 'RtmpsEndpoint',
  STAGE_EVENTS_ENDPOINT: 'EventsEndpoint',
} as const;

/** Resource names in IVS ARNs (`arn:<partition>:ivs:<region>:<account>:<resource>/<id>`). */
export const ArnResource = {
  STAGE: 'stage',
  STORAGE_CONFIGURATION: 'storage-configuration',
  ENCODER_CONFIGURATION: 'encoder-configuration',
  INGEST_CONFIGURATION: 'ingest-configuration',
  PUBLIC_KEY: 'public-key',
  COMPOSITION: 'composition',
} as const;
