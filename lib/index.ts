export * from './recording-thumbnails';
export * from './stage';
export * from './storage-configuration';
