/**
 * Builds testing/ivs-realtime-api-constraints.json, the input constraints the fake IVS Real-Time server validates
 * requests against, from the published API model: botocore's `botocore/data/ivs-realtime/2020-07-14/service-2.json`
 * (the JSON the committed file was built from; see its `source`). The model is not in this repository: download the
 * version you want, then
 *
 *   npx tsx scripts/build-ivs-constraints.ts path/to/service-2.json \
 *     --source 'boto/botocore botocore/data/ivs-realtime/2020-07-14/service-2.json (last model change <commit>, <date>)' \
 *     > testing/ivs-realtime-api-constraints.json
 *
 * For each operation (in the model's order): its HTTP method and URI, its input shape, and every member of the input
 * at any depth, flattened depth first (`a.b` a structure's member, `a[]` a list's element, `a{key}` / `a{value}` a
 * map's keys and values): its shape and type, whether its structure requires it, where it goes on the wire (`uri:x`,
 * `querystring:x`, `header:x`, or null for the body), the shape's `min`, `max`, `pattern` (as the model writes it,
 * unanchored) and `enum`, and the default its documentation states (`Default: ...`, read from the documentation text;
 * null when it states none). A shape met again below itself is not expanded again.
 */
import * as fs from 'fs';

/** The parts of a botocore service model (`service-2.json`) the constraints are read from. */
export interface BotocoreModel {
  readonly operations: Record<string, {
    readonly http?: { readonly method?: string; readonly requestUri?: string };
    readonly input?: { readonly shape: string };
  }>;
  readonly shapes: Record<string, BotocoreShape>;
}

interface BotocoreMemberRef {
  readonly shape: string;
  readonly location?: string;
  readonly locationName?: string;
  readonly documentation?: string;
}

interface BotocoreShape {
  readonly type: string;
  readonly members?: Record<string, BotocoreMemberRef>;
  readonly required?: readonly string[];
  readonly member?: BotocoreMemberRef;
  readonly key?: BotocoreMemberRef;
  readonly value?: BotocoreMemberRef;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly documentation?: string;
}

export interface MemberConstraints {
  readonly path: string;
  readonly shape: string;
  readonly type: string;
  readonly required: boolean;
  readonly location: string | null;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly documentedDefault: string | null;
}

export interface ApiConstraints {
  readonly source: string;
  readonly operations: Record<string, {
    readonly method: string;
    readonly uri: string;
    readonly input: string | null;
    readonly members: MemberConstraints[];
  }>;
}

/** The default a documentation text states: what follows `Default:` up to the end of its sentence. */
export function documentedDefault(documentation: string | undefined): string | null {
  if (!documentation) return null;
  const text = documentation.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&').replace(/\s+/g, ' ');
  const match = /\bDefault:\s*(.+?)(?:\.(?:\s|$)|$)/i.exec(text);
  return match ? match[1].trim() : null;
}

export function buildConstraints(model: BotocoreModel, source: string): ApiConstraints {
  const operations: Record<string, ApiConstraints['operations'][string]> = {};
  for (const [name, operation] of Object.entries(model.operations)) {
    const members: MemberConstraints[] = [];
    const visit = (path: string, ref: BotocoreMemberRef, required: boolean, ancestors: readonly string[]): void => {
      const shape = model.shapes[ref.shape];
      if (!shape) throw new Error(`${name}: ${path} names shape ${ref.shape}, which the model does not have`);
      members.push({
        path,
        shape: ref.shape,
        type: shape.type,
        required,
        location: ref.location ? `${ref.location}:${ref.locationName ?? path}` : null,
        ...(shape.min !== undefined ? { min: shape.min } : {}),
        ...(shape.max !== undefined ? { max: shape.max } : {}),
        ...(shape.pattern !== undefined ? { pattern: shape.pattern } : {}),
        ...(shape.enum !== undefined ? { enum: shape.enum } : {}),
        documentedDefault: documentedDefault(ref.documentation) ?? documentedDefault(shape.documentation),
      });
      if (ancestors.includes(ref.shape)) return;
      const below = [...ancestors, ref.shape];
      visitChildren(path, shape, below);
    };
    const visitChildren = (path: string, shape: BotocoreShape, ancestors: readonly string[]): void => {
      const prefix = path ? `${path}.` : '';
      if (shape.type === 'structure') {
        for (const [memberName, member] of Object.entries(shape.members ?? {})) {
          visit(`${prefix}${memberName}`, member, (shape.required ?? []).includes(memberName), ancestors);
        }
      } else if (shape.type === 'list' && shape.member) {
        visit(`${path}[]`, shape.member, false, ancestors);
      } else if (shape.type === 'map' && shape.key && shape.value) {
        visit(`${path}{key}`, shape.key, false, ancestors);
        visit(`${path}{value}`, shape.value, false, ancestors);
      }
    };
    const input = operation.input?.shape;
    if (input) {
      const shape = model.shapes[input];
      if (!shape) throw new Error(`${name}: its input names shape ${input}, which the model does not have`);
      visitChildren('', shape, [input]);
    }
    operations[name] = { method: operation.http?.method ?? 'POST', uri: operation.http?.requestUri ?? `/${name}`, input: input ?? null, members };
  }
  return { source, operations };
}

if (require.main === module) {
  const [modelFile, ...rest] = process.argv.slice(2);
  const sourceIndex = rest.indexOf('--source');
  if (!modelFile) {
    process.stderr.write('usage: npx tsx scripts/build-ivs-constraints.ts <service-2.json> [--source <where the model came from>]\n');
    process.exit(2);
  }
  const source = sourceIndex >= 0 ? rest[sourceIndex + 1] : modelFile;
  process.stdout.write(JSON.stringify(buildConstraints(JSON.parse(fs.readFileSync(modelFile, 'utf8')), source), null, 1));
}
