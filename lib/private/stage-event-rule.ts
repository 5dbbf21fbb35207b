import { Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { StageEvent } from '../stage-event';
import { describeValue, PropsValidator } from './validation';

/** `source` of every event IVS sends. */
const IVS_EVENT_SOURCE = 'aws.ivs';

/**
 * Defines a rule for IVS events about any of `stageArns` (or any stage of the account and region, when `undefined`): source `aws.ivs` and the stage's ARN in `resources` (or in
 * `detail.stage_arn` for composition events), narrowed to `stageEvents` when given. `options.eventPattern` is merged
 * in, as in aws-cdk-lib's own `onEvent` methods.
 *
 * Several events must share their detail-type: one rule's pattern cannot pair each detail-type with its own event
 * names. When one of them is a whole detail-type, the rule matches every event of it.
 */
export function defineStageEventRule(
  scope: Construct, id: string, stageArns: string[] | undefined, options: events.OnEventOptions, ...stageEvents: StageEvent[]): events.Rule {
  const detailTypes = [...new Set(stageEvents.map((e) => e._detailType))];
  if (detailTypes.length > 1) {
    throw new Error(`defineStageEventRule: one rule matches events of one detail-type, got ${JSON.stringify(detailTypes)}`);
  }
  const { eventPattern, target, ...ruleOptions } = options;
  const rule = new events.Rule(scope, id, ruleOptions);
  rule.addEventPattern({ source: [IVS_EVENT_SOURCE] });
  const stageArnInDetail = stageEvents[0]?._stageArnInDetail ?? false;
  if (stageArns) {
    rule.addEventPattern(stageArnInDetail ? { detail: { stage_arn: stageArns } } : { resources: stageArns });
  }
  if (detailTypes.length > 0) {
    rule.addEventPattern({ detailType: detailTypes });
  }
  const eventNames = stageEvents.map((e) => e._eventNamePattern());
  if (eventNames.length > 0 && eventNames.every((names) => names !== undefined)) {
    rule.addEventPattern({ detail: { event_name: eventNames.flat() } });
  }
  // last: a rule keeps each nested object (`detail`) it is given first and merges later patterns into it, so the
  // caller's must come after ours, or merging would write our event names into the caller's options.
  rule.addEventPattern(eventPattern);
  rule.addTarget(target);
  return rule;
}

/**
 * Checks what a stage's `onEvent` or `onStageEvent` was given, before any rule is defined: each event must be a
 * `StageEvent` (from JavaScript, a string or the factory of another library would fail deep inside), and every exact
 * `detail.event_name` of `options.eventPattern` must be one IVS sends for the rule's detail-types (a rule for `Participant
 * Joined`, an event of the ListParticipantEvents API, would never fire). `Match` values are not checked.
 */
export function validateStageEventRule(scope: Construct, method: string, id: string, stageEvents: readonly unknown[],
  options: events.OnEventOptions | undefined): void {
  const validator = new PropsValidator(scope, `Stage.${method}`, id);
  const known = Object.entries(StageEvent).filter((entry): entry is [string, StageEvent] => entry[1] instanceof StageEvent);
  for (const event of stageEvents.filter((e) => !isStageEvent(e))) {
    const constants = known.filter(([, e]) => typeof event === 'string' && e._documentedNames.includes(event)).map(([name]) => `StageEvent.${name}`);
    const hint = constants.length > 0 ? ` (for that event, ${constants.join(' or ')})`
      : typeof event === 'string' ? ` (the events IVS sends: ${documentedEvents(known)})` : '';
    validator.check(false, `\`event\` must be a StageEvent, such as StageEvent.PARTICIPANT_PUBLISHED${hint}, got ${describeValue(event)}`);
  }
  const eventNames = (options?.eventPattern?.detail as { event_name?: unknown } | undefined)?.event_name;
  if (Array.isArray(eventNames)) {
    const chosen = stageEvents.filter(isStageEvent).map((e) => e._detailType);
    const detailTypes = chosen.length > 0 ? chosen : options?.eventPattern?.detailType ?? [];
    const inScope = known.filter(([, e]) => detailTypes.length === 0 || detailTypes.includes(e._detailType));
    for (const name of eventNames.filter((n): n is string => typeof n === 'string' && !Token.isUnresolved(n))) {
      const documented = inScope.some(([, e]) => e._documentedNames.includes(name) || e._nameFragments.some((f) => name.includes(f)));
      const api = /join|left|token/i.test(name) ? '; JOINED, LEFT and TOKEN_EXCHANGED are events of the ListParticipantEvents '
        + 'API, which IVS does not send to EventBridge' : '';
      validator.check(documented, '`options.eventPattern.detail.event_name` must name events IVS sends, or a rule for them never '
        + `fires (${documentedEvents(inScope)}${api}), got ${describeValue(name)}`);
    }
  }
  validator.throwIfInvalid();
}

function isStageEvent(event: unknown): event is StageEvent {
  // also a StageEvent of another copy of this library loaded in the app, where `instanceof` is false.
  return event instanceof StageEvent
    || (typeof event === 'object' && event !== null && typeof (event as Partial<StageEvent>)._eventNamePattern === 'function');
}

/** The documented events, by detail-type: `IVS Stage Update: Participant Published, ...; ...`. */
function documentedEvents(known: Array<[string, StageEvent]>): string {
  const byDetailType = new Map<string, string[]>();
  for (const [, event] of known) {
    const names = [...event._documentedNames, ...event._nameFragments.map((f) => `names containing "${f}"`)];
    byDetailType.set(event._detailType, [...byDetailType.get(event._detailType) ?? [], ...names]);
  }
  return [...byDetailType].map(([detailType, names]) => `${detailType}: ${names.length > 0 ? names.join(', ') : 'any'}`).join('; ');
}
