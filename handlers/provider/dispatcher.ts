import { isDeepStrictEqual } from 'util';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { Attribute, Property } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { coerceScalars } from '../shared/coerce';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { diffTags, Tags } from '../shared/tags';
import { CustomResourceEvent, CustomResourceResponse, LambdaContext } from './event';
import { Config, Outcome, ResourceHandler } from './resource-handler';

/** Only IVS ARNs name resources we made; anything else is a physical ID from a Create that failed. */
const IVS_ARN = /^arn:aws[-a-z]*:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+\/[a-zA-Z0-9-]+$/;

/**
 * Routes a custom resource event to the handler of its resource type, and applies the rules every
 * resource type shares: replacement when a property the API cannot update changes, tag diffs, the
 * delete guards, and short failure reasons.
 */
export class Dispatcher {
  constructor(private readonly handlers: Record<string, ResourceHandler>) {}

  /** `context` is Lambda's: its remaining time lets the handler give a clear answer before Lambda's timeout cuts it off. */
  public async onEvent(event: CustomResourceEvent, context?: LambdaContext): Promise<CustomResourceResponse> {
    const handler = this.handlers[event.ResourceType];
    if (!handler) {
      throw new Error(`unsupported resource type ${event.ResourceType}; supported: ${Object.keys(this.handlers).join(', ')}`);
    }
    log('request', {
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    const progress: Progress = { creating: event.RequestType === 'Create' };
    try {
      return await beforeDeadline(dispatch(handler, event, progress), context, handler, event, progress);
    } catch (error) {
      // one line that says what failed and why: this is what CloudFormation shows the user.
      throw new Error(`${event.RequestType} ${handler.noun} ${event.LogicalResourceId} failed: ${describeError(error)}`);
    }
  }
}

/** What a request is doing, for the message of a request the handler stops waiting for. */
interface Progress {
  /** Whether a resource is being created (a Create, or an Update that replaces). */
  creating: boolean;
}

async function dispatch(handler: ResourceHandler, event: CustomResourceEvent, progress: Progress): Promise<CustomResourceResponse> {
  switch (event.RequestType) {
    case 'Create':
      return respond(await handler.create(configOf(event.ResourceProperties, handler), tagsOf(event.ResourceProperties), event), 'created');
    case 'Update':
      return update(handler, event, progress);
    case 'Delete':
      return remove(handler, event);
  }
}

/**
 * Settles `work` before Lambda's timeout, failing with what may still happen if the services answer too slowly
 * (throttled, retrying or slow): Lambda's own timeout would tell CloudFormation only "Task timed out".
 */
async function beforeDeadline<T>(work: Promise<T>, context: LambdaContext | undefined, handler: ResourceHandler,
  event: CustomResourceEvent, progress: Progress): Promise<T> {
  if (!context) {
    return work;
  }
  const remaining = context.getRemainingTimeInMillis();
  // enough to log and answer: a second, or a tenth of the time when the function's timeout is under ten seconds.
  const reserve = Math.min(1000, remaining / 10);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      log('giving up before the timeout', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
      const consequence = progress.creating ? STILL_POSSIBLE.Create : STILL_POSSIBLE[event.RequestType];
      reject(new Error(`no answer from AWS before the handler's time limit; ${consequence(handler.noun)}`));
    }, remaining - reserve);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a request the handler stopped waiting for may still do, and what to do about it. */
const STILL_POSSIBLE: Record<CustomResourceEvent['RequestType'], (noun: string) => string> = {
  Create: (noun) => `the ${noun} may still be created, outside the stack (CloudFormation never learns its ARN): `
    + 'if it appears, delete it by hand',
  Update: (noun) => `the update may still reach the ${noun} after CloudFormation rolls it back: deploy the update again`,
  Delete: (noun) => `the ${noun} may still be deleted: delete the stack again to finish`,
};

async function update(handler: ResourceHandler, event: CustomResourceEvent, progress: Progress): Promise<CustomResourceResponse> {
  const arn = event.PhysicalResourceId!;
  const config = configOf(event.ResourceProperties, handler);
  const oldConfig = configOf(event.OldResourceProperties ?? {}, handler);
  const changedKeys = [...new Set([...Object.keys(config), ...Object.keys(oldConfig)])]
    .filter((key) => !isDeepStrictEqual(config[key], oldConfig[key]));

  const fixedKeys = changedKeys.filter((key) => !handler.updatableKeys.includes(key));
  if (fixedKeys.length > 0 && !(await alreadyHas(handler, arn, config, fixedKeys))) {
    // a new resource under a new physical ID: CloudFormation deletes the old one once the whole update succeeds.
    log('replacing', { arn, because: fixedKeys });
    progress.creating = true;
    return respond(await handler.create(config, tagsOf(event.ResourceProperties), event), 'created as a replacement');
  }

  const inPlaceKeys = changedKeys.filter((key) => handler.updatableKeys.includes(key));
  const outcome = inPlaceKeys.length > 0
    ? await handler.update!(arn, config, inPlaceKeys, event)
    : await handler.describe(arn, config, event);
  await applyTagChanges(arn, tagsOf(event.OldResourceProperties ?? {}), tagsOf(event.ResourceProperties));
  return respond(outcome, inPlaceKeys.length > 0 ? 'updated' : 'unchanged');
}

/**
 * Whether the resource already has the settings that would otherwise replace it. CloudFormation rolls a failed update
 * back by sending the old properties again, which the resource still has: replacing it then would make a needless copy
 * (or fail: IVS holds a public key once) and could leave the stack in UPDATE_ROLLBACK_FAILED. A setting the props
 * leave out may or may not be the service's default, so it never counts as a match.
 */
async function alreadyHas(handler: ResourceHandler, arn: string, config: Config, keys: string[]): Promise<boolean> {
  if (!handler.read || keys.some((key) => config[key] === undefined)) {
    return false;
  }
  const current = await handler.read(arn) as Config | undefined;
  return keys.every((key) => isDeepStrictEqual(current?.[key], config[key]));
}

async function remove(handler: ResourceHandler, event: CustomResourceEvent): Promise<CustomResourceResponse> {
  const physicalId = event.PhysicalResourceId!;
  if (!IVS_ARN.test(physicalId)) {
    log('nothing to delete', { physicalResourceId: physicalId });
    return { PhysicalResourceId: physicalId };
  }
  try {
    await handler.delete(physicalId, event);
    log('deleted', { arn: physicalId });
  } catch (error) {
    if (!isNotFound(error)) {
      throw error;
    }
    log('already deleted', { arn: physicalId });
  }
  return { PhysicalResourceId: physicalId };
}

async function applyTagChanges(arn: string, oldTags: Tags | undefined, newTags: Tags | undefined): Promise<void> {
  const { toSet, toRemove } = diffTags(oldTags, newTags);
  if (Object.keys(toSet).length > 0) {
    await ivsClient().send(new TagResourceCommand({ resourceArn: arn, tags: toSet }));
  }
  if (toRemove.length > 0) {
    await ivsClient().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: toRemove }));
  }
}

function configOf(properties: Record<string, any>, handler: ResourceHandler): Config {
  return coerceScalars(properties[Property.CONFIG] ?? {}, handler.scalars);
}

function tagsOf(properties: Record<string, any>): Tags | undefined {
  const tags = properties[Property.TAGS];
  return tags && Object.keys(tags).length > 0 ? tags : undefined;
}

function respond(outcome: Outcome, action: string): CustomResourceResponse {
  log(action, { arn: outcome.arn });
  return { PhysicalResourceId: outcome.arn, Data: { [Attribute.ARN]: outcome.arn, ...outcome.attributes } };
}
