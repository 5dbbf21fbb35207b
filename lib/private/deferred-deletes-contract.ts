/**
 * The contract between the provider (lib/private/provider.ts) and its handler (handlers/provider) for deletes that IVS
 * refuses while a composition uses the resource: the handler marks such a resource with a tag and answers success, a
 * schedule invokes the handler with a sweep event that deletes what is free, and a custom resource that every IVS
 * resource of the stack depends on drains what is left when the stack is deleted.
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment. It must stay
 * dependency-free: esbuild bundles it into the handler.
 */

/** The custom resource type of the stack's drain of deferred deletes (one per stack, beside the provider). */
export const DEFERRED_DELETES_RESOURCE_TYPE = 'Custom::IvsRealTimeDeferredDeletes';

/** The tag a resource whose delete was deferred carries, valued with the ID of the stack that deleted it. */
export const DELETE_WHEN_FREE_TAG = 'cdk-ivs-realtime:delete-when-free';

/** How often the schedule sweeps, in minutes: the handler's log lines say when the next attempt comes. */
export const SWEEP_INTERVAL_MINUTES = 5;

/** The schedule's event: the key, valued with the stack ID whose deferred deletes the handler sweeps. */
export const SWEEP_EVENT_KEY = 'sweepDeferredDeletesOfStack';

export type SweepEvent = Readonly<Record<typeof SWEEP_EVENT_KEY, string>>;

/**
 * The name of the stack's sweep schedule (an EventBridge rule, at most 64 characters): from the stack ID's unique suffix,
 * so that the handler finds it from any event of the stack, and the function and the rule need not name each other (the
 * rule targets the function: the function naming the rule would be a cycle).
 */
export function sweepRuleName(stackId: string): string {
  return `${SWEEP_RULE_PREFIX}${stackId.split('/').pop()}`;
}

/** What the sweep schedule's name starts with; the rest is the stack ID's unique suffix (a UUID). */
export const SWEEP_RULE_PREFIX = 'cdk-ivs-realtime-sweep-';
