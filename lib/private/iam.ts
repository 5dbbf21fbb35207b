/**
 * IAM actions, one list per purpose, so grants and their documentation come from one place.
 * Names follow the Service Authorization Reference for Amazon IVS (prefix `ivs`).
 */

/** Tagging actions the provider needs on every resource type it manages (tags at create, and tag diffs on update). */
export const TAG_ACTIONS = ['ivs:TagResource', 'ivs:UntagResource'];

/** What the provider's handler calls, per resource type (scoped to that type's ARNs). */
export const PROVIDER_ACTIONS = {
  // ListStages, to find what a create request made unanswered: the Service Authorization Reference scopes it to stages.
  stage: ['ivs:CreateStage', 'ivs:GetStage', 'ivs:UpdateStage', 'ivs:DeleteStage', 'ivs:ListStages'],
  storageConfiguration: ['ivs:CreateStorageConfiguration', 'ivs:GetStorageConfiguration', 'ivs:DeleteStorageConfiguration'],
  encoderConfiguration: ['ivs:CreateEncoderConfiguration', 'ivs:GetEncoderConfiguration', 'ivs:DeleteEncoderConfiguration'],
  ingestConfiguration: [
    'ivs:CreateIngestConfiguration', 'ivs:GetIngestConfiguration', 'ivs:UpdateIngestConfiguration', 'ivs:DeleteIngestConfiguration',
  ],
  publicKey: ['ivs:ImportPublicKey', 'ivs:GetPublicKey', 'ivs:DeletePublicKey'],
};

/**
 * What the provider's handler calls on the secret of an ingest configuration that keeps a copy of its stream key: it
 * reads the current and previous versions to tell whose keys the secret holds (see the handler's `handBackStreamKeys`).
 */
export const STREAM_KEY_SECRET_PROVIDER_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'];
/**
 * What the handler needs of a stream key secret's customer-managed key, through Secrets Manager: a data key to write the
 * secret (PutSecretValue) and decrypting it to read it (GetSecretValue). Secrets Manager User Guide, "Secret encryption
 * and decryption in AWS Secrets Manager".
 */
