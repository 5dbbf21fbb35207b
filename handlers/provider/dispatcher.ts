import { isDeepStrictEqual } from 'util';
import { IVSRealTimeClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { Attribute, Property } from '../../lib/private/contract';
import { watchingAttempts } from '../shared/attempts';
import { runUntil } from '../shared/deadline';
import { describeError, failureReason, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { diffTags, Tags } from '../shared/tags';
import { CreateLock } from './create-lock';
import { CREATE_REQUEST_TAG, createRequestToken, Request, requestOf } from './create-request';
import { deleteOrDefer, isHeldByCompositions } from './deferred-deletes';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { deleteLateCreate, handOverLateCreate, LATE_CREATE_KEY, LateCreateEvent } from './late-creates';
import { DescribedResource, ResourceHandler } from './resource-handler';

/**
 * Routes a custom resource event to the handler of its resource type, and applies the rules every
 * resource type shares: replacement when a property the API cannot update changes, tag diffs, the
 * delete guards, and short failure reasons.
 */
export class Dispatcher {
  /** `ivs` is the client every handler was made with; the dispatcher uses it for the tag diffs every type shares. */
  constructor(private readonly handlers: Record<string, ResourceHandler>, private readonly ivs: IVSRealTimeClient) {}

  /** `context` is Lambda's: its remaining time lets the handler give a clear answer before Lambda's timeout cuts it off. */
  public async onEvent(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
    const handler = this.handlers[event.ResourceType];
    if (!handler) {
      throw failureReason(`unsupported resource type ${event.ResourceType}; supported: ${Object.keys(this.handlers).join(', ')}`);
    }
    log('request', {
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    const progress: Progress = { creating: event.RequestType === 'Create' };
    try {
      const lock = new CreateLock();
      return await beforeDeadline(() => this.dispatch(handler, event, progress, lock), context, handler, event, progress);
    } catch (error) {
      // one line that says what failed and why: this is what CloudFormation shows the user.
      throw failureReason(`${event.RequestType} ${handler.noun} ${event.LogicalResourceId} failed: ${describeError(error)}`);
    }
  }

  /** The background look for what a create the handler gave up on made later (late-creates.ts). */
  public async onLateCreate(lateCreate: LateCreateEvent, context?: LambdaContext): Promise<string[]> {
    const handler = this.handlers[lateCreate[LATE_CREATE_KEY].ResourceType];
    return handler ? deleteLateCreate(handler, lateCreate, context) : [];
  }

  private async dispatch(handler: ResourceHandler, event: CustomResourceEvent, progress: Progress,
    lock: CreateLock): Promise<CustomResourceResponse> {
    switch (event.RequestType) {
      case 'Create':
        return respond(handler, await create(handler, event, lock), 'created');
      case 'Update':
        return this.update(handler, event, progress, lock);
      case 'Delete':
        return remove(handler, event, this.ivs);
    }
  }

  private async update(handler: ResourceHandler, event: CustomResourceEvent, progress: Progress, lock: CreateLock): Promise<CustomResourceResponse> {
    const arn = event.PhysicalResourceId!;
    const request = requestOf(event.ResourceProperties);
    const oldRequest = requestOf(event.OldResourceProperties ?? {});
    const changedKeys = [...new Set([...Object.keys(request), ...Object.keys(oldRequest)])]
      .filter((key) => !isDeepStrictEqual(request[key], oldRequest[key]));
    const updatable: readonly string[] = handler.updatableKeys ?? [];

    const fixedKeys = changedKeys.filter((key) => !updatable.includes(key));
    let current: DescribedResource | undefined;
    if (fixedKeys.length > 0) {
      current = await alreadyHas(handler, arn, request, fixedKeys);
      if (!current) {
        // a new resource under a new physical ID: CloudFormation deletes the old one once the whole update succeeds.
        log('replacing', { arn, because: fixedKeys });
        progress.creating = true;
        return respond(handler, await create(handler, event, lock), 'created as a replacement');
      }
    }

    const inPlaceKeys = changedKeys.filter((key) => updatable.includes(key));
    if (inPlaceKeys.length > 0 && handler.updatableKeys) {
      current = await handler.update(arn, request, inPlaceKeys, event);
    } else if (!current && (handler.attributes || handler.afterDeploy)) {
      current = await handler.get(arn);
    }
    await handler.afterDeploy?.(current!, event);
    await this.applyTagChanges(arn, tagsOf(event.OldResourceProperties ?? {}), tagsOf(event.ResourceProperties));
    return respond(handler, current ?? { arn }, inPlaceKeys.length > 0 ? 'updated' : 'unchanged');
  }

  private async applyTagChanges(arn: string, oldTags: Tags | undefined, newTags: Tags | undefined): Promise<void> {
    const { toSet, toRemove } = diffTags(oldTags, newTags);
    if (Object.keys(toSet).length > 0) {
      await this.ivs.send(new TagResourceCommand({ resourceArn: arn, tags: toSet }));
    }
    if (toRemove.length > 0) {
      await this.ivs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: toRemove }));
    }
  }
}

/** What a request is doing, for the message of a request the handler stops waiting for. */
interface Progress {
  /** Whether a resource is being created (a Create, or an Update that replaces). */
  creating: boolean;
}

/**
 * Settles `work` before Lambda's timeout, failing with what may still happen if the services answer too slowly
 * (throttled, retrying or slow): Lambda's own timeout would tell CloudFormation only "Task timed out".
 */
async function beforeDeadline<T>(work: () => Promise<T>, context: LambdaContext | undefined, handler: ResourceHandler,
  event: CustomResourceEvent, progress: Progress): Promise<T> {
  if (!context) {
    return work();
  }
  const remaining = context.getRemainingTimeInMillis();
  // enough to log and answer: a second, or a tenth of the time when the function's timeout is under ten seconds; for a
  // create, a quarter of the time (at most 2 s), to hand it over to a background look for what IVS may still make
  // (late-creates.ts).
  const reserve = progress.creating ? Math.min(2000, remaining / 4) : Math.min(1000, remaining / 10);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      log('giving up before the timeout', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
      if (!progress.creating) {
        reject(new Error(`no answer from AWS before the handler's time limit; ${STILL_POSSIBLE[event.RequestType as 'Update' | 'Delete'](handler.noun)}`));
        return;
      }
      // most of the reserve to start the background look for what IVS may still create; the rest to answer.
      void handOverLateCreate(event, context, remaining, reserve * 0.8).then((then) => reject(
        new Error(`no answer from AWS before the handler's time limit; the ${handler.noun} may still be created: ${then}`)));
    }, remaining - reserve);
  });
  try {
    // the work knows the deadline too: what must be undone when a step fails needs time left to undo it.
    return await Promise.race([runUntil(Date.now() + remaining - reserve, work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a request the handler stopped waiting for may still do, and what to do about it. */
const STILL_POSSIBLE: Record<'Update' | 'Delete', (noun: string) => string> = {
  Update: (noun) => `the update may still reach the ${noun} after CloudFormation rolls it back: deploy the update again`,
  Delete: (noun) => `the ${noun} may still be deleted: delete the stack again to finish`,
};

/**
 * Creates the resource, then whatever must follow it outside IVS. If that fails, the new resource is deleted again: its
 * physical ID never reaches CloudFormation, so nothing else would. A request that fails with nothing of it left lets a
 * later delivery of it try again.
 */
async function create(handler: ResourceHandler, event: CustomResourceEvent, lock: CreateLock): Promise<DescribedResource> {
  const request = requestOf(event.ResourceProperties);
  if (!handler.findCreated) {
    // nothing in IVS behind it: every delivery answers the same, with no lookup and no lock.
    return handler.create(request, tagsOf(event.ResourceProperties), event);
  }
  const token = createRequestToken(event);
  const found = () => handler.findCreated!(token, request);
  try {
    const created = await createOnce(handler, event, token, lock, found);
    await afterCreate(handler, created, event);
    return created;
  } catch (error) {
    if ((await found().catch(() => undefined))?.length === 0) {
      await lock.release(token);
    }
    throw error;
  }
}

async function afterCreate(handler: ResourceHandler, created: DescribedResource, event: CustomResourceEvent): Promise<void> {
  const arn = arnOf(handler, created);
  try {
    await handler.afterDeploy?.(created, event);
  } catch (error) {
    const undone = await handler.delete(arn, event).then(() => undefined, (undoError: unknown) => undoError);
    throw new Error(describeError(error)
      + (undone ? `; deleting the new ${handler.noun} ${arn} failed too: ${describeError(undone)}` : ''));
  }
}

/**
 * Exactly one resource for the request, however often it is delivered and however often the SDK sends the create. Each
 * resource carries its request's token (create-request.ts). Deliveries of the request take turns (create-lock.ts): one
 * that finds what an earlier one made takes it over instead of creating. A create one of whose attempts may have taken
 * effect unanswered (a server error, a reset connection, a timeout) looks for what they made, keeps one and deletes the
 * rest. The fault-free path adds a CreateLogStream and one List (paginated) before the create.
 */
async function createOnce(handler: ResourceHandler, event: CustomResourceEvent, token: string, lock: CreateLock,
  found: () => Promise<string[]>): Promise<DescribedResource> {
  const earlier = await lock.takeOrAwait(token, handler.noun, found) ?? await found();
  if (earlier.length > 0) {
    log('found what an earlier delivery of this request created', { arn: earlier[0] });
    return keepOne(handler, earlier, event);
  }
  const tags = { ...tagsOf(event.ResourceProperties), [CREATE_REQUEST_TAG]: token };
  const { result, error, unanswered } = await watchingAttempts(() => handler.create(requestOf(event.ResourceProperties), tags, event));
  if (!unanswered) {
    if (error !== undefined) {
      throw error;
    }
    return result;
  }
  const made = await found();
  if (result?.arn && !made.includes(result.arn)) {
    made.push(result.arn);
  }
  if (made.length === 0) {
    throw error;
  }
  log('an attempt of the create was not answered: keeping one of what the attempts made', { made });
  return keepOne(handler, made, event, result);
}

/** Keeps the first of `arns` (the one every delivery of the request picks), deletes the others, and describes the one kept. */
async function keepOne(handler: ResourceHandler, arns: string[], event: CustomResourceEvent, known?: DescribedResource): Promise<DescribedResource> {
  const [kept, ...extra] = [...arns].sort();
  for (const arn of extra) {
    await handler.delete(arn, event).catch((error: unknown) => {
      if (!isNotFound(error)) {
        throw new Error(`deleting ${handler.noun} ${arn}, a second one the request made, failed: ${describeError(error)}`);
      }
    });
    log('deleted a second one the request made', { arn });
  }
  return known?.arn === kept ? known : (await handler.get(kept))!;
}

/**
 * The resource, when it already has the settings that would otherwise replace it. CloudFormation rolls a failed update
 * back by sending the old properties again, which the resource still has: replacing it then would make a needless copy
 * (or fail: IVS holds a public key once) and could leave the stack in UPDATE_ROLLBACK_FAILED. A setting the props
 * leave out may or may not be the service's default, so it never counts as a match.
 */
async function alreadyHas(handler: ResourceHandler, arn: string, request: Request, keys: string[]): Promise<DescribedResource | undefined> {
  if (keys.some((key) => request[key] === undefined)) {
    return undefined;
  }
  const current = await handler.get(arn) as Request | undefined;
  return keys.every((key) => isDeepStrictEqual(current?.[key], request[key])) ? current : undefined;
}

/**
 * Deletes the resource. Types that compositions hold wait for them, or defer the delete until they end, rather than fail:
 * CloudFormation ignores a failed delete of its cleanup phase, which would leave the resource behind unnoticed.
 */
async function remove(handler: ResourceHandler, event: CustomResourceEvent, ivs: IVSRealTimeClient): Promise<CustomResourceResponse> {
  const arn = event.PhysicalResourceId!;
  try {
    if (isHeldByCompositions(handler)) {
      await deleteOrDefer(ivs, handler, arn, event);
    } else {
      await handler.delete(arn, event);
      log('deleted', { arn });
    }
  } catch (error) {
    if (!isNotFound(error)) {
      throw error;
    }
    log('already deleted', { arn });
  }
  return { PhysicalResourceId: arn };
}

function tagsOf(properties: Record<string, any>): Tags | undefined {
  const tags = properties[Property.TAGS];
  return tags && Object.keys(tags).length > 0 ? tags : undefined;
}

function arnOf(handler: ResourceHandler, resource: DescribedResource | undefined): string {
  if (!resource?.arn) {
    throw new Error(`the service returned no ${handler.noun}`);
  }
  return resource.arn;
}

function respond(handler: ResourceHandler, resource: DescribedResource, action: string): CustomResourceResponse {
  const arn = arnOf(handler, resource);
  log(action, { arn });
  return { PhysicalResourceId: arn, Data: { [Attribute.ARN]: arn, ...handler.attributes?.(resource) } };
}
