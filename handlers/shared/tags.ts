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
