/**
 * IAM actions, one list per purpose, so grants and their documentation come from one place.
 * Names follow the Service Authorization Reference for Amazon IVS (prefix `ivs`).
 */

/** Tagging actions the provider needs on every resource type it manages (tags at create, and tag diffs on update). */
export const TAG_ACTIONS = ['ivs:TagResource', 'ivs:UntagResource'];

/** What the provider's handler calls, per resource type (scoped to that type's ARNs). */
export const PROVIDER_ACTIONS = {
  stage: ['ivs:CreateStage', 'ivs:GetStage', 'ivs:UpdateStage', 'ivs:DeleteStage'],
  storageConfiguration: ['ivs:CreateStorageConfiguration', 'ivs:GetStorageConfiguration', 'ivs:DeleteStorageConfiguration'],
  encoderConfiguration: ['ivs:CreateEncoderConfiguration', 'ivs:GetEncoderConfiguration', 'ivs:DeleteEncoderConfiguration'],
  ingestConfiguration: [
    'ivs:CreateIngestConfiguration', 'ivs:GetIngestConfiguration', 'ivs:UpdateIngestConfiguration', 'ivs:DeleteIngestConfiguration',
  ],
  publicKey: ['ivs:ImportPublicKey', 'ivs:GetPublicKey', 'ivs:DeletePublicKey'],
};

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

/** `IIngestConfiguration.grantReadStreamKey`: the response holds the stream key and the redundant ingest credentials. */
export const INGEST_CONFIGURATION_READ_STREAM_KEY_ACTIONS = ['ivs:GetIngestConfiguration'];

/** What the provider's handler calls on the secret of an ingest configuration that keeps a copy of its stream key. */
export const STREAM_KEY_SECRET_PROVIDER_ACTIONS = ['secretsmanager:PutSecretValue'];

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

/** `Stage.grantStartComposition`: on the stage and on every resource a StartComposition request names. */
export const STAGE_START_COMPOSITION_ACTIONS = ['ivs:StartComposition'];

/** `Stage.grantStopComposition`: on compositions (their ARNs do not name the stage). */
export const STAGE_STOP_COMPOSITION_ACTIONS = ['ivs:StopComposition', 'ivs:GetComposition'];

/** List actions take no resource ARN: granted on `*`. */
export const LIST_COMPOSITIONS_ACTIONS = ['ivs:ListCompositions'];

/** What `StageComposition`'s function calls, by the resources each is scoped to. */
export const COMPOSITION_FUNCTION_ACTIONS = {
  /** on the stages: is the event's session still the active one? */
  readStage: ['ivs:GetStage'],
  /** on the stages, with `stopOnSessionEnd`: does anyone still publish? */
  listPublishers: ['ivs:ListParticipants'],
  /** on the stages, `composition/*` and the encoder and storage configurations and channels it names. */
  start: ['ivs:StartComposition'],
  /**
   * on `composition/*`: the function tags the compositions it starts; whether IVS authorizes tags given to
   * StartComposition as TagResource too is not documented, so it may tag them.
   */
  tag: ['ivs:TagResource'],
  /** on `composition/*`, with `stopOnSessionEnd`. */
  stop: ['ivs:StopComposition'],
};
