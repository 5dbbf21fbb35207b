/** Reading a synthesized stack from its cloud assembly: the template, and the assets its functions run. */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { topologicalOrder } from './graph';

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string; Export?: { Name: unknown } }>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** Where a stack's assets are: the cloud assembly directory and its asset manifests' object keys. */
export interface AssemblySource {
  readonly directory: string;
  readonly assetsByObjectKey: ReadonlyMap<string, string>;
}

/** A stack as the cloud assembly holds it: what the driver deploys. */
export interface SynthesizedStack {
  /** The artifact's ID in its assembly. */
  readonly artifactId: string;
  readonly stackName: string;
  readonly template: Template;
  readonly source: AssemblySource;
  /** Absent for an environment-agnostic stack. */
  readonly region?: string;
  /** Absent for an environment-agnostic stack. */
  readonly accountId?: string;
  /** The artifact IDs of the stacks of the same assembly it depends on (read from a cloud assembly only). */
  readonly dependencies?: readonly string[];
}

/** The stack's template and where its assets are, read from the cloud assembly. */
export function synthesize(stack: Stack): SynthesizedStack {
  const stage = Stage.of(stack);
  if (!stage) {
    throw new Error(`${stack.node.path} is not in an App or Stage`);
  }
  // force: a test may synthesize the same app more than once (Template.fromStack, then deploy).
  const assembly = stage.synth({ force: true });
  return assemblyStacks(assembly.directory).find(s => s.artifactId === stack.artifactId)!;
}

/**
 * Every stack of a cloud assembly directory as the CLI writes it (`cdk.out`), those of nested stages included, each
 * after the stacks it depends on. Read from its `manifest.json` (the cloud assembly schema's `artifacts`).
 */
export function assemblyStacks(directory: string): SynthesizedStack[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${directory} is not a cloud assembly: it has no manifest.json (run \`cdk synth\` first)`);
  }
  const artifacts: Record<string, any> = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).artifacts ?? {};
  const stackIds = Object.keys(artifacts).filter(id => artifacts[id].type === 'aws:cloudformation:stack');
  const dependencies = new Map(stackIds.map(id => [id, new Set<string>(artifacts[id].dependencies ?? [])]));
  const source = assemblySource(directory);
  const stacks = topologicalOrder(stackIds, dependencies).map((id): SynthesizedStack => {
    const { properties = {}, environment = '' } = artifacts[id];
    const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment) ?? [];
    return {
      artifactId: id,
      stackName: properties.stackName ?? id,
      template: JSON.parse(fs.readFileSync(path.join(directory, properties.templateFile), 'utf8')),
      source,
      dependencies: [...dependencies.get(id)!].filter(dependency => stackIds.includes(dependency)),
      ...(region && region !== 'unknown-region' ? { region } : {}),
      ...(account && account !== 'unknown-account' ? { accountId: account } : {}),
    };
  });
  const nested = Object.values(artifacts).filter(a => a.type === 'cdk:cloud-assembly')
    .flatMap(a => assemblyStacks(path.join(directory, a.properties.directoryName)));
  return [...stacks, ...nested];
}

/** The assembly directory and what its asset manifests say is where. */
function assemblySource(directory: string): AssemblySource {
  const assetsByObjectKey = new Map<string, string>();
  for (const file of fs.readdirSync(directory).filter(f => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
    for (const entry of Object.values<any>(manifest.files ?? {})) {
      for (const destination of Object.values<any>(entry.destinations ?? {})) {
        assetsByObjectKey.set(destination.objectKey, path.resolve(directory, entry.source.path));
      }
    }
  }
  return { directory, assetsByObjectKey };
}

/** A function's unzipped code in the cloud assembly: from its asset metadata, else its S3 key. */
export function assetDirectory(
  logicalId: string, source: AssemblySource, definition: TemplateResource, code: Record<string, unknown> | undefined,
): string {
  const { directory, assetsByObjectKey } = source;
  const metadataPath = definition.Metadata?.['aws:asset:path'];
  const s3Key = code?.S3Key;
  const candidates = [
    typeof metadataPath === 'string' ? path.resolve(directory, metadataPath) : undefined,
    typeof s3Key === 'string' ? assetsByObjectKey.get(s3Key) : undefined,
    typeof s3Key === 'string' ? path.join(directory, `asset.${path.basename(s3Key).replace(/\.zip$/, '')}`) : undefined,
  ].filter((c): c is string => c !== undefined);
  const found = candidates.find(c => fs.existsSync(c));
  if (!found) {
    throw new Error(`${logicalId}: code asset not found in the cloud assembly (looked for ${candidates.join(', ') || 'Code.S3Key'})`);
  }
  if (!fs.statSync(found).isDirectory()) {
    throw new Error(`${logicalId}: code asset ${found} is a file; the lifecycle driver runs directory assets only`);
  }
  return found;
}
