import { DisableRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IVSRealTimeClient, TagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import {
  DELETE_WHEN_FREE_TAG, SWEEP_EVENT_KEY, SWEEP_INTERVAL_MINUTES, SweepEvent, sweepRuleName,
} from '../../lib/private/deferred-deletes-contract';
import { describeError, isConflict, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { DELETE_CONFLICT_RETRY } from '../shared/retry';
import { compositionsUsing, describeHolder, Holder } from './composition-holders';
import { CustomResourceEvent } from './event';
import { DescribedResource, HeldByCompositions, ReplacedOnChange, ResourceHandler } from './resource-handler';
import type { StreamKeyCorrections } from './stream-key-copy';

/**
 * A schedule that runs only while there is work for it, an EventBridge rule that starts disabled: armed when work is
 * first left for it, disarmed by the run that finds none left, so that nothing pending costs no invocation. The
 * provider's sweep of deferred deletes (the rule named from the stack ID) and a `StagePool`'s reconcile (named by its
 * configuration: `ruleName` the identity) use it.
 */
export class SweepArming {
  /** `ruleName` names the rule from the key `arm` and `disarm` are given. */
  constructor(private readonly events: EventBridgeClient, private readonly ruleName: (key: string) => string = sweepRuleName) {}

  public async arm(key: string): Promise<void> {
    await this.events.send(new EnableRuleCommand({ Name: this.ruleName(key) }));
  }

  public async disarm(key: string): Promise<void> {
    await this.events.send(new DisableRuleCommand({ Name: this.ruleName(key) }));
  }
}

/**
 * How long a delete waits for the compositions that hold the resource when IVS stops them by itself (an idle composition
 * stops a minute after its stage empties). Two minutes leave room, within the handler's three, for the calls around the
 * wait and for the handler's own deadline guard.
 */
const WAIT_LIMIT_MS = 120_000;
/** The longest pause between two attempts while waiting. */
const MAX_POLL_MS = 5_000;

/** The handler of a type whose deletes compositions hold, whatever its request and resource types. */
export type HeldResourceHandler = HeldByCompositions<any, any>;

/** Whether IVS refuses deletes of the handler's type while a composition uses a resource. */
export function isHeldByCompositions(handler: ResourceHandler): handler is HeldResourceHandler {
  return 'listResources' in handler;
}

/** Why IVS still refuses a delete. */
interface Refusal {
  readonly conflict: unknown;
  /** The compositions that use the resource; none when IVS refuses for another reason (a stage recording to it). */
  readonly holders: Holder[];
}

/**
 * Deletes a resource that a composition may be using: a conflict is retried while every composition that uses it is one
 * IVS stops by itself (stopping, on a deleted stage, or on a stage nobody is connected to), until `until`, and briefly
 * when no composition uses it (one that has just ended may still hold it for a few seconds). Returns undefined once deleted, or why IVS still refuses.
 * Other errors, not found included, are thrown.
 */
export async function deleteOnceFree(
  ivs: IVSRealTimeClient, arn: string, remove: () => Promise<unknown>, until: number,
): Promise<Refusal | undefined> {
  let announced = false;
  for (let attempt = 0; ; attempt++) {
    let conflict: unknown;
    try {
      await remove();
      return undefined;
    } catch (error) {
      if (!isConflict(error)) {
        throw error;
      }
      conflict = error;
    }
    const holders = await compositionsUsing(ivs, arn);
    const clearsByItself = holders.length > 0 ? holders.every((holder) => holder.ending) : attempt + 1 < DELETE_CONFLICT_RETRY.attempts;
    const delayMs = Math.min(MAX_POLL_MS, DELETE_CONFLICT_RETRY.initialDelayMs * 2 ** attempt);
    if (!clearsByItself || Date.now() + delayMs > until) {
      return { conflict, holders };
    }
    if (!announced && holders.length > 0) {
      announced = true;
      log('waiting for the compositions that use it to end', { arn, heldBy: holders.map(describeHolder), givingUpAt: new Date(until).toISOString() });
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * The delete of a resource type that compositions hold. What IVS still refuses after the wait is tagged with the stack's
 * ID and reported deleted: a failed delete in CloudFormation's cleanup phase (after a replacement, or a resource removed
 * from the app) is ignored and would leave the resource behind, unnoticed. The provider's sweep deletes it once it is
 * free; the stack's drain of deferred deletes, when the stack is deleted.
 */
export async function deleteOrDefer(ivs: IVSRealTimeClient, handler: HeldResourceHandler, arn: string, event: CustomResourceEvent,
  arming?: SweepArming): Promise<void> {
  const refusal = await deleteOnceFree(ivs, arn, () => handler.delete(arn), Date.now() + WAIT_LIMIT_MS);
  if (!refusal) {
    log('deleted', { arn });
    return;
  }
  try {
    await ivs.send(new TagResourceCommand({ resourceArn: arn, tags: { [DELETE_WHEN_FREE_TAG]: event.StackId } }));
  } catch (error) {
    throw new Error(`${describeRefusal(handler, arn, refusal)}; marking it to be deleted once free failed: ${describeError(error)}`);
  }
  // after the tag, so that a sweep disarming at the same moment either sees the tag or is armed again after it.
  await arming?.arm(event.StackId).catch((error: unknown) => log('could not arm the sweep: the stack\'s delete deletes it', {
    arn, error: describeError(error),
  }));
  log('delete deferred until it is free', {
    arn,
    heldBy: describeRefusal(handler, arn, refusal),
    tag: `${DELETE_WHEN_FREE_TAG}=${event.StackId}`,
    then: `the provider's sweep tries again every ${SWEEP_INTERVAL_MINUTES} minutes and deletes it once it is free; `
      + 'deleting the stack deletes it too, or fails saying what still uses it',
    nextAttemptBy: new Date(Date.now() + SWEEP_INTERVAL_MINUTES * 60_000).toISOString(),
  });
}

/** Whether the event is the provider schedule's sweep. */
export function isSweepEvent(event: unknown): event is SweepEvent {
  return typeof (event as Partial<SweepEvent> | undefined)?.[SWEEP_EVENT_KEY] === 'string';
}

/** What a settling of the deferred deletes did, by ARN, as it logs it. */
interface DeleteResult {
  readonly deleted: string[];
  /** One line per resource still refused (what uses it) or whose delete failed otherwise. */
  readonly remaining: string[];
}

/** What the sweep did, by ARN, as it logs it. */
export interface SweepResult extends DeleteResult {
  /** The stream-key secrets it corrected (`StreamKeyCorrections`). */
  readonly corrected: string[];
}

/**
 * The schedule's sweep: one attempt at each deferred delete of the stack, and at each correction of a stream-key secret,
 * no waiting (the next sweep comes in a few minutes). A resource still in use, or whose delete or correction fails, is
 * reported, not thrown: a failure would only make Lambda retry the sweep, sooner than the next one.
 */
export async function sweep(ivs: IVSRealTimeClient, handlers: HeldResourceHandler[], event: SweepEvent, arming: SweepArming,
  corrections?: StreamKeyCorrections): Promise<SweepResult> {
  const stackId = event[SWEEP_EVENT_KEY];
  // disarmed before it looks, so that work left while it runs (recorded, then arming) is never missed.
  await arming.disarm(stackId);
  const deletes = await settle(ivs, handlers, stackId, Date.now());
  const secrets = await corrections?.settle() ?? { corrected: [], remaining: [] };
  const result: SweepResult = { ...deletes, corrected: secrets.corrected, remaining: [...deletes.remaining, ...secrets.remaining] };
  if (result.remaining.length > 0) {
    await arming.arm(stackId);
  }
  log('swept', {
    stackId,
    ...result,
    ...(result.remaining.length > 0 ? { nextAttemptBy: new Date(Date.now() + SWEEP_INTERVAL_MINUTES * 60_000).toISOString() } : { disarmed: true }),
  });
  return result;
}

/** What the drain reports as its physical ID (there is nothing in IVS behind it). */
const DRAIN_PHYSICAL_ID = 'cdk-ivs-realtime-deferred-deletes';

/**
 * The stack's drain of deferred deletes, a custom resource that every IVS resource of the stack depends on: CloudFormation
 * deletes it after them and before the provider (and its sweep) are gone. On delete it deletes what is free, waits as a
 * delete does for compositions IVS stops by itself, and fails naming what still holds a resource: deleting the stack
 * again, once that has ended, finishes. Create and update do nothing.
 */
export function deferredDeletesHandler(ivs: IVSRealTimeClient, handlers: HeldResourceHandler[]): ReplacedOnChange<object, DescribedResource> {
  return {
    noun: 'deferred deletes',

    async create() {
      return { arn: DRAIN_PHYSICAL_ID };
    },

    async get() {
      return { arn: DRAIN_PHYSICAL_ID };
    },

    async delete(_arn, request) {
      const left = request.timeLeft() ?? WAIT_LIMIT_MS;
      const { remaining } = await settle(ivs, handlers, request.event.StackId, Date.now() + Math.min(WAIT_LIMIT_MS, left));
      if (remaining.length > 0) {
        const more = remaining.length > 1 ? ` (and ${remaining.length - 1} more)` : '';
        throw new Error(`${remaining[0]}${more}: delete the stack again once it is free`);
      }
    },
  };
}

/** Deletes the stack's deferred deletes that IVS accepts by `until`. */
async function settle(ivs: IVSRealTimeClient, handlers: HeldResourceHandler[], stackId: string, until: number): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: [], remaining: [] };
  for (const handler of handlers) {
    const deferred = (await handler.listResources())
      .filter((resource) => resource.tags?.[DELETE_WHEN_FREE_TAG] === stackId)
      .map((resource) => resource.arn!);
    for (const arn of deferred) {
      try {
        const refusal = await deleteOnceFree(ivs, arn, () => handler.delete(arn), until);
        if (refusal) {
          result.remaining.push(describeRefusal(handler, arn, refusal));
        } else {
          result.deleted.push(arn);
        }
      } catch (error) {
        if (isNotFound(error)) {
          result.deleted.push(arn);
        } else {
          result.remaining.push(`deleting ${handler.noun} ${arn} failed: ${describeError(error)}`);
        }
      }
    }
  }
  return result;
}

/** `<noun> <arn> is used by <compositions>`, or the service's own reason when it names none. */
function describeRefusal(handler: ResourceHandler, arn: string, refusal: Refusal): string {
  return refusal.holders.length > 0
    ? `${handler.noun} ${arn} is used by ${refusal.holders.map(describeHolder).join(' and ')}`
    : `${handler.noun} ${arn} is in use: ${describeError(refusal.conflict)}`;
}
