import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import { ATTEMPT_TIMEOUT_MS } from '../shared/client';
import { CustomResourceEvent } from './event';

/**
 * One CloudFormation request as the handler works on it: the event, the time by which the handler must answer, and what
 * its create calls did. Passed as an argument to every step that needs one of these, so a reader follows it by reading calls.
 */
export class RequestContext {
  /** Aborts the calls made through `send` when the handler gives up waiting for them (their retries stop with it). */
  private readonly abort = new AbortController();
  /** When the first attempt that may have taken effect unanswered ended (ms since the epoch). */
  private unansweredAt?: number;
  /** Whether a call was sent through `send`. */
  private sent = false;
  private turnTaken = false;
  /** When the handler began on the request (ms since the epoch). */
  public readonly startedAt = Date.now();
  /** Whether the request creates a resource: a Create, or an Update that replaces. */
  public creating: boolean;
  /** What a successful answer tells the user besides (its `Reason`): a fault that did not fail the request, and its correction. */
  public readonly notes: string[] = [];

  /**
   * `timeLimit`: the invocation's time (Lambda's remaining time at its start); `answerBy` (ms since the epoch), when the
   * handler answers, a little before that. Both undefined when there is no time limit (a direct call, outside Lambda).
   */
  constructor(public readonly event: CustomResourceEvent, public readonly timeLimit?: number, public readonly answerBy?: number) {
    this.creating = event.RequestType === 'Create';
  }

  /** How often a wait for another delivery looks again: each second, or 20 times in the request's time if that is shorter. */
  public get pollMs(): number {
    return this.answerBy === undefined ? 1000 : Math.min(1000, (this.answerBy - this.startedAt) / 20);
  }

  /** Milliseconds until the handler answers; undefined when it has no time limit. */
  public timeLeft(): number | undefined {
    return this.answerBy === undefined ? undefined : Math.max(0, this.answerBy - Date.now());
  }

  /**
   * Whether an attempt of a call made through `send` failed in a way that may come after IVS did the work: a server
   * error or no answer at all (a reset connection, a timeout). A refusal (4xx, throttling) does not.
   */
  public get unanswered(): boolean {
    return this.unansweredAt !== undefined;
  }

  /**
   * Until when an attempt that went unanswered may still take effect in IVS, as far as the handler waits for it: as long
   * after it ended as an attempt may take (5 s). How late IVS may act on a request whose answer never came is not published.
   */
  public get unansweredSettleBy(): number | undefined {
    return this.unansweredAt === undefined ? undefined : this.unansweredAt + ATTEMPT_TIMEOUT_MS;
  }

  /**
   * Whether the request may have made something in IVS: this delivery sent a create call (through `send`), or took part in
   * the create request's turns (`tookTurn`), where another delivery may have. A request that did neither made nothing.
   */
  public get mayHaveCreated(): boolean {
    return this.sent || this.turnTaken;
  }

  /** Adds `text` to what a successful answer tells the user (`notes`). */
  public note(text: string): void {
    this.notes.push(text);
  }

  /** Notes that this delivery claimed the create request, or found another delivery's claim. */
  public tookTurn(): void {
    this.turnTaken = true;
  }

  /** Whether the handler gave up waiting: what is still under way must leave its traces for the rollback. */
  public get gaveUp(): boolean {
    return this.abort.signal.aborted;
  }

  /** Stops the calls under way: the handler answers without them. */
  public giveUp(): void {
    this.abort.abort();
  }

  /**
   * Sends `command`, watching each of its attempts (inside the SDK's retries) for one that may have taken effect unanswered.
   * For the calls that create: the only ones whose lost answer leaves something behind.
   */
  public async send<Output extends object>(ivs: IVSRealTimeClient,
    command: { readonly middlewareStack: MiddlewareStack<any, Output> }): Promise<Output> {
    command.middlewareStack.addRelativeTo(((next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
        if (status === undefined || status >= 500) {
          this.unansweredAt ??= Date.now();
        }
        throw error;
      }
    }) as FinalizeRequestMiddleware<any, any>, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'unansweredAttempts' });
    this.sent = true;
    return ivs.send(command as any, { abortSignal: this.abort.signal }) as Promise<Output>;
  }
}