export const STREAM_KEY_SECRET_KMS_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * What the provider's handler calls to wait for, or defer, a delete IVS refuses while a composition uses the resource:
 * `list` on `*` (List actions take no resource: the compositions that may hold a configuration, the configurations whose
 * deletes were deferred), `readCompositions` on compositions, `readStages` on stages (is a holder's stage gone, or empty?).
 */
export const DEFERRED_DELETE_ACTIONS = {
  list: ['ivs:ListCompositions', 'ivs:ListStorageConfigurations', 'ivs:ListEncoderConfigurations'],
  readCompositions: ['ivs:GetComposition'],
  readStages: ['ivs:GetStage', 'ivs:ListParticipants'],
};

/**
 * What the provider's handler lists, on `*` (List actions take no resource), to find what a create request made before
 * (by the request's tag): a delivery of it that came earlier, or an attempt whose answer was lost. The configurations'
 * List actions are the deferred deletes' already; ListStages, which the reference scopes to stages, is the stage's.
 */
export const CREATE_REQUEST_LOOKUP_ACTIONS = ['ivs:ListIngestConfigurations', 'ivs:ListPublicKeys'];

/** What a function does on the items of a create-request table (handlers/provider/create-requests.ts): a `StagePool`'s too. */
export const CREATE_REQUEST_ITEM_ACTIONS = ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** What the provider's handler does on the stack's create-request table: its create requests, and the sweep's pending work (read whole by Scan). */
export const CREATE_REQUESTS_TABLE_ACTIONS = [...CREATE_REQUEST_ITEM_ACTIONS, 'dynamodb:Scan'];

/** What the provider's handler does on the stack's sweep schedule: enables it when it leaves work to it, disables it when none is left. */
export const SWEEP_ARMING_ACTIONS = ['events:EnableRule', 'events:DisableRule'];

/** `Stage.grantCreateParticipantToken`. */
export const STAGE_CREATE_PARTICIPANT_TOKEN_ACTIONS = ['ivs:CreateParticipantToken'];

/** `Stage.grantRead`: the stage, its sessions and participants. */
export const STAGE_READ_ACTIONS = [
  'ivs:GetStage',
  'ivs:GetStageSession',
  'ivs:ListStageSessions',
  'ivs:GetParticipant',
  'ivs:ListParticipants',
  'ivs:ListParticipantEvents',
  'ivs:ListParticipantReplicas',
];

/** `Stage.grantDisconnectParticipant` (moderation): DisconnectParticipant { stageArn, participantId, reason }. */
export const STAGE_DISCONNECT_PARTICIPANT_ACTIONS = ['ivs:DisconnectParticipant'];

/**
 * `Stage.grantParticipantReplication`: Start/StopParticipantReplication { sourceStageArn, destinationStageArn,
 * participantId }, granted on both stages the request names (the Service Authorization Reference scopes both actions to
 * Stage; which of the two ARNs IVS authorizes against is not documented).
 */
export const STAGE_PARTICIPANT_REPLICATION_ACTIONS = ['ivs:StartParticipantReplication', 'ivs:StopParticipantReplication'];

/** `grantRead` of the other resource types: their Get action, on the resource itself. */
export const STORAGE_CONFIGURATION_READ_ACTIONS = ['ivs:GetStorageConfiguration'];
export const ENCODER_CONFIGURATION_READ_ACTIONS = ['ivs:GetEncoderConfiguration'];
/** GetIngestConfiguration answers with the stream key: this read is as sensitive as the key. */
export const INGEST_CONFIGURATION_READ_ACTIONS = ['ivs:GetIngestConfiguration'];
export const PUBLIC_KEY_READ_ACTIONS = ['ivs:GetPublicKey'];

/**
 * `StageRecording.grantReadRecordings`: reading the objects under the stage's prefix, and listing the bucket only
 * with an `s3:prefix` condition on that prefix (ListObjectsV2 is authorized as `s3:ListBucket` on the bucket).
 */
export const RECORDINGS_READ_OBJECT_ACTIONS = ['s3:GetObject'];
export const RECORDINGS_LIST_ACTIONS = ['s3:ListBucket'];

/**
 * `Stage.grantStartComposition`: on the stage and on every resource a StartComposition request names. The Service
 * Authorization Reference scopes StartComposition to Stage, Encoder-Configuration, Storage-Configuration and Channel
 * (no Composition type), and authorizes a StartComposition with tags against TagResource too.
 */
export const STAGE_START_COMPOSITION_ACTIONS = ['ivs:StartComposition'];

/** `Stage.grantStartComposition`: the tags a StartComposition gives, authorized as TagResource on the new composition. */
export const STAGE_START_COMPOSITION_TAG_ACTIONS = ['ivs:TagResource'];

/** `Stage.grantStopComposition`: on compositions (their ARNs do not name the stage). */
export const STAGE_STOP_COMPOSITION_ACTIONS = ['ivs:StopComposition', 'ivs:GetComposition'];

/**
 * ListCompositions: the Service Authorization Reference scopes it to Stage and Encoder-Configuration, the resources its
 * `filterByStageArn` and `filterByEncoderConfigurationArn` name, so it is granted on the stage (callers filter by it).
 */
export const LIST_COMPOSITIONS_ACTIONS = ['ivs:ListCompositions'];

/** What `StageComposition`'s function calls, by the resources each is scoped to. */
export const COMPOSITION_FUNCTION_ACTIONS = {
  /**
   * on the stages: is the event's session still the active one (GetStage)? Does one of ours already run
   * (ListCompositions, filtered by the stage)?
   */
  readStage: ['ivs:GetStage', ...LIST_COMPOSITIONS_ACTIONS],
  /** on the stages, with `stopOnSessionEnd`: does anyone still publish? */
  listPublishers: ['ivs:ListParticipants'],
  /** on the stages and the encoder and storage configurations and channels it names (not on compositions: see above). */
  start: STAGE_START_COMPOSITION_ACTIONS,
  /** on `composition/*`: the tags StartComposition gives the compositions it starts (see `STAGE_START_COMPOSITION_TAG_ACTIONS`). */
  tag: STAGE_START_COMPOSITION_TAG_ACTIONS,
  /** on `composition/*`, with `stopOnSessionEnd`. */
  stop: ['ivs:StopComposition'],
};

/** What the provider's handler calls on a `ParticipantTokenSigningKey`'s KMS keys: it imports their public halves. */
export const PROVIDER_KMS_ACTIONS = ['kms:GetPublicKey'];

/** `ParticipantTokenSigningKey.grantSign`: signing, with the one algorithm IVS verifies tokens with (ES384). */
export const SIGNING_KEY_SIGN_ACTIONS = ['kms:Sign'];
export const PARTICIPANT_TOKEN_SIGNING_ALGORITHM = 'ECDSA_SHA_384';

/** What `ParticipantTokenIssuer`'s function calls on its stages: GetStage, for the endpoints a token names. */
export const TOKEN_ISSUER_STAGE_ACTIONS = ['ivs:GetStage'];

/** `ParticipantTokenIssuer.grantInvoke`, on the function itself. */
export const ISSUER_INVOKE_ACTIONS = ['lambda:InvokeFunction'];

/** What the recording-ready function of `RecordingPlayback` calls (handlers/recording-ready). */
export const RECORDING_READY_ACTIONS = {
  /** The recordings' metadata files and playlists, and ListBucket so that a missing key is 404, not 403. */
  readRecordings: ['s3:GetObject'],
  listRecordings: ['s3:ListBucket'],
  /** Where a composition records (its destinations' recording prefixes), and which bucket each records to. */
  readComposition: ['ivs:GetComposition'],
  readStorageConfiguration: ['ivs:GetStorageConfiguration'],
  publish: ['events:PutEvents'],
  /** Claims and marks in the published-recordings table. */
  publishedTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};
/**
 * What a `StagePool`'s session function calls to make a session's stage, on stages that carry the pool's tag
 * (`aws:RequestTag`, `aws:TagKeys`): CreateStage, which the Service Authorization Reference also authorizes as TagResource
 * when the request has tags.
 */
export const STAGE_POOL_CREATE_ACTIONS = ['ivs:CreateStage', 'ivs:TagResource'];
/** What a `StagePool`'s cleanup function reads of the pool's stages (scoped by `aws:ResourceTag`). */
export const STAGE_POOL_READ_ACTIONS = ['ivs:GetStage', 'ivs:ListStageSessions'];
/** What it deletes (scoped by `aws:ResourceTag`). */
export const STAGE_POOL_DELETE_ACTIONS = ['ivs:DeleteStage'];
/** ListStages: a List call names no stage, so no `aws:ResourceTag` condition can hold; it reads summaries only. */
export const STAGE_POOL_LIST_ACTIONS = ['ivs:ListStages'];
