import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { IvsEventName } from './composition-contract';

/**
 * The EventBridge events IVS sends about a stage, and the one function that turns them into rules.
 *
 * Sources, checked when this was written (README "Stage events" says which names are confirmed):
 * - the EventBridge event reference for IVS lists the detail-types `IVS Stage Update` and
 *   `IVS Participant Recording State Change`, source `aws.ivs`;
 * - the IVS Real-Time user guide ("Using Amazon EventBridge with IVS Real-Time Streaming", "Individual
 *   Participant Recording") gives the event names in `detail.event_name` and a Recording Start sample with
 *   the stage's ARN in `resources`; its table lists the `IVS Composition State Change` events (Session Start, End and
 *   Failure; Destination Start, End, Failure and Reconnecting). Those carry the composition's ARN in `resources` and
 *   the stage's in `detail.stage_arn`, as other projects quote the guide's samples (not verified here).
 */

/** `source` of every event IVS sends. */
const IVS_EVENT_SOURCE = 'aws.ivs';

const STAGE_UPDATE = IvsEventName.STAGE_UPDATE;
const PARTICIPANT_RECORDING_STATE_CHANGE = 'IVS Participant Recording State Change';
const COMPOSITION_STATE_CHANGE = 'IVS Composition State Change';

/** Which events of the stage a rule matches: a detail-type and, optionally, `detail.event_name` values. */
export interface StageEventFilter {
  readonly detailType: string;
  /**
   * EventBridge pattern values for `detail.event_name` (exact strings, or `Match` tokens); a function so that
   * `Match` tokens are made per rule, not once at module load.
   */
  readonly eventNames?: () => string[];
  /** Whether the event names the stage in `detail.stage_arn` rather than in `resources` (composition events). */
  readonly stageInDetail?: boolean;
}

const exactly = (name: string) => () => [name];
// the user guide lists these events, but the exact English name could not be read from it: match what any
// plausible spelling contains (e.g. "Participant Replication Started" or "Replication Start").
const containing = (...fragments: string[]) => () => fragments.flatMap((f) => events.Match.wildcard(`*${f}*`));

/** Every event a `Stage.onXxx` helper filters for. */
export const StageEvent = {
  STAGE_UPDATE: { detailType: STAGE_UPDATE },
  PARTICIPANT_PUBLISHED: { detailType: STAGE_UPDATE, eventNames: exactly(IvsEventName.PARTICIPANT_PUBLISHED) },
  PARTICIPANT_UNPUBLISHED: { detailType: STAGE_UPDATE, eventNames: exactly(IvsEventName.PARTICIPANT_UNPUBLISHED) },
  PARTICIPANT_PUBLISH_ERROR: { detailType: STAGE_UPDATE, eventNames: exactly('Participant Publish Error') },
  PARTICIPANT_REPLICATION_STARTED: { detailType: STAGE_UPDATE, eventNames: containing('Replication Start') },
  PARTICIPANT_REPLICATION_STOPPED: { detailType: STAGE_UPDATE, eventNames: containing('Replication Stop', 'Replication End') },
  PARTICIPANT_TOKEN_EXCHANGED: { detailType: STAGE_UPDATE, eventNames: containing('Token Exchange') },
  PARTICIPANT_RECORDING_STATE_CHANGE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE },
  PARTICIPANT_RECORDING_START: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording Start') },
  PARTICIPANT_RECORDING_END: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording End') },
  PARTICIPANT_RECORDING_START_FAILURE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording Start Failure') },
  PARTICIPANT_RECORDING_END_FAILURE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording End Failure') },
  COMPOSITION_STATE_CHANGE: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true },
  COMPOSITION_SESSION_START: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Session Start') },
  COMPOSITION_SESSION_END: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Session End') },
  COMPOSITION_SESSION_FAILURE: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Session Failure') },
  COMPOSITION_DESTINATION_START: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Destination Start') },
  COMPOSITION_DESTINATION_END: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Destination End') },
  COMPOSITION_DESTINATION_FAILURE: { detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Destination Failure') },
  COMPOSITION_DESTINATION_RECONNECTING: {
    detailType: COMPOSITION_STATE_CHANGE, stageInDetail: true, eventNames: exactly('Destination Reconnecting'),
  },
} satisfies Record<string, StageEventFilter>;

/**
 * Defines a rule for IVS events about one stage (source `aws.ivs`, the stage's ARN in `resources`, or in
 * `detail.stage_arn` for composition events), narrowed to `filter` when given. `options.eventPattern` is merged in,
 * as in aws-cdk-lib's own `onEvent` methods.
 */
export function defineStageEventRule(
  scope: Construct, id: string, stageArn: string, options: events.OnEventOptions, filter?: StageEventFilter): events.Rule {
  return defineStagesEventRule(scope, id, [stageArn], options, filter);
}

/** As `defineStageEventRule`, for the events of any of several stages. */
export function defineStagesEventRule(
  scope: Construct, id: string, stageArns: string[], options: events.OnEventOptions, filter?: StageEventFilter): events.Rule {
  const rule = new events.Rule(scope, id, options);
  rule.addEventPattern({ source: [IVS_EVENT_SOURCE] });
  rule.addEventPattern(filter?.stageInDetail ? { detail: { stage_arn: stageArns } } : { resources: stageArns });
  if (filter) {
    rule.addEventPattern({ detailType: [filter.detailType] });
  }
  if (filter?.eventNames) {
    rule.addEventPattern({ detail: { event_name: filter.eventNames() } });
  }
  rule.addTarget(options.target);
  return rule;
}
