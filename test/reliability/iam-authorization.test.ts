/**
 * Every IAM statement the library can synthesize, checked against AWS's Service Authorization Reference for the `ivs`
 * service prefix (`test/support/ivs-iam-authorization.json`, a committed copy of the reference's programmatic JSON
 * v1.4 as kept in `shared/reference/`):
 *
 * 1. every `ivs:` action exists;
 * 2. every resource of a statement is an ARN of a type its actions can be scoped to (by the reference's ARN formats),
 *    and `Resource: *` appears only for actions that can be scoped to no resource type;
 * 3. every operation our handlers call (each `new XxxCommand` and `paginateXxx` under `handlers/`) is granted, to the role of the function
 *    that calls it, every IAM action the reference authorizes it against, on each resource the request names (so
 *    CreateStage, which takes tags, needs `ivs:TagResource` on the new stage as well, and StartComposition
 *    `ivs:TagResource` on the new composition);
 * 4. every `grantXxx` method of every construct (found by reflection: a new one fails this test until it is listed
 *    here) grants what the operations it is for need, in the same way.
 *
 * What "the resources a request names" are comes from the API reference (the request's ARN members), as listed here
 * per operation; the SAR's resource types say which of them IAM authorizes against.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ivs from 'aws-cdk-lib/aws-ivs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ts from 'typescript';
import * as lib from '../../lib';
import {
  CompositionDestination, EncoderConfiguration, IngestConfiguration, ParticipantTokenIssuer, ParticipantTokenSigningKey, PublicKey,
  PublicKeyMaterial, RecordingBucket, Stage, StageComposition, StagePool, StageRecording, StorageConfiguration, StreamKeyStorage,
} from '../../lib';
import { COMPOSITION_CONFIG_ENV, CompositionFunctionConfig } from '../../lib/private/composition-contract';
import { ArnResource, Property, ResourceType } from '../../lib/private/contract';
import * as actionLists from '../../lib/private/iam';
import { TOKEN_ISSUER_CONFIG_ENV, TokenIssuerConfig } from '../../lib/private/participant-token-contract';

interface AuthorizationReference {
  /** operation → the IAM actions it is authorized against. */
  readonly operations: Record<string, string[]>;
  /** action → the resource types it can be scoped to (none: only `*`). */
  readonly actions: Record<string, { readonly resourceTypes: string[] }>;
  /** resource type → its ARN formats. */
  readonly resourceTypes: Record<string, string[]>;
}

const REFERENCE: AuthorizationReference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'support', 'ivs-iam-authorization.json'), 'utf8'));
const HANDLERS = path.join(__dirname, '..', '..', 'handlers');

/** What stands for the stack's pseudo parameters (and for an environment-agnostic stack's account and region). */
const PARTITION = 'aws';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ivsArn = (resource: string, id: string, region = REGION, account = ACCOUNT) => `arn:${PARTITION}:ivs:${region}:${account}:${resource}/${id}`;
/** Resources that exist only when a request creates them, or that the app does not know. */
const NEW = 'NewResource1';

// ---------------------------------------------------------------------------------------------------------------------
// The reference, as predicates.

