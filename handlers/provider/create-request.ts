import { createHash } from 'crypto';
import { Property } from '../../lib/private/contract';
import { CustomResourceEvent } from './event';

/** A request as the handler works on it: the construct's JSON request, parsed. */
export type Request = Record<string, unknown>;

/** The construct's API request (`Stack.toJsonString` of the wire contract's request type), parsed. */
export function requestOf(properties: Record<string, any>): Request {
  const json = properties[Property.REQUEST];
  return typeof json === 'string' && json !== '' ? JSON.parse(json) : {};
}

/**
 * The tag every resource the handler creates carries: a token of the CloudFormation request that created it. The IVS API
 * takes no client token, so this is how a create finds its own earlier attempt: one whose answer was lost after IVS did
 * the work (the SDK then retries, and IVS creates again), or the same request delivered twice. Never in the user's tag
 * diffs: the diffs compare the props' tags, which never hold it.
 */
export const CREATE_REQUEST_TAG = 'cdk-ivs-realtime:create-request';

/** The token of `event`'s request: the same for every delivery of it, different for any other request (a hash: tag values hold 256 characters). */
export function createRequestToken(event: Pick<CustomResourceEvent, 'StackId' | 'LogicalResourceId' | 'RequestId'>): string {
  return createHash('sha256').update([event.StackId, event.LogicalResourceId, event.RequestId].join('\n')).digest('base64url');
}

/** The physical ID a failed create answers: CloudFormation's rollback sends it back in its delete, which cleans up after the request. */
export function failedCreatePhysicalId(token: string): string {
  return `${FAILED_CREATE_PREFIX}${token}`;
}

/** The token of the create request a failed create's physical ID names; undefined for any other physical ID. */
export function tokenOfFailedCreate(physicalId: string): string | undefined {
  return physicalId.startsWith(FAILED_CREATE_PREFIX) ? physicalId.slice(FAILED_CREATE_PREFIX.length) : undefined;
}

const FAILED_CREATE_PREFIX = 'cdk-ivs-realtime:failed-create:';

/**
 * The key under which a replacement given up on is recorded: what the rollback's update of the resource (the old physical
 * ID, with the attempted properties as its old ones) can compute again. CloudFormation keeps no physical ID of a failed
 * update, and the rollback is a request of its own.
 */
export function abandonedReplacementKey(event: Pick<CustomResourceEvent, 'StackId' | 'LogicalResourceId' | 'PhysicalResourceId'>,
  attempted: Record<string, any>): string {
  const digest = createHash('sha256').update([event.StackId, event.LogicalResourceId, event.PhysicalResourceId, attempted[Property.REQUEST] ?? '',
    JSON.stringify(attempted[Property.TAGS] ?? {})].join('\n')).digest('base64url');
  return `abandoned-replacement:${digest}`;
}
