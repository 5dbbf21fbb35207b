/**
 * IAM actions, one list per purpose, so grants and their documentation come from one place.
 * Names follow the Service Authorization Reference for Amazon IVS (prefix `ivs`).
 */

/** Tagging actions the provider needs on every resource type it manages. */
export const TAG_ACTIONS = ['ivs:TagResource', 'ivs:UntagResource', 'ivs:ListTagsForResource'];

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