/** A reference ARN format as a pattern: any partition, region and account; any ID or `*`. */
function arnFormatPattern(format: string): RegExp {
  const escaped = format.replace(/[.*+?^()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped
    .replace('${Partition}', 'aws[-a-z]*')
    .replace('${Region}', '[a-z0-9-]+')
    .replace('${Account}', '[0-9]+')
    .replace('${ResourceId}', '(?:[a-zA-Z0-9-]+|\\*)')
    .replace(/\$\{/g, '\\${')}$`);
}

/** The resource types an ARN (or an ARN with a `*` ID) is of, by the reference's formats. */
function resourceTypesOf(arn: string): string[] {
  return Object.entries(REFERENCE.resourceTypes)
    .filter(([, formats]) => formats.some((format) => arnFormatPattern(format).test(arn)))
    .map(([type]) => type);
}

/**
 * List actions the library also calls without a filter, so that the request names no resource of the types the action
 * can be scoped to, and IAM can only authorize it against `*`: the provider lists every composition of the account and
 * region to find those that hold a storage configuration it deletes (ListCompositions filters by stage or encoder
 * configuration only). That IAM evaluates an unfiltered call against `*` is unconfirmed: the reference lists no
 * resource as required.
 */
const UNFILTERED_LISTS = new Set(['ivs:ListCompositions']);

/** What is wrong, by the reference, with granting `action` on `resource` (undefined: nothing). */
function referenceProblem(action: string, resource: string): string | undefined {
  const name = action.slice('ivs:'.length);
  const known = REFERENCE.actions[name];
  if (!known) {
    return `${action} is not an action of the ivs service`;
  }
  if (resource === '*') {
    return known.resourceTypes.length === 0 || UNFILTERED_LISTS.has(action) ? undefined
      : `${action} on *: it can be scoped to ${known.resourceTypes.join(', ')}, so it must name those resources`;
  }
  const types = resourceTypesOf(resource);
  if (!types.some((type) => known.resourceTypes.includes(type))) {
    return `${action} on ${resource}: a resource of type ${types.join(', ') || '(none of ivs)'}, which the action cannot be scoped to `
      + `(it takes ${known.resourceTypes.join(', ') || 'only *'})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Templates, resolved to the strings CloudFormation would make of them.

interface Statement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: string | string[];
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/** A template whose `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select` and `Fn::Split` resolve to plausible deployed values. */
class ResolvedTemplate {
  public readonly resources: Record<string, any>;

  constructor(public readonly stack: Stack) {
    this.resources = Template.fromStack(stack).toJSON().Resources;
  }

  public resolve(value: unknown): any {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    const intrinsic = value as Record<string, any>;
    if (intrinsic.Ref !== undefined) {
      return this.ref(intrinsic.Ref);
    }
    if (intrinsic['Fn::GetAtt']) {
      const [id, attribute] = intrinsic['Fn::GetAtt'];
      return this.getAtt(id, attribute);
    }
    if (intrinsic['Fn::Join']) {
      const [separator, parts] = intrinsic['Fn::Join'];
      return (parts as unknown[]).map((part) => this.resolve(part)).join(separator);
    }
    if (intrinsic['Fn::Split']) {
      const [separator, text] = intrinsic['Fn::Split'];
      return (this.resolve(text) as string).split(separator);
    }
    if (intrinsic['Fn::Select']) {
      const [index, list] = intrinsic['Fn::Select'];
      return this.resolve(list)[Number(index)];
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  }

  /** A value of the stack, resolved (a token, an ARN). */
  public resolveToken(value: string): string {
    return this.resolve(this.stack.resolve(value));
  }

  /** Every statement of the policies of a role: inline, attached `AWS::IAM::Policy` and customer-managed policies. */
  public statementsOfRole(roleId: string): Statement[] {
    const attached = Object.values(this.resources)
      .filter((resource) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type))
      .filter((resource) => (resource.Properties.Roles ?? []).some((role: any) => role.Ref === roleId))
      .map((resource) => resource.Properties.PolicyDocument);
    const inline = (this.resources[roleId].Properties.Policies ?? []).map((policy: any) => policy.PolicyDocument);
    return [...attached, ...inline].flatMap((document) => this.resolve(document).Statement as Statement[]);
  }

  /** Every statement of every IAM policy of the template, with where it is. */
  public allStatements(): Array<{ where: string; statement: Statement }> {
    return Object.entries(this.resources).flatMap(([id, resource]) => {
      const documents = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type) ? [resource.Properties.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []).map((policy: any) => policy.PolicyDocument) : [];
      return documents.flatMap((document: unknown) =>
        (this.resolve(document).Statement as Statement[]).map((statement) => ({ where: `${this.stack.stackName}/${id}`, statement })));
    });
  }

  public roleOfFunction(functionId: string): string {
    return this.resources[functionId].Properties.Role['Fn::GetAtt'][0];
  }

  public idsOfType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type);
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::Region': return REGION;
      case 'AWS::AccountId': return ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackId': return `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/${this.stack.stackName}/11111111-2222-3333-4444-555555555555`;
    }
    const resource = this.resources[name];
    if (!resource) {
      throw new Error(`Ref to ${name}, which is not in the template`);
    }
    const ivsResource = IVS_ARN_RESOURCE_OF_TYPE[resource.Type];
    if (ivsResource) {
      return ivsArn(ivsResource, name);
    }
    switch (resource.Type) {
      // (AWS::IVS::Channel's Ref is its ARN.)
      case 'AWS::IVS::Channel': return ivsArn(ArnResource.CHANNEL, name);
      case 'AWS::SecretsManager::Secret': return `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
      case 'AWS::S3::Bucket': return name.toLowerCase();
      default: return name;
    }
  }

  private getAtt(id: string, attribute: string): string {
    const resource = this.resources[id];
    if (attribute === 'Arn') {
      switch (resource.Type) {
        case 'AWS::S3::Bucket': return `arn:${PARTITION}:s3:::${id.toLowerCase()}`;
        case 'AWS::IVS::Channel': return ivsArn(ArnResource.CHANNEL, id);
        case 'AWS::Lambda::Function': return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${id}`;
        case 'AWS::Logs::LogGroup': return `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
        case 'AWS::SQS::Queue': return `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:${id}`;
        case 'AWS::IAM::Role': return `arn:${PARTITION}:iam::${ACCOUNT}:role/${id}`;
        case 'AWS::KMS::Key': return `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${id}`;
        case 'AWS::DynamoDB::Table': return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
        default: return this.ref(id);
      }
    }
    return `${id}.${attribute}`;
  }
}

const IVS_ARN_RESOURCE_OF_TYPE: Record<string, string> = {
  [ResourceType.STAGE]: ArnResource.STAGE,
  [ResourceType.STORAGE_CONFIGURATION]: ArnResource.STORAGE_CONFIGURATION,
  [ResourceType.ENCODER_CONFIGURATION]: ArnResource.ENCODER_CONFIGURATION,
  [ResourceType.INGEST_CONFIGURATION]: ArnResource.INGEST_CONFIGURATION,
  [ResourceType.PUBLIC_KEY]: ArnResource.PUBLIC_KEY,
  [ResourceType.KMS_PUBLIC_KEY]: ArnResource.PUBLIC_KEY,
};

// ---------------------------------------------------------------------------------------------------------------------
// IAM evaluation, as far as these policies need it: Allow statements, Action and Resource with wildcards.

function glob(pattern: string, flags = ''): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
}

/** Whether the statements allow `action` on `resource` unconditionally (a statement with a condition is not counted). */
function allows(statements: Statement[], action: string, resource: string): boolean {
  return statements.some((statement) => statement.Effect === 'Allow' && statement.Condition === undefined
    && [statement.Action ?? []].flat().some((pattern) => glob(pattern, 'i').test(action))
    && [statement.Resource ?? []].flat().some((pattern) => glob(pattern).test(resource)));
}

/** One API call: the operation, and for each IAM action the reference authorizes it against, the ARNs it is checked on. */
interface Call {
  readonly operation: string;
  readonly on: Record<string, string[]>;
}

/** The actions missing for `calls`, as `operation: action on arn`. */
function missingGrants(statements: Statement[], calls: Call[]): string[] {
  return calls.flatMap(({ operation, on }) => {
    const authorizedBy = REFERENCE.operations[operation];
    if (!authorizedBy) {
      return [`${operation}: not an IVS Real-Time operation of the reference`];
    }
    const listed = Object.keys(on).sort();
    if (JSON.stringify(listed) !== JSON.stringify([...authorizedBy].sort())) {
      return [`${operation}: the test lists ${listed.join(', ')}, the reference authorizes it against ${authorizedBy.join(', ')}`];
    }
    return Object.entries(on).flatMap(([action, arns]) =>
      arns.filter((arn) => !allows(statements, `ivs:${action}`, arn)).map((arn) => `${operation}: ivs:${action} on ${arn}`));
  });
}

/** The reference's problems with each `ivs:` action of each statement, on each of its resources. */
function referenceProblems(entries: Array<{ where: string; statement: Statement }>): string[] {
  return entries.flatMap(({ where, statement }) => {
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      return [`${where}: NotAction / NotResource`];
    }
    const actions = [statement.Action ?? []].flat().filter((action) => action.toLowerCase().startsWith('ivs:'));
    return actions.flatMap((action) => {
      if (/[*?]/.test(action)) {
        return [`${where}: ${action}: a wildcard action`];
      }
      return [statement.Resource ?? []].flat().flatMap((resource) => {
        const problem = referenceProblem(action, resource);
        return problem ? [`${where}: ${problem}`] : [];
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The calls our handlers make, found in their source.

/** Every `new XxxCommand(` and `paginateXxx(` in a handler source file, as the operation name `Xxx`. */
function operationsCalledIn(file: string): string[] {
  const source = fs.readFileSync(path.join(HANDLERS, file), 'utf8');
  return [...new Set([...source.matchAll(/new (\w+)Command\(|paginate(\w+)\(/g)].map((match) => match[1] ?? match[2]))].sort();
}

function handlerSourceFiles(dir = ''): string[] {
  return fs.readdirSync(path.join(HANDLERS, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      return file === 'dist' ? [] : handlerSourceFiles(file);
    }
    return file.endsWith('.ts') ? [file] : [];
  });
}

/**
 * Which function makes the calls of each handler file, and on what: for the provider's files, the resource type it
 * manages (each action of its operations is checked on that type's ARNs: CreateStage's TagResource on the new stage, and
 * so on; the other ARNs a create names, such as a stage's storage configuration, are not of a type the SAR lists for
 * it). `dispatcher.ts` tags every type.
 */
const PROVIDER_FILES: Record<string, string[] | Record<string, string[]>> = {
  // the deletes a composition holds: what each call names (an unfiltered ListCompositions names nothing: `*`).
  'provider/composition-holders.ts': {
    ListCompositions: ['*'],
    GetComposition: [ArnResource.COMPOSITION],
    GetStage: [ArnResource.STAGE],
    ListParticipants: [ArnResource.STAGE],
  },
  'provider/deferred-deletes.ts': [ArnResource.STORAGE_CONFIGURATION, ArnResource.ENCODER_CONFIGURATION],
  'provider/stage.ts': [ArnResource.STAGE],
  'provider/storage-configuration.ts': [ArnResource.STORAGE_CONFIGURATION],
  'provider/encoder-configuration.ts': [ArnResource.ENCODER_CONFIGURATION],
  'provider/ingest-configuration.ts': [ArnResource.INGEST_CONFIGURATION],
  'provider/stream-key-copy.ts': [ArnResource.INGEST_CONFIGURATION],
  'provider/public-key.ts': [ArnResource.PUBLIC_KEY],
  'provider/dispatcher.ts': [ArnResource.STAGE, ArnResource.STORAGE_CONFIGURATION, ArnResource.ENCODER_CONFIGURATION,
    ArnResource.INGEST_CONFIGURATION, ArnResource.PUBLIC_KEY],
};
/** The secret each ingest configuration of a stack names, if any: where the provider copies stream keys. */
function streamKeySecrets(template: ResolvedTemplate): string[] {
  return template.idsOfType(ResourceType.INGEST_CONFIGURATION)
    .map((id) => template.resources[id].Properties[Property.STREAM_KEY_SECRET_ARN])
    .filter((arn) => arn !== undefined)
    .map((arn) => template.resolve(arn));
}

/** The provider's create-request table (handlers/provider/create-requests.ts). */
function createRequestsTable(template: ResolvedTemplate): string[] {
  return template.idsOfType('AWS::DynamoDB::Table').filter((id) => /IvsRealTimeProviderCreateRequests/.test(id))
    .map((id) => template.resolve({ 'Fn::GetAtt': [id, 'Arn'] }));
}

/** The provider's sweep schedule, by its ARN (its name is the stack ID's suffix, as the handler computes it). */
function sweepSchedule(template: ResolvedTemplate): string[] {
  return template.idsOfType('AWS::Events::Rule').filter((id) => /IvsRealTimeProviderSweepSchedule/.test(id))
    .map((id) => `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/${template.resolve(template.resources[id].Properties.Name)}`);
}

/** The provider's calls to other services: the action, and the resources it is called on in a stack. */
const PROVIDER_OTHER_CALLS: Record<string, { file: string; action: string; on: (template: ResolvedTemplate) => string[] }> = {
  PutSecretValue: { file: 'shared/secrets.ts', action: 'secretsmanager:PutSecretValue', on: streamKeySecrets },
  // whose keys the secret holds, read before a write and before a delete hands keys back.
  GetSecretValue: { file: 'shared/secrets.ts', action: 'secretsmanager:GetSecretValue', on: streamKeySecrets },
  // KMS's GetPublicKey (the IVS operation of the same name is public-key.ts's): the key each KMS-backed public key names.
  GetPublicKey: {
    file: 'provider/kms-public-key.ts',
    action: 'kms:GetPublicKey',
    on: (template) => template.idsOfType(ResourceType.KMS_PUBLIC_KEY)
      .map((id) => JSON.parse(template.resolve(template.resources[id].Properties[Property.REQUEST])).kmsKeyArn),
  },
  // DynamoDB, on the stack's create-request table: deliveries of a create request take turns there.
  PutItem: { file: 'provider/create-requests.ts', action: 'dynamodb:PutItem', on: createRequestsTable },
  GetItem: { file: 'provider/create-requests.ts', action: 'dynamodb:GetItem', on: createRequestsTable },
  UpdateItem: { file: 'provider/create-requests.ts', action: 'dynamodb:UpdateItem', on: createRequestsTable },
  DeleteItem: { file: 'provider/create-requests.ts', action: 'dynamodb:DeleteItem', on: createRequestsTable },
  // the sweep's read of the pending work (stream-key secrets to correct), through the SDK's paginator.
  Scan: { file: 'provider/create-requests.ts', action: 'dynamodb:Scan', on: createRequestsTable },
  // EventBridge, on the stack's sweep schedule: armed when a delete is deferred, disarmed when none is left.
  EnableRule: { file: 'provider/deferred-deletes.ts', action: 'events:EnableRule', on: sweepSchedule },
  DisableRule: { file: 'provider/deferred-deletes.ts', action: 'events:DisableRule', on: sweepSchedule },
};
/** What each call of the composition function names (the API reference's request members), from its configuration. */
const COMPOSITION_CALLS: Record<string, (config: CompositionFunctionConfig) => Record<string, string[]> | undefined> = {
  // GetStage { arn }
  GetStage: (config) => ({ GetStage: config.stageArns }),
  // ListCompositions { filterByStageArn }
  ListCompositions: (config) => ({ ListCompositions: config.stageArns }),
  // StartComposition { stageArn, destinations[].s3.storageConfigurationArn / encoderConfigurationArns, .channel.channelArn /
  // encoderConfigurationArn, tags }: the tags are authorized as TagResource on the composition it creates.
  StartComposition: (config) => ({
    StartComposition: [...config.stageArns, ...config.destinations.flatMap(destinationArns)],
    TagResource: [ivsArn(ArnResource.COMPOSITION, NEW)],
  }),
  // ListParticipants { stageArn }, StopComposition { arn }: with stopOnSessionEnd only.
  ListParticipants: (config) => (config.stopOnSessionEnd ? { ListParticipants: config.stageArns } : undefined),
  StopComposition: (config) => (config.stopOnSessionEnd ? { StopComposition: [ivsArn(ArnResource.COMPOSITION, NEW)] } : undefined),
};

function destinationArns(destination: Record<string, any>): string[] {
  const s3 = destination.s3 ?? {};
  const channel = destination.channel ?? {};
  return [s3.storageConfigurationArn, ...(s3.encoderConfigurationArns ?? []), channel.channelArn, channel.encoderConfigurationArn]
    .filter((arn): arn is string => arn !== undefined);
}

// ---------------------------------------------------------------------------------------------------------------------
// Apps that use everything.

const PUBLIC_KEY = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'keys', 'participant-token-signing.pub.pem'), 'utf8');

/** Every construct of the library in one stack, with two compositions (with and without `stopOnSessionEnd`). */
function everythingStack(): Stack {
  const stack = new Stack(new App(), 'Everything');
  const bucket = new RecordingBucket(stack, 'Recordings');
  const storage = new StorageConfiguration(stack, 'Storage', { bucket });
  const stage = new Stage(stack, 'Stage', { autoParticipantRecording: { storageConfiguration: storage } });
  new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Recorded') });
  new IngestConfiguration(stack, 'Ingest', { stage });
  new IngestConfiguration(stack, 'IngestWithSecretCopy', { stage, streamKeyStorage: StreamKeyStorage.secretsManager() });
  const encoder = new EncoderConfiguration(stack, 'Encoder');
  new PublicKey(stack, 'Key', { publicKeyMaterial: PublicKeyMaterial.fromString(PUBLIC_KEY) });
  // two generations: the provider reads both keys.
  new ParticipantTokenIssuer(stack, 'Tokens', { signingKey: new ParticipantTokenSigningKey(stack, 'TokenSigningKey', { generation: 2 }), stages: [stage] });
  new StageComposition(stack, 'ToS3', { stages: [stage, new Stage(stack, 'Second')], destinations: [CompositionDestination.s3(storage)] });
  const channel = new ivs.CfnChannel(stack, 'Channel', {});
  new StageComposition(stack, 'ToChannel', {
    stages: [new Stage(stack, 'Show')],
    destinations: [CompositionDestination.channel(channel, { encoderConfiguration: encoder }), CompositionDestination.s3(storage, {
      encoderConfigurations: [encoder],
    })],
    stopOnSessionEnd: true,
  });
  return stack;
}

/** What a grant is checked with: the resources of one stack, new or imported. */
interface Resources {
  readonly stage: lib.IStage;
  readonly otherStage: lib.IStage;
  readonly storageConfiguration: lib.IStorageConfiguration;
  readonly encoderConfiguration: lib.IEncoderConfiguration;
  readonly ingestConfiguration: lib.IIngestConfiguration;
  readonly publicKey: lib.IPublicKey;
  readonly recording: StageRecording;
  readonly signingKey: lib.IParticipantTokenSigningKey;
  readonly issuer: ParticipantTokenIssuer;
  readonly pool: StagePool;
}

function newResources(stack: Stack): Resources {
  const stage = new Stage(stack, 'Stage');
  const signingKey = new ParticipantTokenSigningKey(stack, 'TokenSigningKey');
  return {
    signingKey,
    issuer: new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stages: [stage] }),
    stage,
    otherStage: new Stage(stack, 'Other'),
    storageConfiguration: new StorageConfiguration(stack, 'Storage', { bucket: new RecordingBucket(stack, 'Bucket') }),
    encoderConfiguration: new EncoderConfiguration(stack, 'Encoder'),
    ingestConfiguration: stage.addIngestConfiguration('Ingest'),
    publicKey: new PublicKey(stack, 'Key', { publicKeyMaterial: PublicKeyMaterial.fromString(PUBLIC_KEY) }),
    recording: new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Recorded') }),
    // the stack's own: a pool cannot be imported.
    pool: new StagePool(stack, 'Pool'),
  };
}

/** The same resources imported from another account and region (the recording is the stack's own: it needs a Stage). */
function importedResources(stack: Stack): Resources {
  const arn = (resource: string, id: string) => ivsArn(resource, id, 'eu-west-1', '210987654321');
  const stage = Stage.fromStageArn(stack, 'Stage', arn(ArnResource.STAGE, 'StageAbc123'));
  const signingKey = ParticipantTokenSigningKey.fromParticipantTokenSigningKeyAttributes(stack, 'TokenSigningKey', {
    publicKeyArn: arn(ArnResource.PUBLIC_KEY, 'Key2'),
    kmsKey: kms.Key.fromKeyArn(stack, 'SigningKmsKey', 'arn:aws:kms:eu-west-1:210987654321:key/11111111-2222-3333-4444-555555555555'),
  });
  return {
    signingKey,
    // the stack's own, as the recording: an issuer needs only its stages and key to be in one account and region.
    issuer: new ParticipantTokenIssuer(stack, 'Tokens', { signingKey, stages: [stage] }),
    stage,
    otherStage: Stage.fromStageArn(stack, 'Other', arn(ArnResource.STAGE, 'OtherAbc123')),
    storageConfiguration: StorageConfiguration.fromStorageConfigurationArn(stack, 'Storage', arn(ArnResource.STORAGE_CONFIGURATION, 'Storage1')),
    encoderConfiguration: EncoderConfiguration.fromEncoderConfigurationArn(stack, 'Encoder', arn(ArnResource.ENCODER_CONFIGURATION, 'Encoder1')),
    ingestConfiguration: IngestConfiguration.fromIngestConfigurationArn(stack, 'Ingest', arn(ArnResource.INGEST_CONFIGURATION, 'Ingest1')),
    publicKey: PublicKey.fromPublicKeyArn(stack, 'Key', arn(ArnResource.PUBLIC_KEY, 'Key1')),
    recording: new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Recorded') }),
    // the stack's own: a pool cannot be imported.
    pool: new StagePool(stack, 'Pool'),
  };
}

/**
 * Each grant method, by `Class.method`: it grants to `grantee`, and returns the calls it is meant to allow, with what
 * each names (ARNs as tokens or strings, resolved from the template). Resources a request may name that the grant does
 * not know (any encoder configuration of the account, the composition StartComposition creates) are taken in the
 * stage's account and region. Undefined: the method is not there (on an imported resource).
 */
type GrantCase = (resources: Resources, grantee: iam.IGrantable) => Call[] | undefined;

/** An ARN of an IVS resource in the account and region of `resource`, with an ID no app knows. */
function anyInEnvironmentOf(resource: lib.IStage, arnResource: string): string {
  return `arn:${Aws.PARTITION}:ivs:${resource.env.region}:${resource.env.account}:${arnResource}/Any1`;
}

const GRANTS: Record<string, GrantCase> = {
  'Stage.grant': (r, grantee) => {
    r.stage.grant(grantee, 'ivs:DisconnectParticipant');
    return [{ operation: 'DisconnectParticipant', on: { DisconnectParticipant: [r.stage.stageArn] } }];
  },
  'Stage.grantCreateParticipantToken': (r, grantee) => {
    r.stage.grantCreateParticipantToken(grantee);
    return [{ operation: 'CreateParticipantToken', on: { CreateParticipantToken: [r.stage.stageArn] } }];
  },
  'Stage.grantRead': (r, grantee) => {
    r.stage.grantRead(grantee);
    return ['GetStage', 'GetStageSession', 'ListStageSessions', 'GetParticipant', 'ListParticipants', 'ListParticipantEvents',
      'ListParticipantReplicas'].map((operation) => ({ operation, on: { [operation]: [r.stage.stageArn] } }));
  },
  'Stage.grantDisconnectParticipant': (r, grantee) => {
    r.stage.grantDisconnectParticipant(grantee);
    // DisconnectParticipant { stageArn, participantId, reason }
    return [{ operation: 'DisconnectParticipant', on: { DisconnectParticipant: [r.stage.stageArn] } }];
  },
  'Stage.grantParticipantReplication': (r, grantee): Call[] => {
    r.stage.grantParticipantReplication(grantee, r.otherStage);
    // Start/StopParticipantReplication { sourceStageArn, destinationStageArn, participantId }
    const both = [r.stage.stageArn, r.otherStage.stageArn];
    return [
      { operation: 'StartParticipantReplication', on: { StartParticipantReplication: both } },
      { operation: 'StopParticipantReplication', on: { StopParticipantReplication: both } },
    ];
  },
  'Stage.grantStartComposition': (r, grantee) => {
    r.stage.grantStartComposition(grantee);
    const any = (arnResource: string) => anyInEnvironmentOf(r.stage, arnResource);
    return [{
      operation: 'StartComposition',
      on: {
        // StartComposition { stageArn, destinations[]: storage and encoder configurations, channels, tags }
        StartComposition: [
          r.stage.stageArn, any(ArnResource.ENCODER_CONFIGURATION), any(ArnResource.STORAGE_CONFIGURATION), any(ArnResource.CHANNEL),
        ],
        TagResource: [any(ArnResource.COMPOSITION)],
      },
    }];
  },
  'Stage.grantStopComposition': (r, grantee): Call[] => {
    r.stage.grantStopComposition(grantee);
    const composition = anyInEnvironmentOf(r.stage, ArnResource.COMPOSITION);
    return [
      { operation: 'StopComposition', on: { StopComposition: [composition] } },
      { operation: 'GetComposition', on: { GetComposition: [composition] } },
      // ListCompositions { filterByStageArn }
      { operation: 'ListCompositions', on: { ListCompositions: [r.stage.stageArn] } },
    ];
  },
  'StorageConfiguration.grant': (r, grantee) => {
    r.storageConfiguration.grant(grantee, 'ivs:GetStorageConfiguration');
    return [{ operation: 'GetStorageConfiguration', on: { GetStorageConfiguration: [r.storageConfiguration.storageConfigurationArn] } }];
  },
  'StorageConfiguration.grantRead': (r, grantee) => {
    r.storageConfiguration.grantRead(grantee);
    return [{ operation: 'GetStorageConfiguration', on: { GetStorageConfiguration: [r.storageConfiguration.storageConfigurationArn] } }];
  },
  'EncoderConfiguration.grant': (r, grantee) => {
    r.encoderConfiguration.grant(grantee, 'ivs:GetEncoderConfiguration');
    return [{ operation: 'GetEncoderConfiguration', on: { GetEncoderConfiguration: [r.encoderConfiguration.encoderConfigurationArn] } }];
  },
  'EncoderConfiguration.grantRead': (r, grantee) => {
    r.encoderConfiguration.grantRead(grantee);
    return [{ operation: 'GetEncoderConfiguration', on: { GetEncoderConfiguration: [r.encoderConfiguration.encoderConfigurationArn] } }];
  },
  'IngestConfiguration.grant': (r, grantee) => {
    r.ingestConfiguration.grant(grantee, 'ivs:UpdateIngestConfiguration');
    return [{ operation: 'UpdateIngestConfiguration', on: { UpdateIngestConfiguration: [r.ingestConfiguration.ingestConfigurationArn] } }];
  },
  'IngestConfiguration.grantRead': (r, grantee) => {
    r.ingestConfiguration.grantRead(grantee);
    return [{ operation: 'GetIngestConfiguration', on: { GetIngestConfiguration: [r.ingestConfiguration.ingestConfigurationArn] } }];
  },
  'PublicKey.grant': (r, grantee) => {
    r.publicKey.grant(grantee, 'ivs:GetPublicKey');
    return [{ operation: 'GetPublicKey', on: { GetPublicKey: [r.publicKey.publicKeyArn] } }];
  },
  'PublicKey.grantRead': (r, grantee) => {
    r.publicKey.grantRead(grantee);
    return [{ operation: 'GetPublicKey', on: { GetPublicKey: [r.publicKey.publicKeyArn] } }];
  },
  // GetIngestConfiguration answers with the key (the Secrets Manager copy, where kept, is checked in ingest-configuration.test.ts).
  'IngestConfiguration.grantReadStreamKey': (r, grantee) => {
    r.ingestConfiguration.grantReadStreamKey(grantee);
    return [{ operation: 'GetIngestConfiguration', on: { GetIngestConfiguration: [r.ingestConfiguration.ingestConfigurationArn] } }];
  },
  'ParticipantTokenSigningKey.grant': (r, grantee) => {
    r.signingKey.grant(grantee, 'ivs:GetPublicKey');
    return [{ operation: 'GetPublicKey', on: { GetPublicKey: [r.signingKey.publicKeyArn] } }];
  },
  'ParticipantTokenSigningKey.grantRead': (r, grantee) => {
    r.signingKey.grantRead(grantee);
    return [{ operation: 'GetPublicKey', on: { GetPublicKey: [r.signingKey.publicKeyArn] } }];
  },
  // KMS and Lambda (participant-token-signing-key.test.ts and participant-token-issuer.test.ts check them): no IVS call.
  'ParticipantTokenSigningKey.grantSign': (r, grantee) => {
    r.signingKey.grantSign(grantee);
    return [];
  },
  'ParticipantTokenIssuer.grantInvoke': (r, grantee) => {
    r.issuer.grantInvoke(grantee);
    return [];
  },
  // Lambda (stage-pool.test.ts checks it): no IVS call.
  'StagePool.grantCreateSession': (r, grantee) => {
    r.pool.grantCreateSession(grantee);
    return [];
  },
  // S3 (stage-recording.test.ts checks it): no IVS call.
  'StageRecording.grantReadRecordings': (r, grantee) => {
    r.recording.grantReadRecordings(grantee);
    return [];
  },
};

/**
 * `Class.method` of every public method named `grant…` that a class exported by the library defines or inherits from
 * its own (library) bases, read from the sources with the TypeScript compiler.
 */
function grantMethodsOfTheLibrary(): string[] {
  const libDir = path.join(__dirname, '..', '..', 'lib');
  const classes = new Map<string, { exported: boolean; base?: string; grants: string[] }>();
  for (const file of fs.readdirSync(libDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(libDir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    source.forEachChild((node) => {
      if (!ts.isClassDeclaration(node) || !node.name) {
        return;
      }
      const modifiers = (member: ts.Node) => (ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []);
      const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(source);
      classes.set(node.name.text, {
        exported: modifiers(node).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword),
        base,
        grants: node.members.filter(ts.isMethodDeclaration)
          .filter((method) => !modifiers(method).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword))
          .map((method) => method.name.getText(source))
          .filter((name) => name.startsWith('grant')),
      });
    });
  }
  return [...classes].filter(([, info]) => info.exported).flatMap(([name, info]) => {
    const grants = new Set<string>();
    for (let current: typeof info | undefined = info; current; current = current.base ? classes.get(current.base) : undefined) {
      current.grants.forEach((grant) => grants.add(grant));
    }
    return [...grants].map((grant) => `${name}.${grant}`);
  }).sort();
}

// ---------------------------------------------------------------------------------------------------------------------

describe('the IAM statements the library synthesizes, by the Service Authorization Reference', () => {
  test('the reference copy is the one in shared/reference, when that is beside the repository', () => {
    const shared = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'ivs-iam-authorization.json');
    if (fs.existsSync(shared)) {
      expect(fs.readFileSync(path.join(__dirname, '..', 'support', 'ivs-iam-authorization.json'), 'utf8')).toEqual(fs.readFileSync(shared, 'utf8'));
    }
  });

  test("every ivs: action of the library's action lists exists", () => {
    const actions = JSON.stringify(actionLists).match(/"ivs:[^"]*"/g)!.map((quoted) => JSON.parse(quoted) as string);
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((action) => !REFERENCE.actions[action.slice('ivs:'.length)])).toEqual([]);
  });

  describe('a stack of every construct: the provider and the composition functions', () => {
    const template = new ResolvedTemplate(everythingStack());

    test('every statement names only resources its ivs: actions can be scoped to', () => {
      expect(referenceProblems(template.allStatements())).toEqual([]);
    });

    test("the provider's role is granted every action of every call its handler makes, on the resources each names", () => {
      const files = handlerSourceFiles().filter((file) => file.startsWith('provider/') || file.startsWith('shared/'));
      const handlerId = template.idsOfType('AWS::Lambda::Function').find((id) => /IvsRealTimeProviderHandler/.test(id))!;
      const statements = template.statementsOfRole(template.roleOfFunction(handlerId));

      const calls: Call[] = [];
      const otherCalls: string[] = [];
      for (const file of files) {
        for (const operation of operationsCalledIn(file)) {
          const other = PROVIDER_OTHER_CALLS[operation];
          if (other && (operation !== 'GetPublicKey' || other.file === file)) {
            expect([operation, other.file]).toEqual([operation, file]);
            const on = other.on(template);
            expect(on.length).toBeGreaterThan(0);
            otherCalls.push(...on.filter((resource) => !allows(statements, other.action, resource)).map((resource) => `${other.action} on ${resource}`));
            continue;
          }
          const named = PROVIDER_FILES[file];
          expect([file, named !== undefined]).toEqual([file, true]);
          const resources = Array.isArray(named) ? named : named[operation];
          expect([file, operation, resources !== undefined]).toEqual([file, operation, true]);
          for (const resource of resources) {
            const on = Object.fromEntries((REFERENCE.operations[operation] ?? []).map((action) => [action, [resource === '*' ? '*' : ivsArn(resource, NEW)]]));
            calls.push({ operation, on });
          }
        }
      }

      expect(calls.map(({ operation }) => operation)).toEqual(expect.arrayContaining(['CreateStage', 'ImportPublicKey', 'TagResource']));
      expect(missingGrants(statements, calls)).toEqual([]);
      expect(otherCalls).toEqual([]);
    });

    test("each composition function's role is granted every action of every call it makes, on the resources each names", () => {
      const operations = operationsCalledIn('composition/index.ts');
      expect(operations.filter((operation) => !COMPOSITION_CALLS[operation])).toEqual([]);
      const functions = template.idsOfType('AWS::Lambda::Function')
        .filter((id) => template.resources[id].Properties.Environment?.Variables?.[COMPOSITION_CONFIG_ENV] !== undefined);
      expect(functions).toHaveLength(2);

      for (const id of functions) {
        const variables = template.resources[id].Properties.Environment.Variables;
        const config: CompositionFunctionConfig = JSON.parse(template.resolve(variables[COMPOSITION_CONFIG_ENV]));
        const calls = operations.flatMap((operation) => {
          const on = COMPOSITION_CALLS[operation](config);
          return on ? [{ operation, on }] : [];
        });
        expect([id, missingGrants(template.statementsOfRole(template.roleOfFunction(id)), calls)]).toEqual([id, []]);
      }
    });
  });

  test("the token issuer's role is granted GetStage on its stages, and kms:Sign on its key with ES384's algorithm only", () => {
    const template = new ResolvedTemplate(everythingStack());
    expect(operationsCalledIn('participant-token-issuer/index.ts')).toEqual(['GetStage', 'Sign']);
    const id = template.idsOfType('AWS::Lambda::Function')
      .find((fn) => template.resources[fn].Properties.Environment?.Variables?.[TOKEN_ISSUER_CONFIG_ENV] !== undefined)!;
    const config: TokenIssuerConfig = JSON.parse(template.resolve(template.resources[id].Properties.Environment.Variables[TOKEN_ISSUER_CONFIG_ENV]));
    const statements = template.statementsOfRole(template.roleOfFunction(id));

    // GetStage { arn }
    expect(missingGrants(statements, [{ operation: 'GetStage', on: { GetStage: config.stageArns } }])).toEqual([]);
    // Sign { KeyId, SigningAlgorithm }: a conditional statement, which allows() does not count.
    expect(statements.filter((statement) => statement.Action === 'kms:Sign' && [statement.Resource].flat().includes(config.kmsKeyArn)))
      .toEqual([expect.objectContaining({ Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_384' } } })]);
  });

  test("the recording-ready function's role is granted every IVS call it makes, and its S3, DynamoDB and EventBridge calls", () => {
    const stack = new Stack(new App(), 'Playback');
    const playback = new lib.RecordingPlayback(stack, 'Playback', { bucket: new RecordingBucket(stack, 'Recordings') });
    const template = new ResolvedTemplate(stack);
    const operations = [...new Set(handlerSourceFiles().filter((file) => file.startsWith('recording-ready/')).flatMap(operationsCalledIn))].sort();
    expect(operations).toEqual(['DeleteItem', 'GetComposition', 'GetObject', 'GetStorageConfiguration', 'PutEvents', 'PutItem', 'UpdateItem']);
    const functionId = stack.getLogicalId(playback.readyFunction!.node.defaultChild as CfnElement);
    const statements = template.statementsOfRole(template.roleOfFunction(functionId));

    // GetComposition { arn } of any composition; GetStorageConfiguration { arn } of the storage configuration it names
    expect(missingGrants(statements, [
      { operation: 'GetComposition', on: { GetComposition: [ivsArn(ArnResource.COMPOSITION, NEW)] } },
      { operation: 'GetStorageConfiguration', on: { GetStorageConfiguration: [ivsArn(ArnResource.STORAGE_CONFIGURATION, NEW)] } },
    ])).toEqual([]);
    const bucketArn = template.resolve({ 'Fn::GetAtt': [template.idsOfType('AWS::S3::Bucket')[0], 'Arn'] });
    const tableArn = template.resolve({ 'Fn::GetAtt': [template.idsOfType('AWS::DynamoDB::Table')[0], 'Arn'] });
    expect([
      allows(statements, 's3:GetObject', `${bucketArn}/stage/st-1/participant/2024-01-01T00-00-00Z/events/recording-ended.json`),
      // without it, S3 answers a missing key with 403, which the function would take for a failure
      allows(statements, 's3:ListBucket', bucketArn),
      ...['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].map((action) => allows(statements, action, tableArn)),
      allows(statements, 'events:PutEvents', `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/default`),
      allows(statements, 'events:PutEvents', `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/other`),
    ]).toEqual([true, true, true, true, true, true, false]);
  });

  test("a stage pool's functions are granted every ivs: action of every call they make, on the pool's stages only", () => {
    const stack = new Stack(new App(), 'Pool', { env: { account: ACCOUNT, region: REGION } });
    const pool = new StagePool(stack, 'Pool');
    const template = new ResolvedTemplate(stack);
    const roleOf = (fn: iam.IGrantable & { node: any }) => template.roleOfFunction(stack.getLogicalId(fn.node.defaultChild));
    const cases = [
      { fn: pool.sessionFunction, files: ['stage-pool/sessions.ts'] },
      { fn: pool.cleanupFunction, files: ['stage-pool/cleanup.ts'] },
    ];
    for (const { fn, files } of cases) {
      const statements = template.statementsOfRole(roleOf(fn));
      expect(referenceProblems(statements.map((statement) => ({ where: fn.node.path, statement })))).toEqual([]);
      const actions = files.flatMap(operationsCalledIn).flatMap((operation) => REFERENCE.operations[operation].map((action) => `ivs:${action}`));
      for (const action of actions) {
        const granting = statements.filter((statement) => [statement.Action].flat().includes(action));
        // every action but ListStages (a List call names no stage) only on stages that carry the pool's tag.
        const tagKey = `aws:${action === 'ivs:CreateStage' || action === 'ivs:TagResource' ? 'RequestTag' : 'ResourceTag'}/${StagePool.POOL_TAG}`;
        const condition = action === 'ivs:ListStages' ? {} : { Condition: expect.objectContaining({ StringEquals: { [tagKey]: pool.poolId } }) };
        expect([action, granting]).toEqual([action, [{ Effect: 'Allow', Action: expect.anything(), Resource: ivsArn(ArnResource.STAGE, '*'), ...condition }]]);
      }
    }
  });

  test('every example stack names only resources its ivs: actions can be scoped to', () => {
    const examples = path.join(__dirname, '..', '..', 'examples');
    const stacks = fs.readdirSync(examples)
      .filter((file) => file.endsWith('.ts') && file !== 'app.ts' && !file.endsWith('.d.ts'))
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- every example file, found at run time
      .flatMap((file) => Object.values(require(path.join(examples, file)) as Record<string, unknown>))
      .filter((value): value is new (scope: App, id: string) => Stack =>
        typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Stack);
    expect(stacks.length).toBeGreaterThanOrEqual(4);

    expect(stacks.flatMap((StackClass) => referenceProblems(new ResolvedTemplate(new StackClass(new App(), StackClass.name)).allStatements())))
      .toEqual([]);
  });

  describe('every grant method', () => {
    test('is checked here', () => {
      expect(grantMethodsOfTheLibrary()).toEqual(Object.keys(GRANTS).sort());
    });

    describe.each([
      ['of resources of the stack', newResources, undefined],
      ['of imported resources of another account and region', importedResources, { account: ACCOUNT, region: REGION }],
    ] as const)('%s', (_, resourcesOf, env) => {
      const stack = new Stack(new App(), 'Grants', { env });
      const resources = resourcesOf(stack);
      const grants = Object.keys(GRANTS).map((name) => {
        const role = new iam.Role(stack, name.replace('.', ''), { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        return { name, role, calls: GRANTS[name](resources, role) };
      });
      // every grant made: now the template.
      const template = new ResolvedTemplate(stack);
      const resolved = Object.fromEntries(grants.map(({ name, role, calls }) => [name, {
        roleId: stack.getLogicalId(role.node.defaultChild as iam.CfnRole),
        calls: calls?.map(({ operation, on }) => ({
          operation,
          on: Object.fromEntries(Object.entries(on).map(([action, arns]) => [action, arns.map((arn) => template.resolveToken(arn))])),
        })),
      }]));

      test('names only resources their ivs: actions can be scoped to', () => {
        expect(referenceProblems(template.allStatements())).toEqual([]);
      });

      test.each(Object.keys(GRANTS))('%s grants every action of the calls it is for, on what each names', (name) => {
        const { roleId, calls } = resolved[name];
        if (calls) {
          expect(missingGrants(template.statementsOfRole(roleId), calls)).toEqual([]);
        }
      });
    });
  });
});
