import { isDeepStrictEqual } from 'util';
import { IVSRealTimeClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { Attribute, Property } from '../../lib/private/contract';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { diffTags, Tags, withoutLibraryTags } from '../shared/tags';
import {
  abandonedReplacementKey, CREATE_REQUEST_TAG, createRequestToken, failedCreatePhysicalId, Request, requestOf, tokenOfFailedCreate,
} from './create-request';
import { Claim, CreateRequests } from './create-requests';
import { deleteOrDefer, isHeldByCompositions, SweepArming } from './deferred-deletes';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { RequestContext } from './request-context';
import { DescribedResource, ResourceHandler } from './resource-handler';

/**
 * A request the handler cannot answer yet, within its time: the invocation fails without answering, so that Lambda
 * delivers the request again (after a minute, then two: its asynchronous retries), within CloudFormation's service timeout.
 */
export class AnswerLater extends Error {}

/** A request that failed: its one-line reason, and whether the request may have made something in IVS. */
class RequestFailed extends Error {
  constructor(reason: string, public readonly mayHaveCreated: boolean) {
    super(reason.replace(/\s*\n\s*/g, ' '));
  }
}

/** The physical ID a create that failed before calling IVS answers: the rollback's delete of it has nothing to do. */
const NOTHING_CREATED = 'cdk-ivs-realtime:nothing-created';

/** The answer to one CloudFormation request, as the handler sends it to the ResponseURL. */
export interface Answer extends CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
}

/**
 * Routes a custom resource event to the handler of its resource type, and applies the rules every resource type shares:
 * replacement when a property the API cannot update changes, tag diffs, the delete guards, the turns deliveries of one
 * create request take, and short failure reasons.
 */
export class Dispatcher {
  /**
   * `ivs` is the client every handler was made with (for the tag diffs every type shares); `requests`, the stack's
   * create-request table (absent outside Lambda: deliveries then do not coordinate); `arming`, the sweep's schedule.
   */
  constructor(private readonly handlers: Record<string, ResourceHandler>, private readonly ivs: IVSRealTimeClient,
    private readonly requests?: CreateRequests, private readonly arming?: SweepArming) {}

  /**
   * CloudFormation's answer to `event`: never throws. A failed create answers a physical ID that names its request.
   * Undefined when the request must be delivered again before it can be answered (`AnswerLater`).
   */
  public async answer(event: CustomResourceEvent, context?: LambdaContext): Promise<Answer | undefined> {
    try {
      return { Status: 'SUCCESS', ...await this.onEvent(event, context) };
    } catch (error) {
      if (error instanceof AnswerLater) {
        log('answering after a redelivery', { logicalResourceId: event.LogicalResourceId, why: error.message });
        return undefined;
      }
      const physicalId = event.RequestType !== 'Create' ? event.PhysicalResourceId!
        : error instanceof RequestFailed && !error.mayHaveCreated ? NOTHING_CREATED : failedCreatePhysicalId(createRequestToken(event));
      // the one line, then where the handler logs (as aws-cdk-lib's Provider framework shows it): no stack trace.
      const logs = context?.logGroupName ? `\n\nLogs: ${context.logGroupName}\n` : '';
      return { Status: 'FAILED', Reason: `${(error as Error).message}${logs}`, PhysicalResourceId: physicalId };
    }
  }

