/**
 * Logs one JSON line: CloudWatch Logs Insights can filter on each field.
 *
 * Callers pass identifiers only (ARNs, logical IDs, session IDs), never properties or attributes: they could hold secrets.
 */
export function log(message: string, details: object): void {
  console.log(JSON.stringify({ message, ...details }));
}
