import { CREATED_TAG, RETAIN_TAG, StagePoolConfig } from '../../lib/private/stage-pool-contract';

/** What the cleanup knows of a stage: what IVS said of it a moment ago. */
export interface StageState {
  readonly tags: Record<string, string>;
  /** Empty or absent when no session is live. */
  readonly activeSessionId?: string;
  /** Every session the stage has had (ListStageSessions). */
  readonly sessions: ReadonlyArray<{ readonly endTime?: Date }>;
}

export interface Verdict {
  readonly remove: boolean;
  readonly reason: string;
}

/**
 * Whether a pool's stage is over, as LiveKit closes a room: nobody joined within `emptyTimeout`, its last session ended
 * `departureTimeout` ago, or it is older than `maxAge`. A stage someone is on is never over (not even past `maxAge`:
 * deleting it would disconnect them), nor one that carries the retain tag. Decided from the stage's state alone, never
 * from an event's content, so that a late, repeated or out-of-order event cannot mislead it.
 */
export function verdict(stage: StageState, now: number, config: StagePoolConfig): Verdict {
  if (RETAIN_TAG in stage.tags) {
    return { remove: false, reason: `retained (tag ${RETAIN_TAG})` };
  }
  if (stage.activeSessionId) {
    return { remove: false, reason: `session ${stage.activeSessionId} is live` };
  }
  if (stage.sessions.some((session) => !session.endTime)) {
    return { remove: false, reason: 'a session has not ended' };
  }
  const createdAt = Number(stage.tags[CREATED_TAG]);
  const age = Number.isFinite(createdAt) ? now - createdAt : 0;
  if (config.maxAgeSeconds !== undefined && age >= config.maxAgeSeconds * 1000) {
    return { remove: true, reason: `older than maxAge (${config.maxAgeSeconds} s) and nobody is on it` };
  }
  if (stage.sessions.length === 0) {
    return age >= config.emptyTimeoutSeconds * 1000
      ? { remove: true, reason: `nobody joined within emptyTimeout (${config.emptyTimeoutSeconds} s)` }
      : { remove: false, reason: 'waiting for its first participant' };
  }
  const lastEnd = Math.max(...stage.sessions.map((session) => session.endTime!.getTime()));
  return now - lastEnd >= config.departureTimeoutSeconds * 1000
    ? { remove: true, reason: `its last session ended more than departureTimeout (${config.departureTimeoutSeconds} s) ago` }
    : { remove: false, reason: 'within departureTimeout of its last session' };
}

/**
 * Whether a stage of this age may be over at all: every reason to delete one counts from its creation or later (a
 * session's end comes after the stage's creation), so a stage younger than the shortest timeout is not, and the
 * reconcile skips it without a call (its tags come with ListStages).
 */
export function mayBeOver(tags: Record<string, string>, now: number, config: StagePoolConfig): boolean {
  const createdAt = Number(tags[CREATED_TAG]);
  const shortest = Math.min(config.emptyTimeoutSeconds, config.departureTimeoutSeconds, config.maxAgeSeconds ?? Infinity) * 1000;
  return !Number.isFinite(createdAt) || now - createdAt >= shortest;
}
