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
