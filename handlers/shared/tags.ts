import { LIBRARY_TAG_PREFIX, Property } from '../../lib/private/contract';
import { log } from './log';

export type Tags = Record<string, string>;

export interface TagDiff {
  /** Tags to add or change. */
  readonly toSet: Tags;
  /** Keys to remove. */
  readonly toRemove: string[];
}

/** What changes between two tag sets. */
export function diffTags(oldTags: Tags | undefined, newTags: Tags | undefined): TagDiff {
  const before = oldTags ?? {};
  const after = newTags ?? {};
  const toSet = Object.fromEntries(Object.entries(after).filter(([key, value]) => before[key] !== value));
  const toRemove = Object.keys(before).filter((key) => !(key in after));
  return { toSet, toRemove };
}

/** The parts of a custom resource event whose tags the handler reads. */
interface TaggedEvent {
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

/**
 * `event` with the tags of its properties (and old properties) rid of every key under the library's prefix, which only
 * the handler itself may set: a resource tagged by the template with a deferred delete's mark would be deleted by the
 * sweep while the stack uses it. Synth refuses such keys; this is for a template the constructs did not write. The one
 * place the handler drops them, before anything reads the tags.
 */
export function withoutLibraryTags<T extends TaggedEvent>(event: T): T {
  const clean = (properties: Record<string, any> | undefined) => {
    const tags: unknown = properties?.[Property.TAGS];
    if (!tags || typeof tags !== 'object') {
      return properties;
    }
    const reserved = Object.keys(tags).filter(isLibraryTagKey);
    if (reserved.length === 0) {
      return properties;
    }
    log('ignoring tags under the library\'s prefix', { keys: reserved });
    return {
      ...properties,
      [Property.TAGS]: Object.fromEntries(Object.entries(tags).filter(([key]) => !isLibraryTagKey(key))),
    };
  };
  const properties = clean(event.ResourceProperties)!;
  const oldProperties = clean(event.OldResourceProperties);
  return properties === event.ResourceProperties && oldProperties === event.OldResourceProperties
    ? event
    : { ...event, ResourceProperties: properties, ...(oldProperties ? { OldResourceProperties: oldProperties } : {}) };
}

function isLibraryTagKey(key: string): boolean {
  return key.toLowerCase().startsWith(LIBRARY_TAG_PREFIX);
}
