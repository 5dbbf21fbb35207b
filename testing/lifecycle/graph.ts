/** Dependency ordering and CloudFormation-like scheduling of resource operations. */

/** Topological order, ties broken by the given order so runs are deterministic; a cycle is a template error. */
export function topologicalOrder(ids: readonly string[], dependencies: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const remaining = [...ids];
  while (remaining.length > 0) {
    const index = remaining.findIndex(id => [...dependencies.get(id) ?? []].every(d => placed.has(d) || !ids.includes(d)));
    if (index < 0) {
      throw new Error(`Template format error: Circular dependency between resources: [${remaining.join(', ')}]`);
    }
    const [id] = remaining.splice(index, 1);
    order.push(id);
    placed.add(id);
  }
  return order;
}

/** Reverses edges: in the result, a node depends on every node that depended on it (the order of deletion). */
export function invert(ids: readonly string[], dependencies: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const inverted = new Map<string, Set<string>>(ids.map(id => [id, new Set<string>()]));
  for (const id of ids) {
    for (const dep of dependencies.get(id) ?? []) {
      inverted.get(dep)?.add(id);
    }
  }
  return inverted;
}

export interface ScheduleOptions {
  /** Operations in flight at once. */
  readonly concurrency: number;
  /**
   * `stop`: after a failure start nothing new and let the operations in flight finish (create and update);
   * `block`: keep going, skipping only what depends on the failed node (delete).
   */
  readonly onFailure: 'stop' | 'block';
}

/**
 * Runs `work` for each node once every dependency within `order` has succeeded, up to `concurrency` at a time.
 * With a concurrency of 1 the nodes run exactly in `order`. Returns the nodes never run. A `work` that throws
 * (a driver bug, not a resource failure) stops the run and is rethrown once the operations in flight finish.
 */
export async function schedule(
  order: readonly string[],
  dependencies: ReadonlyMap<string, ReadonlySet<string>>,
  work: (id: string) => Promise<boolean>,
  options: ScheduleOptions,
): Promise<string[]> {
  const members = new Set(order);
  const pending = [...order];
  const succeeded = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  let thrown: { error: unknown } | undefined;
  const ready = (id: string): boolean => [...dependencies.get(id) ?? []].every(d => !members.has(d) || succeeded.has(d));
  for (;;) {
    while (!stopped && running.size < Math.max(1, options.concurrency)) {
      const index = pending.findIndex(ready);
      if (index < 0) {
        break;
      }
      const [id] = pending.splice(index, 1);
      running.set(id, work(id).then(ok => {
        running.delete(id);
        if (ok) {
          succeeded.add(id);
        } else if (options.onFailure === 'stop') {
          stopped = true;
        }
      }, error => {
        running.delete(id);
        stopped = true;
        thrown ??= { error };
      }));
    }
    if (running.size === 0) {
      if (thrown) {
        throw thrown.error;
      }
      return pending;
    }
    await Promise.race(running.values());
  }
}
