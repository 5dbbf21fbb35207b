import { coerceScalars } from '../../handlers/shared/coerce';
import { encoderConfigurationHandler } from '../../handlers/provider/encoder-configuration';
import { ingestConfigurationHandler } from '../../handlers/provider/ingest-configuration';
import { publicKeyHandler } from '../../handlers/provider/public-key';
import { stageHandler } from '../../handlers/provider/stage';
import { storageConfigurationHandler } from '../../handlers/provider/storage-configuration';
import { ResourceHandler } from '../../handlers/provider/resource-handler';
import * as constraints from '../support/ivs-realtime-api-constraints.json';

describe('coerceScalars', () => {
  test('turns stringified numbers and booleans back at the given paths, in structures and lists', () => {
    const input = { a: { n: '30', b: 'false', name: '123' }, list: [{ n: '1.5' }, { n: '2' }] };
    expect(coerceScalars(input, { integers: ['a.n'], floats: ['list[].n'], booleans: ['a.b'] }))
      .toEqual({ a: { n: 30, b: false, name: '123' }, list: [{ n: 1.5 }, { n: 2 }] });
  });

  test('leaves values that are not numbers or booleans for the service to reject', () => {
    expect(coerceScalars({ n: 'ten', b: 'yes' }, { integers: ['n'], booleans: ['b'] })).toEqual({ n: 'ten', b: 'yes' });
  });

  test('ignores paths that are absent', () => {
    expect(coerceScalars({}, { integers: ['a.b.c', 'x[].y'] })).toEqual({});
  });
});

/** Every handler's scalar paths are exactly the non-string scalars of its create request in the API model. */
describe.each<[string, ResourceHandler, string]>([
  ['stage', stageHandler, 'CreateStage'],
  ['storage configuration', storageConfigurationHandler, 'CreateStorageConfiguration'],
  ['encoder configuration', encoderConfigurationHandler, 'CreateEncoderConfiguration'],
  ['ingest configuration', ingestConfigurationHandler, 'CreateIngestConfiguration'],
  ['public key', publicKeyHandler, 'ImportPublicKey'],
])('%s handler scalar paths', (_name, handler, operation) => {
  test(`match the ${operation} members typed integer, float and boolean`, () => {
    const members = (constraints as any).operations[operation].members as Array<{ path: string; type: string }>;
    const pathsOf = (type: string) => members.filter((m) => m.type === type && !m.path.startsWith('tags')).map((m) => m.path).sort();
    expect([...(handler.scalars.integers ?? [])].sort()).toEqual(pathsOf('integer'));
    expect([...(handler.scalars.floats ?? [])].sort()).toEqual(pathsOf('float'));
    expect([...(handler.scalars.booleans ?? [])].sort()).toEqual(pathsOf('boolean'));
  });
});
