/**
 * Whether a resource as the service describes it (a Get response) already has every setting of `desired` (an update
 * request's members): equal scalars and lists, and for structures the members `desired` gives, whatever else the
 * service adds (its defaults).
 */
export function hasSettings(current: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(current) && current.length === desired.length && desired.every((item, i) => hasSettings(current[i], item));
  }
  if (desired !== null && typeof desired === 'object') {
    return current !== null && typeof current === 'object'
      && Object.entries(desired).every(([key, value]) => value === undefined || hasSettings((current as Record<string, unknown>)[key], value));
  }
  return current === desired;
}
