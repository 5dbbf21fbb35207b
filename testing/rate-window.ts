/**
 * A service's requests-per-second quota as the local fakes apply it: at most `limit` requests of an operation accepted in
 * any sliding second. Refused requests take no slot, so a client backing off gets through once the window moves on.
 */
export class RateWindow {
  private readonly acceptedAt = new Map<string, number[]>();

  /** Whether a request of `operation` is accepted under `limit` (undefined: no limit); if so, it counts. */
  admit(operation: string, limit: number | undefined): boolean {
    if (limit === undefined) {
      return true;
    }
    const now = Date.now();
    const recent = (this.acceptedAt.get(operation) ?? []).filter((time) => now - time < WINDOW_MS);
    const accepted = recent.length < limit;
    if (accepted) {
      recent.push(now);
    }
    this.acceptedAt.set(operation, recent);
    return accepted;
  }

  clear(): void {
    this.acceptedAt.clear();
  }
}

const WINDOW_MS = 1000;