  /** The response to `event`, or an error whose message is the one line CloudFormation shows. */
  public async onEvent(received: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
    const event = withoutLibraryTags(received);
    const handler = this.handlers[event.ResourceType];
    if (!handler) {
      if (event.RequestType === 'Delete') {
        return { PhysicalResourceId: event.PhysicalResourceId! }; // nothing of it was ever made.
      }
      throw new RequestFailed(`unsupported resource type ${event.ResourceType}; supported: ${Object.keys(this.handlers).join(', ')}`, false);
    }
    log('request', {
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    const remaining = context?.getRemainingTimeInMillis();
    // time kept to answer CloudFormation (its PUT and retries): a fifth of the time, at most 4 s.
    const answerBy = remaining === undefined ? undefined : Date.now() + remaining - Math.min(4000, remaining / 5);
    const request = new RequestContext(event, remaining, answerBy);
    try {
      const response = await this.beforeDeadline(handler, request);
      return request.notes.length > 0 ? { ...response, Reason: request.notes.join(' ') } : response;
    } catch (error) {
      if (error instanceof AnswerLater) {
        throw error;
      }
      // one line that says what failed and why: this is what CloudFormation shows the user.
      throw new RequestFailed(`${event.RequestType} ${handler.noun} ${event.LogicalResourceId} failed: ${describeError(error)}`, request.mayHaveCreated);
    }
  }

  /**
   * Deletes what a create answered successfully made when the answer could not reach CloudFormation: the stack never learns
   * of it, so nothing else would. The request is forgotten, so that a redelivery creates again.
   */
  public async undoCreate(event: CustomResourceEvent, answer: Answer): Promise<void> {
    const handler = this.handlers[event.ResourceType];
    if (!handler?.findCreated || answer.PhysicalResourceId === event.PhysicalResourceId) {
      return;
    }
    await handler.delete(answer.PhysicalResourceId, new RequestContext(event)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    await this.requests?.forget(createRequestToken(event));
    log('deleted what the create made: its answer did not reach CloudFormation', { arn: answer.PhysicalResourceId });
  }

  /**
   * Settles the request before its time limit, failing with what may still happen if the services answer too slowly
   * (throttled, retrying or slow): Lambda's own timeout would tell CloudFormation only "Task timed out". A create given up
   * is stopped, and left to the rollback's delete (its physical ID names the request).
   */
  private async beforeDeadline(handler: ResourceHandler, request: RequestContext): Promise<CustomResourceResponse> {
    const work = this.dispatch(handler, request);
    const timeLeft = request.timeLeft();
    if (timeLeft === undefined) {
      return work;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        request.giveUp();
        log('giving up before the timeout', { requestType: request.event.RequestType, logicalResourceId: request.event.LogicalResourceId });
        void this.stillPossible(handler, request).then((then) => reject(new Error(`no answer from AWS before the handler's time limit; ${then}`)));
      }, timeLeft);
    });
    try {
      // once given up, the aborted calls' errors are not the answer: what may still happen is.
      return await Promise.race([work.catch((error: unknown) => (request.gaveUp ? deadline : Promise.reject(error))), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** What a request the handler stopped waiting for may still do, and what to do about it. */
  private async stillPossible(handler: ResourceHandler, request: RequestContext): Promise<string> {
    const { event } = request;
    const tag = `tag ${CREATE_REQUEST_TAG}=${createRequestToken(event)}`;
    switch (event.RequestType) {
      case 'Create':
        return `the ${handler.noun} may still be created (${tag}): the rollback deletes it`;
      case 'Update':
        if (!request.creating) {
          return `the update may still reach the ${handler.noun} after CloudFormation rolls it back: deploy the update again`;
        }
        // the rollback's update of the old resource finds the replacement through this record (cleanUpAbandonedReplacement).
        await this.requests?.pointToAbandonedReplacement(abandonedReplacementKey(event, event.ResourceProperties), createRequestToken(event))
          .catch((error: unknown) => log('could not record the replacement given up', { error: describeError(error) }));
        return `a new ${handler.noun} may still be created (${tag}): the rollback deletes it`;
      case 'Delete':
        return `the ${handler.noun} may still be deleted: delete the stack again to finish`;
    }
  }

  private async dispatch(handler: ResourceHandler, request: RequestContext): Promise<CustomResourceResponse> {
    switch (request.event.RequestType) {
      case 'Create':
        return respond(handler, await this.create(handler, request), 'created');
      case 'Update':
        return this.update(handler, request);
      case 'Delete':
        return this.remove(handler, request);
    }
  }

  private async update(handler: ResourceHandler, request: RequestContext): Promise<CustomResourceResponse> {
    const { event } = request;
    const arn = event.PhysicalResourceId!;
    const wanted = requestOf(event.ResourceProperties);
    const previous = requestOf(event.OldResourceProperties ?? {});
    const changedKeys = [...new Set([...Object.keys(wanted), ...Object.keys(previous)])]
      .filter((key) => !isDeepStrictEqual(wanted[key], previous[key]));
    const updatable: readonly string[] = handler.updatableKeys ?? [];

    const fixedKeys = changedKeys.filter((key) => !updatable.includes(key));
    let current: DescribedResource | undefined;
    if (fixedKeys.length > 0) {
      current = await alreadyHas(handler, arn, wanted, fixedKeys);
      if (!current) {
        // a new resource under a new physical ID: CloudFormation deletes the old one once the whole update succeeds.
        log('replacing', { arn, because: fixedKeys });
        request.creating = true;
        return respond(handler, await this.create(handler, request), 'created as a replacement');
      }
      // the rollback of a failed replacement: what a replacement given up on may have made goes with it.
      await this.cleanUpAbandonedReplacement(handler, request);
    }

    const inPlaceKeys = changedKeys.filter((key) => updatable.includes(key));
    if (inPlaceKeys.length > 0 && handler.updatableKeys) {
      current = await handler.update(arn, wanted, inPlaceKeys, request);
    } else if (!current && (handler.attributes || handler.afterDeploy)) {
      current = await handler.get(arn);
    }
    await handler.afterDeploy?.(current!, request);
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

  /**
   * Creates the resource, exactly once for the request however often it is delivered, then whatever must follow it outside
   * IVS. If that fails, the new resource is deleted again: its physical ID never reaches CloudFormation, so nothing else
   * would. The fault-free path makes one IVS call (the create) and two writes to the create-request table.
   */
  private async create(handler: ResourceHandler, request: RequestContext): Promise<DescribedResource> {
    const { event } = request;
    if (!handler.findCreated) {
      // nothing in IVS behind it: every delivery answers the same, with no turn to take.
      return handler.create(requestOf(event.ResourceProperties), tagsOf(event.ResourceProperties), request);
    }
    const token = createRequestToken(event);
    const earlier = await this.takeTurn(handler, request, token);
    const created = earlier.length > 0 ? await this.keepOne(handler, earlier, request) : await this.createOnce(handler, request, token);
    await this.requests?.created(token, created.arn!);
    try {
      await handler.afterDeploy?.(created, request);
    } catch (error) {
      const undone = await handler.delete(created.arn!, request).then(() => this.requests?.forget(token), (undoError: unknown) => undoError);
      throw new Error(describeError(error)
        + (undone ? `; deleting the new ${handler.noun} ${created.arn} failed too: ${describeError(undone)}` : ''));
    }
    return created;
  }

  /**
   * This delivery's turn at the request: empty when it may create, or what an earlier delivery made. A delivery that finds
   * the request claimed waits for what the claimant records; one whose claim ran out with nothing recorded (the claimant
   * was stopped, or gave up) is taken over, and only then is IVS searched for what it may have made.
   */
  private async takeTurn(handler: ResourceHandler, request: RequestContext, token: string): Promise<string[]> {
    if (!this.requests) {
      return [];
    }
    const claim = claimOf(request);
    let held = await this.requests.claim(token, claim);
    request.tookTurn();
    for (; held; held = await this.requests.get(token) ?? await this.requests.claim(token, claim)) {
      if (held.arn) {
        log('found what an earlier delivery of this request created', { arn: held.arn });
        return [held.arn];
      }
      if (held.leaseUntil <= Date.now() && await this.requests.takeOver(token, held, claim)) {
        log('took over a create request whose delivery stopped: looking for what it made', { token });
        return handler.findCreated!(token, requestOf(request.event.ResourceProperties));
      }
      if ((request.timeLeft() ?? Infinity) < 2 * request.pollMs) {
        throw new Error(`another delivery of this request is creating the ${handler.noun}, and none appeared before the handler's time limit`);
      }
      log('another delivery of this request is creating: waiting for what it makes', { token });
      await sleep(request.pollMs);
    }
    return [];
  }

  /**
   * One create call. An attempt of it that may have taken effect unanswered (a server error, a reset connection, a timeout)
   * makes the handler look for what the attempts made (by the create-request tag), keep one and delete the rest.
   */
  private async createOnce(handler: ResourceHandler, request: RequestContext, token: string): Promise<DescribedResource> {
    const { event } = request;
    const tags = { ...tagsOf(event.ResourceProperties), [CREATE_REQUEST_TAG]: token };
    let result: DescribedResource;
    try {
      result = await handler.create(requestOf(event.ResourceProperties), tags, request);
    } catch (error) {
      if (request.gaveUp) {
        throw error; // the claim stays: the rollback's delete looks for what the stopped attempt may still make.
      }
      if (!request.unanswered) {
        await this.requests?.forget(token);
        throw error;
      }
      const made = await this.madeUnanswered(handler, request, token);
      if (made.length === 0) {
        await this.requests?.forget(token);
        throw error;
      }
      return this.keepOne(handler, made, request);
    }
    if (!request.unanswered) {
      return result;
    }
    const made = await this.madeUnanswered(handler, request, token);
    log('an attempt of the create was not answered: keeping one of what the attempts made', { made });
    return this.keepOne(handler, made.includes(result.arn!) ? made : [...made, result.arn!], request, result);
  }

  /**
   * What the request made, found by its tag once its unanswered attempts can no longer take effect (as far as the handler
   * waits: `unansweredSettleBy`, within its time). The claim records that attempts went unanswered, so that a rollback's
   * delete searches too.
   */
  private async madeUnanswered(handler: ResourceHandler, request: RequestContext, token: string): Promise<string[]> {
    await this.requests?.unanswered(token);
    const workBy = request.answerBy === undefined ? Infinity : request.answerBy - Math.min(10_000, (request.timeLimit ?? 0) / 4);
    await sleep(Math.min(request.unansweredSettleBy ?? 0, workBy) - Date.now());
    return handler.findCreated!(token, requestOf(request.event.ResourceProperties));
  }

  /** Keeps the first of `arns` (the one every delivery of the request picks), deletes the others, and describes the one kept. */
  private async keepOne(handler: ResourceHandler, arns: string[], request: RequestContext, known?: DescribedResource): Promise<DescribedResource> {
    const [kept, ...extra] = [...arns].sort();
    await this.deleteAll(handler, extra, request);
    return known?.arn === kept ? known : (await handler.get(kept))!;
  }

  private async deleteAll(handler: ResourceHandler, arns: string[], request: RequestContext): Promise<void> {
    for (const arn of arns) {
      await handler.delete(arn, request).catch((error: unknown) => {
        if (!isNotFound(error)) {
          throw new Error(`deleting ${handler.noun} ${arn}, which the request made, failed: ${describeError(error)}`);
        }
      });
      log('deleted what a create request made', { arn });
    }
  }

  /**
   * Deletes the resource. Types that compositions hold wait for them, or defer the delete until they end, rather than fail:
   * CloudFormation ignores a failed delete of its cleanup phase, which would leave the resource behind unnoticed. The
   * delete of a failed create deletes what its request may have made.
   */
  private async remove(handler: ResourceHandler, request: RequestContext): Promise<CustomResourceResponse> {
    const arn = request.event.PhysicalResourceId!;
    const token = tokenOfFailedCreate(arn);
    if (token) {
      await this.finishAbandonedCreate(handler, request, token);
      return { PhysicalResourceId: arn };
    }
    if (handler.findCreated && !arn.startsWith('arn:')) {
      return { PhysicalResourceId: arn }; // no resource behind it.
    }
    try {
      if (isHeldByCompositions(handler)) {
        await deleteOrDefer(this.ivs, handler, arn, request.event, this.arming);
      } else {
        await handler.delete(arn, request);
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

  /**
   * Deletes whatever the create request of `token` made, which CloudFormation never learned of: a create that failed or
   * was given up. What its delivery recorded, with every attempt answered, is deleted at once. Otherwise an attempt may
   * still take effect in IVS until the claim's `watchUntil`: this delete waits for it (within its own time), then finds
   * by the create-request tag what the request made, and deletes it. When its own time ends first, it deletes what is
   * there already and asks Lambda to deliver it again (`AnswerLater`): the redelivery looks once more, after `watchUntil`.
   */
  private async finishAbandonedCreate(handler: ResourceHandler, request: RequestContext, token: string): Promise<void> {
    if (!this.requests || !handler.findCreated) {
      return;
    }
    const settled = await this.requests.get(token);
    if (!settled) {
      return; // it made nothing (or a week has passed).
    }
    if (settled.arn && !settled.unanswered) {
      await this.deleteAll(handler, [settled.arn], request);
      await this.requests.forget(token);
      return;
    }
    // time kept for the search and the deletes after the wait: a quarter of the request's time, at most 10 s.
    const workBy = request.answerBy === undefined ? Infinity : request.answerBy - Math.min(10_000, (request.answerBy - request.startedAt) / 4);
    await sleep(Math.min(settled.watchUntil, workBy) - Date.now());
    const record = await this.requests.get(token) ?? settled;
    const made = await handler.findCreated(token, requestOf(request.event.ResourceProperties));
    await this.deleteAll(handler, [...new Set([...made, ...record.arn ? [record.arn] : []])], request);
    if (Date.now() < record.watchUntil) {
      throw new AnswerLater(`an attempt of the create may still take effect until ${new Date(record.watchUntil).toISOString()}`);
    }
    await this.requests.forget(token);
  }

  /**
   * The rollback of a replacement given up on: deletes what its create request may have made (stillPossible recorded it).
   * A table that cannot be read does not fail the rollback (it completes, and the update it rolls back failed before
   * anything was recorded there, or the replacement is left with its tag: the log says so).
   */
  private async cleanUpAbandonedReplacement(handler: ResourceHandler, request: RequestContext): Promise<void> {
    const key = abandonedReplacementKey(request.event, request.event.OldResourceProperties ?? {});
    const token = await this.requests?.abandonedReplacement(key).catch((error: unknown) => {
      log('could not look for a replacement given up on', { logicalResourceId: request.event.LogicalResourceId, error: describeError(error) });
      return undefined;
    });
    if (token) {
      await this.finishAbandonedCreate(handler, request, token);
      await this.requests!.forget(key);
    }
  }
}

/**
 * A delivery's claim: it may be creating until its answer is due, and a little longer (an attempt it stops then may still be
 * on its way: a tenth of its time, at most 10 s). What it stopped may take effect in IVS until one more of its time limits
 * has passed after its own ended (3 minutes in Lambda; how late IVS may complete a create is not published).
 */
function claimOf(request: RequestContext): Claim {
  const timeLimit = request.timeLimit ?? DEFAULT_TIME_LIMIT_MS;
  const answerBy = request.answerBy ?? request.startedAt + timeLimit;
  return { leaseUntil: answerBy + Math.min(10_000, timeLimit / 10), watchUntil: request.startedAt + 2 * timeLimit };
}

/** The time limit of a delivery with none (outside Lambda): the handler's timeout. */
const DEFAULT_TIME_LIMIT_MS = 180_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
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

function tagsOf(properties: Record<string, any>): Tags | undefined {
  const tags = properties[Property.TAGS];
  return tags && Object.keys(tags).length > 0 ? tags : undefined;
}

function respond(handler: ResourceHandler, resource: DescribedResource, action: string): CustomResourceResponse {
  if (!resource?.arn) {
    throw new Error(`the service returned no ${handler.noun}`);
  }
  log(action, { arn: resource.arn });
  return { PhysicalResourceId: resource.arn, Data: { [Attribute.ARN]: resource.arn, ...handler.attributes?.(resource) } };
}
