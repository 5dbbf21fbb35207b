import * as events from 'aws-cdk-lib/aws-events';
import { IvsEventName } from './private/composition-contract';

const STAGE_UPDATE = IvsEventName.STAGE_UPDATE;
const PARTICIPANT_RECORDING_STATE_CHANGE = 'IVS Participant Recording State Change';
const COMPOSITION_STATE_CHANGE = 'IVS Composition State Change';

/** Where an event names its stage. */
enum StageArnField {
  /** in `resources`: stage updates and participant recording events. */
  RESOURCES,
  /** in `detail.stage_arn`: composition events, whose `resources` holds the composition's ARN. */
  DETAIL,
}

/**
 * An EventBridge event Amazon IVS sends about a stage, for `IStage.onStageEvent`: one event (a detail-type and a
 * `detail.event_name`), or every event of a detail-type.
 *
 * The detail-types and event names are those of the IVS Real-Time User Guide ("Using Amazon EventBridge with IVS
 * Real-Time Streaming"); each event's documentation gives the detail fields known. Every event comes from source
 * `aws.ivs`, on a best-effort basis: events can be missing, late, duplicated or out of order.
 *
 * Two names are not confirmed: the user guide lists an event for a participant replication starting and one for it
 * ending, but their English spelling could not be read from it. `PARTICIPANT_REPLICATION_STARTED` and
 * `PARTICIPANT_REPLICATION_ENDED` therefore match every `detail.event_name` containing a fragment of the name (an
 * EventBridge `wildcard`), so that they work whichever way IVS spells it. Once you know the name, match it exactly with
 * `STAGE_UPDATE` and `eventPattern: { detail: { event_name: ['<name>'] } }`.
 *
 * There is no token-exchanged (nor joined or left) EventBridge event: `TOKEN_EXCHANGED`, `JOINED` and `LEFT` are event
 * names of the ListParticipantEvents API (`IStage.grantRead` allows it), not of EventBridge.
 */
export class StageEvent {
  // -- IVS Stage Update: participants of the stage's sessions

  /**
   * Every `IVS Stage Update` event of the stage, whatever its `detail.event_name`.
   *
   * Stage updates carry `detail.session_id` (`st-…`), `detail.event_name`, `detail.participant_id` and
   * `detail.user_id` (from the participant token; may be empty); events seen in practice also carry
   * `detail.event_time`.
   */
  public static readonly STAGE_UPDATE = new StageEvent(STAGE_UPDATE, StageArnField.RESOURCES);

  /** `IVS Stage Update` / `Participant Published`: a participant started publishing. Detail: as `STAGE_UPDATE`. */
  public static readonly PARTICIPANT_PUBLISHED = StageEvent.stageUpdate(IvsEventName.PARTICIPANT_PUBLISHED);

  /** `IVS Stage Update` / `Participant Unpublished`: a participant stopped publishing. Detail: as `STAGE_UPDATE`. */
  public static readonly PARTICIPANT_UNPUBLISHED = StageEvent.stageUpdate(IvsEventName.PARTICIPANT_UNPUBLISHED);

  /**
   * `IVS Stage Update` / `Participant Publish Error`: a participant's attempt to publish failed.
   *
   * Detail: as `STAGE_UPDATE`; the reason is expected in `error_code` (the API's participant event error codes, such
   * as `INSUFFICIENT_CAPABILITIES`), a field name the user guide does not confirm.
   */
  public static readonly PARTICIPANT_PUBLISH_ERROR = StageEvent.stageUpdate('Participant Publish Error');

  /**
   * The `IVS Stage Update` event sent when a participant replication starts.
   *
   * Its English name is not confirmed (see the class documentation): this matches every `detail.event_name`
   * containing `Replication Start`. Detail fields beyond those of `STAGE_UPDATE` are not documented.
   */
  public static readonly PARTICIPANT_REPLICATION_STARTED = StageEvent.stageUpdateContaining('Replication Start');

  /**
   * The `IVS Stage Update` event sent when a participant replication ends (StopParticipantReplication, or the
   * publisher stopped and the reconnect window expired).
   *
   * Its English name is not confirmed (see the class documentation): this matches every `detail.event_name`
   * containing `Replication Stop` or `Replication End`.
   */
  public static readonly PARTICIPANT_REPLICATION_ENDED = StageEvent.stageUpdateContaining('Replication Stop', 'Replication End');

  // -- IVS Participant Recording State Change: automatic participant recording to S3

  /**
   * Every `IVS Participant Recording State Change` event of the stage (automatic participant recording: start, end
   * and their failures).
   *
   * The user guide's `Recording Start` sample carries `detail.session_id`, `detail.event_name`,
   * `detail.participant_id`, `detail.recording_s3_bucket_name` and `detail.recording_s3_key_prefix`
   * (`<stage id>/<session id>/<participant id>/<timestamp>`).
   */
  public static readonly PARTICIPANT_RECORDING_STATE_CHANGE = new StageEvent(PARTICIPANT_RECORDING_STATE_CHANGE, StageArnField.RESOURCES);

  /**
   * `IVS Participant Recording State Change` / `Recording Start`: a publisher is being recorded to S3.
   * Detail: as `PARTICIPANT_RECORDING_STATE_CHANGE`.
   */
  public static readonly PARTICIPANT_RECORDING_START = StageEvent.recording('Recording Start');

  /**
   * `IVS Participant Recording State Change` / `Recording End`: the publisher disconnected and every file is in S3
   * (sent at least the reconnect window after the disconnect). Process recordings after this.
   *
   * Detail: presumably as `Recording Start` (the user guide shows no sample of this event); other projects also read
   * `recording_duration_ms`, which is not documented.
   */
  public static readonly PARTICIPANT_RECORDING_END = StageEvent.recording('Recording End');

