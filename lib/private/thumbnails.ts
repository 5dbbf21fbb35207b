import { RecordingThumbnails, ThumbnailStorage } from '../recording-thumbnails';
import { PropsValidator } from './validation';

/** Checks a `RecordingThumbnails` against the API's rules (interval 1-86,400 s; storage up to 2, no duplicates). */
export function validateThumbnails(validator: PropsValidator, prop: string, thumbnails: RecordingThumbnails | undefined): void {
  if (!thumbnails?.enabled) {
    return;
  }
  validator.wholeSeconds(`${prop}.interval`, thumbnails.targetInterval, 1, 86_400);
  const storage = thumbnails.storage;
  validator.listSize(`${prop}.storage`, storage, 0, 2);
  validator.check(storage === undefined || new Set(storage).size === storage.length,
    `\`${prop}.storage\` must not repeat a storage mode, got ${JSON.stringify(storage)}`);
  for (const mode of storage ?? []) {
    validator.oneOf(`${prop}.storage`, mode, Object.values(ThumbnailStorage));
  }
}

/** The API's thumbnail settings (`targetIntervalSeconds`, `storage`, its default made explicit), without the recording mode. */
export function renderThumbnailSettings(thumbnails: RecordingThumbnails): Record<string, unknown> {
  return {
    targetIntervalSeconds: thumbnails.targetInterval?.toSeconds(),
    storage: thumbnails.storage ?? [ThumbnailStorage.SEQUENTIAL],
  };
}
