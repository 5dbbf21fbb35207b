/** Reading a synthesized stack from its cloud assembly: the template, and the assets its functions run. */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
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

/** The stack's template and where its assets are, read from the cloud assembly. */
export function synthesize(stack: Stack): { template: Template; stackName: string; source: AssemblySource } {
  const stage = Stage.of(stack);
  if (!stage) {
    throw new Error(`${stack.node.path} is not in an App or Stage`);
  }
  // force: a test may synthesize the same app more than once (Template.fromStack, then deploy).
  const assembly = stage.synth({ force: true });
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const assetsByObjectKey = new Map<string, string>();
  for (const file of fs.readdirSync(assembly.directory).filter(f => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf8'));
    for (const entry of Object.values<any>(manifest.files ?? {})) {
      for (const destination of Object.values<any>(entry.destinations ?? {})) {
        assetsByObjectKey.set(destination.objectKey, path.resolve(assembly.directory, entry.source.path));
      }
    }
  }
  return { template: artifact.template, stackName: artifact.stackName, source: { directory: assembly.directory, assetsByObjectKey } };
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
