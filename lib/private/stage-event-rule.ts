import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { StageEvent } from '../stage-event';

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