  /**
   * `IVS Participant Recording State Change` / `Recording Start Failure`: a publisher connected but could not be
   * recorded (for example, the bucket is missing or in another region).
   *
   * Detail: presumably as `Recording Start`; the user guide shows no sample of this event.
   */
  public static readonly PARTICIPANT_RECORDING_START_FAILURE = StageEvent.recording('Recording Start Failure');

  /**
   * `IVS Participant Recording State Change` / `Recording End Failure`: a recording ended with an error, possibly after
   * writing some of its objects.
   *
   * Detail: presumably as `Recording Start`; the user guide shows no sample of this event.
   */
  public static readonly PARTICIPANT_RECORDING_END_FAILURE = StageEvent.recording('Recording End Failure');

  // -- IVS Composition State Change: server-side compositions of the stage

  /**
   * Every `IVS Composition State Change` event of a composition of the stage (server-side composition: session and
   * destination starts, ends and failures).
   *
   * These events carry the composition's ARN in `resources` and the stage's in `detail.stage_arn`, which the rule
   * matches (so `IStage.onEvent` does not match them). That layout is how other projects quote the user guide's
   * samples; the other detail fields are not documented here.
   */
  public static readonly COMPOSITION_STATE_CHANGE = new StageEvent(COMPOSITION_STATE_CHANGE, StageArnField.DETAIL);

  /**
   * `IVS Composition State Change` / `Session Start`: a composition of the stage started, subscribing to the stage and
   * producing video.
   */
  public static readonly COMPOSITION_SESSION_START = StageEvent.composition('Session Start');

  /**
   * `IVS Composition State Change` / `Session End`: a composition of the stage ended, and a recording to S3 is
   * complete. Process recordings after this.
   */
  public static readonly COMPOSITION_SESSION_END = StageEvent.composition('Session End');

  /**
   * `IVS Composition State Change` / `Session Failure`: a composition of the stage failed (the stage was deleted, its
   * destinations failed, or an internal error).
   */
  public static readonly COMPOSITION_SESSION_FAILURE = StageEvent.composition('Session Failure');

  /** `IVS Composition State Change` / `Destination Start`: output to a destination started. */
  public static readonly COMPOSITION_DESTINATION_START = StageEvent.composition('Destination Start');

  /** `IVS Composition State Change` / `Destination End`: output to a destination finished. */
  public static readonly COMPOSITION_DESTINATION_END = StageEvent.composition('Destination End');

  /**
   * `IVS Composition State Change` / `Destination Failure`: output to a destination failed (for example, the channel
   * was broadcasting something else, or the bucket was not found or not writable).
   */
  public static readonly COMPOSITION_DESTINATION_FAILURE = StageEvent.composition('Destination Failure');

  /**
   * `IVS Composition State Change` / `Destination Reconnecting`: output to a destination was interrupted and IVS is
   * reconnecting it.
   */
  public static readonly COMPOSITION_DESTINATION_RECONNECTING = StageEvent.composition('Destination Reconnecting');

  private static stageUpdate(eventName: string): StageEvent {
    return new StageEvent(STAGE_UPDATE, StageArnField.RESOURCES, () => [eventName], [eventName]);
  }

  /** An event whose English name is unconfirmed: matched by what any plausible spelling contains. */
  private static stageUpdateContaining(...fragments: string[]): StageEvent {
    return new StageEvent(STAGE_UPDATE, StageArnField.RESOURCES, () => fragments.flatMap((f) => events.Match.wildcard(`*${f}*`)),
      [], fragments);
  }

  private static recording(eventName: string): StageEvent {
    return new StageEvent(PARTICIPANT_RECORDING_STATE_CHANGE, StageArnField.RESOURCES, () => [eventName], [eventName]);
  }

  private static composition(eventName: string): StageEvent {
    return new StageEvent(COMPOSITION_STATE_CHANGE, StageArnField.DETAIL, () => [eventName], [eventName]);
  }

  /**
   * The event's `detail-type`.
   *
   * @internal
   */
  public readonly _detailType: string;

  /**
   * Whether the event names the stage in `detail.stage_arn` (composition events) rather than in `resources`.
   *
   * @internal
   */
  public readonly _stageArnInDetail: boolean;

  /**
   * Makes the pattern values of `detail.event_name`, or `undefined` for every event of the detail-type. A function so
   * that `Match` tokens are made per rule, not once when the module loads.
   */
  private readonly eventNames?: () => string[];

  /**
   * The `detail.event_name` values IVS documents for this event (none for a whole detail-type).
   *
   * @internal
   */
  public readonly _documentedNames: readonly string[];

  /**
   * What the unconfirmed spellings of this event's name contain (`Replication Start`): a name containing one is not
   * refused as undocumented.
   *
   * @internal
   */
  public readonly _nameFragments: readonly string[];

  private constructor(detailType: string, stageArnField: StageArnField, eventNames?: () => string[], documentedNames: string[] = [],
    nameFragments: string[] = []) {
    this._detailType = detailType;
    this._stageArnInDetail = stageArnField === StageArnField.DETAIL;
    this.eventNames = eventNames;
    this._documentedNames = documentedNames;
    this._nameFragments = nameFragments;
  }

  /**
   * EventBridge pattern values for `detail.event_name` (exact names, or `Match` tokens), or `undefined` when the event
   * is every event of its detail-type.
   *
   * @internal
   */
  public _eventNamePattern(): string[] | undefined {
    return this.eventNames?.();
  }
}
