/**
 * The local services' time: the real time plus an offset a test moves forward (`LocalIvs.advanceTime`), so that what
 * waits for time to pass (a `StagePool`'s timeouts) can be tested at once. The fake IVS dates its sessions with it, and
 * the functions a deployment runs see it as their `Date` (timers are not shifted: they still wait in real time).
 */
export class Clock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, as the local services see them. */
  public now(): number {
    return Date.now() + this.offsetMs;
  }

  public advance(ms: number): void {
    if (!(ms >= 0)) {
      throw new Error(`advanceTime: time only moves forward, got ${ms} ms`);
    }
    this.offsetMs += ms;
  }

  /** The `Date` a function's sandbox sees: the host's, shifted by the clock's offset. */
  public dateClass(): DateConstructor {
    const now = () => this.now();
    const HostDate = Date;
    class ShiftedDate extends HostDate {
      constructor(...args: any[]) {
        if (args.length === 0) {
          super(now());
        } else {
          super(...(args as [string]));
        }
      }

      public static now(): number {
        return now();
      }
    }
    // called as a function, Date gives the current time as text.
    return new Proxy(ShiftedDate, { apply: () => new HostDate(now()).toString() }) as unknown as DateConstructor;
  }
}
