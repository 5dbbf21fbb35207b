export * from './encoder-configuration';
export * from './ingest-configuration';
export * from './public-key';
export * from './recording-thumbnails';
export * from './stage';
export * from './stage-recording';
export * from './storage-configuration';
