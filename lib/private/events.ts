import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/**
 * The EventBridge events IVS sends about a stage, and the one function that turns them into rules.
 *
 * Sources, checked when this was written (README "Stage events" says which names are confirmed):
 * - the EventBridge event reference for IVS lists the detail-types `IVS Stage Update` and
 *   `IVS Participant Recording State Change`, source `aws.ivs`;
 * - the IVS Real-Time user guide ("Using Amazon EventBridge with IVS Real-Time Streaming", "Individual
 *   Participant Recording") gives the event names in `detail.event_name` and a Recording Start sample with
 *   the stage's ARN in `resources`.
 */

/** `source` of every event IVS sends. */
const IVS_EVENT_SOURCE = 'aws.ivs';

const STAGE_UPDATE = 'IVS Stage Update';
const PARTICIPANT_RECORDING_STATE_CHANGE = 'IVS Participant Recording State Change';

/** Which events of the stage a rule matches: a detail-type and, optionally, `detail.event_name` values. */
export interface StageEventFilter {
  readonly detailType: string;
  /**
   * EventBridge pattern values for `detail.event_name` (exact strings, or `Match` tokens); a function so that
   * `Match` tokens are made per rule, not once at module load.
   */
  readonly eventNames?: () => string[];
}

const exactly = (name: string) => () => [name];
// the user guide lists these events, but the exact English name could not be read from it: match what any
// plausible spelling contains (e.g. "Participant Replication Started" or "Replication Start").
const containing = (...fragments: string[]) => () => fragments.flatMap((f) => events.Match.wildcard(`*${f}*`));

/** Every event a `Stage.onXxx` helper filters for. */
export const StageEvent = {
  STAGE_UPDATE: { detailType: STAGE_UPDATE },
  PARTICIPANT_PUBLISHED: { detailType: STAGE_UPDATE, eventNames: exactly('Participant Published') },
  PARTICIPANT_UNPUBLISHED: { detailType: STAGE_UPDATE, eventNames: exactly('Participant Unpublished') },
  PARTICIPANT_PUBLISH_ERROR: { detailType: STAGE_UPDATE, eventNames: exactly('Participant Publish Error') },
  PARTICIPANT_REPLICATION_STARTED: { detailType: STAGE_UPDATE, eventNames: containing('Replication Start') },
  PARTICIPANT_REPLICATION_STOPPED: { detailType: STAGE_UPDATE, eventNames: containing('Replication Stop', 'Replication End') },
  PARTICIPANT_TOKEN_EXCHANGED: { detailType: STAGE_UPDATE, eventNames: containing('Token Exchange') },
  PARTICIPANT_RECORDING_STATE_CHANGE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE },
  PARTICIPANT_RECORDING_START: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording Start') },
  PARTICIPANT_RECORDING_END: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording End') },
  PARTICIPANT_RECORDING_START_FAILURE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording Start Failure') },
  PARTICIPANT_RECORDING_END_FAILURE: { detailType: PARTICIPANT_RECORDING_STATE_CHANGE, eventNames: exactly('Recording End Failure') },
} satisfies Record<string, StageEventFilter>;

/**
 * Defines a rule for IVS events about one stage (source `aws.ivs`, the stage's ARN in `resources`), narrowed
 * to `filter` when given. `options.eventPattern` is merged in, as in aws-cdk-lib's own `onEvent` methods.
 */
export function defineStageEventRule(
  scope: Construct, id: string, stageArn: string, options: events.OnEventOptions, filter?: StageEventFilter): events.Rule {
  const rule = new events.Rule(scope, id, options);
  rule.addEventPattern({ source: [IVS_EVENT_SOURCE], resources: [stageArn] });
  if (filter) {
    rule.addEventPattern({ detailType: [filter.detailType] });
  }
  if (filter?.eventNames) {
    rule.addEventPattern({ detail: { event_name: filter.eventNames() } });
  }
  rule.addTarget(options.target);
  return rule;
}
