import { isDeepStrictEqual } from 'util';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { Attribute, Property } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { coerceScalars } from '../shared/coerce';
import { describeError, isNotFound } from '../shared/errors';
import { diffTags, Tags } from '../shared/tags';
import { CustomResourceEvent, CustomResourceResponse } from './event';
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

  public async onEvent(event: CustomResourceEvent): Promise<CustomResourceResponse> {
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
    try {
      switch (event.RequestType) {
        case 'Create':
          return respond(await handler.create(configOf(event.ResourceProperties, handler), tagsOf(event.ResourceProperties), event), 'created');
        case 'Update':
          return await update(handler, event);
        case 'Delete':
          return await remove(handler, event);
      }
    } catch (error) {
      // one line that says what failed and why: this is what CloudFormation shows the user.
      throw new Error(`${event.RequestType} ${handler.noun} ${event.LogicalResourceId} failed: ${describeError(error)}`);
    }
  }
}

async function update(handler: ResourceHandler, event: CustomResourceEvent): Promise<CustomResourceResponse> {
  const arn = event.PhysicalResourceId!;
  const config = configOf(event.ResourceProperties, handler);
  const oldConfig = configOf(event.OldResourceProperties ?? {}, handler);
  const changedKeys = [...new Set([...Object.keys(config), ...Object.keys(oldConfig)])]
    .filter((key) => !isDeepStrictEqual(config[key], oldConfig[key]));

  const fixedKeys = changedKeys.filter((key) => !handler.updatableKeys.includes(key));
  if (fixedKeys.length > 0) {
    // a new resource under a new physical ID: CloudFormation deletes the old one once the whole update succeeds.
    log('replacing', { arn, because: fixedKeys });
    return respond(await handler.create(config, tagsOf(event.ResourceProperties), event), 'created as a replacement');
  }

  const outcome = changedKeys.length > 0
    ? await handler.update!(arn, config, changedKeys, event)
    : await handler.describe(arn, config, event);
  await applyTagChanges(arn, tagsOf(event.OldResourceProperties ?? {}), tagsOf(event.ResourceProperties));
  return respond(outcome, changedKeys.length > 0 ? 'updated' : 'unchanged');
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

/** Logs what happened, never properties or attributes: they could hold secrets. */
function log(message: string, details: Record<string, unknown>): void {
  console.log(JSON.stringify({ message, ...details }));
}
