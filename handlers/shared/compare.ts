import { describeError, isConflict } from './errors';

/**
 * Whether a resource as the service describes it (a Get response) already has every setting of `desired` (an update
 * request's members): equal scalars and lists, and for structures the members `desired` gives, whatever else the
 * service adds (its defaults).
 */
function hasSettings(current: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(current) && current.length === desired.length && desired.every((item, i) => hasSettings(current[i], item));
  }
  if (desired !== null && typeof desired === 'object') {
    return current !== null && typeof current === 'object'
      && Object.entries(desired).every(([key, value]) => value === undefined || hasSettings((current as Record<string, unknown>)[key], value));
  }
  return current === desired;
}

/**
 * `update`, which sends `changes`; if the service refuses it with a ConflictException, the resource as `get` reads it
 * back when it has those settings already. CloudFormation rolls a refused update back by sending the old settings, which
 * the resource still has: the rollback must not fail for the reason the update did, or the stack is stuck in
 * UPDATE_ROLLBACK_FAILED. Any other conflict fails with the service's message and `advice` (what to do about it).
 */
export async function updateUnlessAlreadySet<Resource>(changes: object, update: () => Promise<Resource>,
  get: () => Promise<Resource | undefined>, advice: string): Promise<Resource> {
  try {
    return await update();
  } catch (error) {
    if (!isConflict(error)) {
      throw error;
    }
    const current = await get();
    if (hasSettings(current, changes)) {
      return current!;
    }
    throw new Error(`${describeError(error)} (${advice})`);
  }
}
