import * as fs from 'fs';
import * as path from 'path';
import { ApiConstraints, buildConstraints, documentedDefault } from '../../scripts/build-ivs-constraints';

/** scripts/build-ivs-constraints.ts, which builds testing/ivs-realtime-api-constraints.json from botocore's model. */
describe('the API constraints the fake IVS validates against', () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'tiny-service-2.json'), 'utf8'));
  const committed: ApiConstraints = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'testing', 'ivs-realtime-api-constraints.json'), 'utf8'));

  test('are built from a model: every input member at any depth, with its shape\'s constraints and documented default', () => {
    const built = buildConstraints(fixture, 'tiny model');
    expect(built).toEqual({
      source: 'tiny model',
      operations: {
        CreateThing: {
          method: 'POST',
          uri: '/CreateThing',
          input: 'CreateThingRequest',
          members: [
            { path: 'name', shape: 'ThingName', type: 'string', required: true, location: null, min: 0, max: 128, pattern: '[a-zA-Z0-9-_]*', documentedDefault: null },
            { path: 'size', shape: 'Size', type: 'integer', required: false, location: null, min: 1, max: 60, documentedDefault: '30' },
            { path: 'layers', shape: 'LayerList', type: 'list', required: false, location: null, min: 1, max: 2, documentedDefault: null },
            { path: 'layers[]', shape: 'Layer', type: 'structure', required: false, location: null, documentedDefault: null },
            { path: 'layers[].kind', shape: 'LayerKind', type: 'string', required: true, location: null, enum: ['GRID', 'PIP'], documentedDefault: null },
            // a shape met again below itself is listed, not expanded again.
            { path: 'layers[].child', shape: 'Layer', type: 'structure', required: false, location: null, documentedDefault: 'none (a leaf)' },
            { path: 'tags', shape: 'Tags', type: 'map', required: false, location: null, min: 0, max: 50, documentedDefault: null },
            { path: 'tags{key}', shape: 'TagKey', type: 'string', required: false, location: null, min: 1, max: 128, documentedDefault: null },
            { path: 'tags{value}', shape: 'TagValue', type: 'string', required: false, location: null, min: 0, max: 256, documentedDefault: null },
          ],
        },
        UntagThing: {
          method: 'DELETE',
          uri: '/tags/{resourceArn}',
          input: 'UntagThingRequest',
          members: [
            {
              path: 'resourceArn',
              shape: 'ResourceArn',
              type: 'string',
              required: true,
              location: 'uri:resourceArn',
              min: 1,
              max: 128,
              pattern: 'arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+',
              documentedDefault: null,
            },
            { path: 'tagKeys', shape: 'TagKeyList', type: 'list', required: true, location: 'querystring:tagKeys', min: 0, max: 50, documentedDefault: null },
            { path: 'tagKeys[]', shape: 'TagKey', type: 'string', required: false, location: null, min: 1, max: 128, documentedDefault: null },
          ],
        },
      },
    });
    // key order too: the committed file is written by JSON.stringify of this.
    expect(Object.keys(built.operations.CreateThing.members[0])).toEqual(['path', 'shape', 'type', 'required', 'location', 'min', 'max', 'pattern', 'documentedDefault']);
  });

  test('documented defaults are read from the documentation text', () => {
    expect(documentedDefault('<p>Maximum number of results. Default: 50.</p>')).toBe('50');
    expect(documentedDefault('<p>Video bitrate. Default: <code>2500000</code>.</p>')).toBe('2500000');
    expect(documentedDefault('<p>Duration in minutes. Default: 720 (12 hours).</p>')).toBe('720 (12 hours)');
    expect(documentedDefault('<p>No default here.</p>')).toBeNull();
    expect(documentedDefault(undefined)).toBeNull();
  });

  test('the committed file has the shape the script writes, and says which model it reflects', () => {
    expect(committed.source).toMatch(/^boto\/botocore botocore\/data\/ivs-realtime\/2020-07-14\/service-2\.json \(last model change \w+, \d{4}-\d{2}-\d{2}\)$/);
    expect(Object.keys(committed)).toEqual(['source', 'operations']);
    const order = ['path', 'shape', 'type', 'required', 'location', 'min', 'max', 'pattern', 'enum', 'documentedDefault'];
    for (const [name, operation] of Object.entries(committed.operations)) {
      expect([name, Object.keys(operation)]).toEqual([name, ['method', 'uri', 'input', 'members']]);
      for (const member of operation.members) {
        const keys = Object.keys(member);
        expect([name, member.path, keys]).toEqual([name, member.path, order.filter((key) => keys.includes(key))]);
        expect(keys).toEqual(expect.arrayContaining(['path', 'shape', 'type', 'required', 'location', 'documentedDefault']));
      }
    }
  });
});
