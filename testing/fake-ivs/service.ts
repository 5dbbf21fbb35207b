/**
 * In-memory state and operation semantics of the fake IVS Real-Time service. Inputs reaching these
 * handlers have already passed model validation (see validation.ts), so they are typed with the SDK's
 * request shapes. Stored values are shaped like the API's Get responses, tags included.
 */
import { createHash, randomInt } from 'node:crypto';
import type {
  AutoParticipantRecordingConfiguration,
  CreateEncoderConfigurationRequest,
  CreateIngestConfigurationRequest,
  CreateStageRequest,
  CreateStorageConfigurationRequest,
  DeleteIngestConfigurationRequest,
  DestinationConfiguration,
  GridConfiguration,
  ImportPublicKeyRequest,
  LayoutConfiguration,
  ListCompositionsRequest,
  ListIngestConfigurationsRequest,
  ListParticipantsRequest,
  ParticipantToken,
  ParticipantTokenConfiguration,
  PipConfiguration,
  StartCompositionRequest,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateIngestConfigurationRequest,
  UpdateStageRequest,
} from '@aws-sdk/client-ivs-realtime';
import { conflictError, IvsServiceError, notFoundError, quotaExceeded, validationError } from './errors';
import { publicKeyFromMaterial } from './validation';

export type Tags = Record<string, string>;

export interface FakeStage {
  arn: string;
  name: string;
  /** Set while a session runs; see FakeIvsService.startStageSession. */
  activeSessionId?: string;
  /** Present once a request set it; the service fills its documented defaults. */
  autoParticipantRecordingConfiguration?: AutoParticipantRecordingConfiguration;
  endpoints: { events: string; whip: string; rtmp: string; rtmps: string };
  tags: Tags;
}

export interface FakeStorageConfiguration {
  arn: string;
  name: string;
  s3: { bucketName: string };
  tags: Tags;
}

export interface FakeEncoderConfiguration {
  arn: string;
  name: string;
  video: { width: number; height: number; framerate: number; bitrate: number };
  tags: Tags;
}

export type IngestState = 'ACTIVE' | 'INACTIVE';

export interface FakeIngestConfiguration {
  arn: string;
  name: string;
  ingestProtocol: 'RTMP' | 'RTMPS';
  streamKey: string;
  stageArn: string;
  participantId: string;
  state: IngestState;
  userId?: string;
  redundantIngest: boolean;
  /** The backup stream's credentials, present while redundantIngest is on. */
  redundantIngestCredentials?: { participantId: string; streamKey: string }[];
  attributes: Record<string, string>;
  tags: Tags;
}

export interface FakePublicKey {
  arn: string;
  name: string;
  publicKeyMaterial: string;
  /** Hex SHA-256 of the key's DER (SPKI) encoding. */
  fingerprint: string;
  tags: Tags;
}

export interface FakeDestination {
  id: string;
  state: 'ACTIVE' | 'STOPPED';
  configuration: DestinationConfiguration;
  startTime: Date;
  endTime?: Date;
  detail?: { s3: { recordingPrefix: string } };
}

export interface FakeComposition {
  arn: string;
  stageArn: string;
  state: 'ACTIVE' | 'STOPPED';
  layout: LayoutConfiguration;
  destinations: FakeDestination[];
  startTime: Date;
  endTime?: Date;
  tags: Tags;
}

export interface FakeStageSession {
  sessionId: string;
  startTime: Date;
  endTime?: Date;
}

/** A participant of one stage session; see FakeIvsService.joinParticipant. */
export interface FakeParticipant {
  participantId: string;
  userId?: string;
  state: 'CONNECTED' | 'DISCONNECTED';
  published: boolean;
  firstJoinTime: Date;
}

/**
 * Resource quotas of an account and region, as the IVS Real-Time User Guide's "Service Quotas" page lists them (read
 * from the copy in this repository's reference notes; confirm the English page's rows). The page's other quotas are
 * not enforced: concurrent subscriptions (20,000 per Region: the fake has no subscribers), concurrent replications
 * per participant (5: it does not replicate), and composition destinations (2, the model's limit: a
 * ValidationException). The notes give no number for storage configurations, ingest configurations or public keys:
 * the fake sets no limit on them.
 */
export interface ServiceQuotas {
  /** EncoderConfigurations per account (adjustable). @default 20 */
  readonly encoderConfigurations: number;
  /** Compositions not yet stopped, per account (adjustable). @default 5 */
  readonly concurrentCompositions: number;
  /**
   * Stages per Region (adjustable): CreateStage answers ServiceQuotaExceededException beyond. The page as read says
   * 1,000 (the figure issue #21 gives too). @default 1000
   */
  readonly stages: number;
  /** Compositions not yet stopped, per stage. @default 5 */
  readonly compositionsPerStage: number;
  /** Participants publishing at once in one stage (not adjustable): a further publish is refused. @default 12 */
  readonly publishersPerStage: number;
  /** Participants publishing at once in the Region (adjustable): a further publish is refused. @default 1000 */
  readonly concurrentPublishers: number;
}

/** The default quotas. */
export const DEFAULT_QUOTAS: ServiceQuotas = {
  encoderConfigurations: 20,
  concurrentCompositions: 5,
  stages: 1000,
  compositionsPerStage: 5,
  publishersPerStage: 12,
  concurrentPublishers: 1000,
};

/** How long a composition outlives the last participant of its stage (StartComposition docs: "a 1-minute timeout"). */
export const COMPOSITION_IDLE_TIMEOUT_MS = 60_000;

export interface FakeIvsServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** When set, CreateStorageConfiguration rejects any other bucket, as it would one IVS cannot reach. */
  readonly knownBuckets?: readonly string[];
  /** @default DEFAULT_QUOTAS */
  readonly quotas?: Partial<ServiceQuotas>;
  /** @default COMPOSITION_IDLE_TIMEOUT_MS */
  readonly compositionIdleTimeoutMs?: number;
  /** The service's time (ms since the epoch), which dates sessions and compositions. @default Date.now */
  readonly now?: () => number;
}

type OperationHandler = (input: any) => object;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MAX_TAGS = 50;
const DEFAULT_PAGE_SIZE = 100;

function randomString(length: number, alphabet = ALPHANUMERIC): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The documented defaults IVS fills in; sending an empty storage ARN resets every other field to them. */
function recordingConfigurationWithDefaults(
  requested: AutoParticipantRecordingConfiguration,
): AutoParticipantRecordingConfiguration {
  const given = requested.storageConfigurationArn === '' ? { storageConfigurationArn: '' } : requested;
  return {
    storageConfigurationArn: given.storageConfigurationArn,
    mediaTypes: given.mediaTypes ?? ['AUDIO_VIDEO'],
    thumbnailConfiguration: {
      recordingMode: 'DISABLED',
      targetIntervalSeconds: 60,
      storage: ['SEQUENTIAL'],
      ...given.thumbnailConfiguration,
    },
    recordingReconnectWindowSeconds: given.recordingReconnectWindowSeconds ?? 0,
    hlsConfiguration: { targetSegmentDurationSeconds: 6, ...given.hlsConfiguration },
    recordParticipantReplicas: given.recordParticipantReplicas ?? true,
  };
}

const GRID_DEFAULTS: GridConfiguration = {
  featuredParticipantAttribute: '',
  omitStoppedVideo: false,
  videoAspectRatio: 'VIDEO',
  gridGap: 2,
};

const PIP_DEFAULTS: PipConfiguration = {
  featuredParticipantAttribute: '',
  omitStoppedVideo: false,
  videoFillMode: 'COVER',
  gridGap: 0,
  pipParticipantAttribute: '',
  pipBehavior: 'STATIC',
  pipOffset: 0,
  pipPosition: 'BOTTOM_RIGHT',
};

function layoutWithDefaults(layout: LayoutConfiguration | undefined): LayoutConfiguration {
  return layout?.pip ? { pip: { ...PIP_DEFAULTS, ...layout.pip } } : { grid: { ...GRID_DEFAULTS, ...layout?.grid } };
}

/** Names a missing referenced resource the way a ValidationException names a bad member. */
function missingReference(path: string, arn: string, resourceType: string): IvsServiceError {
  return validationError([`Value '${arn}' at '${path}' failed to satisfy constraint: ${resourceType} does not exist`]);
}

export class FakeIvsService {
  readonly stages = new Map<string, FakeStage>();
  readonly storageConfigurations = new Map<string, FakeStorageConfiguration>();
  readonly encoderConfigurations = new Map<string, FakeEncoderConfiguration>();
  readonly ingestConfigurations = new Map<string, FakeIngestConfiguration>();
  readonly publicKeys = new Map<string, FakePublicKey>();
  readonly compositions = new Map<string, FakeComposition>();
  /** Every session each stage has had, newest last. */
  readonly stageSessions = new Map<string, FakeStageSession[]>();
  /** Session id → the participants who joined it. */
  readonly participants = new Map<string, FakeParticipant[]>();
  /** StartComposition idempotency tokens → the composition they started. */
  private readonly compositionTokens = new Map<string, { stageArn: string; compositionArn: string }>();
  /** Active compositions whose stage has no connected participant → the timer that stops them. */
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private quotas: ServiceQuotas;
  private compositionIdleTimeoutMs: number;

  private readonly handlers: Readonly<Record<string, OperationHandler>> = {
    CreateStage: (input: CreateStageRequest) => this.createStage(input),
    GetStage: ({ arn }: { arn: string }) => ({ stage: this.stage(arn) }),
    UpdateStage: (input: UpdateStageRequest) => this.updateStage(input),
    DeleteStage: ({ arn }: { arn: string }) => this.deleteStage(arn),
    ListStages: (input) => {
      const page = this.paginate([...this.stages.values()], input);
      return {
        stages: page.items.map(({ arn, name, activeSessionId, tags }) => ({ arn, name, activeSessionId, tags })),
        nextToken: page.nextToken,
      };
    },
    CreateStorageConfiguration: (input: CreateStorageConfigurationRequest) => this.createStorageConfiguration(input),
    GetStorageConfiguration: ({ arn }: { arn: string }) => ({ storageConfiguration: this.storageConfiguration(arn) }),
    DeleteStorageConfiguration: ({ arn }: { arn: string }) => this.deleteStorageConfiguration(arn),
    ListStorageConfigurations: (input) => {
      const page = this.paginate([...this.storageConfigurations.values()], input);
      return { storageConfigurations: page.items, nextToken: page.nextToken };
    },
    CreateEncoderConfiguration: (input: CreateEncoderConfigurationRequest) => this.createEncoderConfiguration(input),
    GetEncoderConfiguration: ({ arn }: { arn: string }) => ({ encoderConfiguration: this.encoderConfiguration(arn) }),
    DeleteEncoderConfiguration: ({ arn }: { arn: string }) => this.deleteEncoderConfiguration(arn),
    ListEncoderConfigurations: (input) => {
      const page = this.paginate([...this.encoderConfigurations.values()], input);
      return { encoderConfigurations: page.items.map(({ arn, name, tags }) => ({ arn, name, tags })), nextToken: page.nextToken };
    },
    CreateIngestConfiguration: (input: CreateIngestConfigurationRequest) => this.createIngestConfiguration(input),
    GetIngestConfiguration: ({ arn }: { arn: string }) => ({ ingestConfiguration: this.ingestConfiguration(arn) }),
    UpdateIngestConfiguration: (input: UpdateIngestConfigurationRequest) => this.updateIngestConfiguration(input),
    DeleteIngestConfiguration: (input: DeleteIngestConfigurationRequest) => this.deleteIngestConfiguration(input),
    ListIngestConfigurations: (input: ListIngestConfigurationsRequest) => this.listIngestConfigurations(input),
    ImportPublicKey: (input: ImportPublicKeyRequest) => this.importPublicKey(input),
    GetPublicKey: ({ arn }: { arn: string }) => ({ publicKey: this.publicKey(arn) }),
    DeletePublicKey: ({ arn }: { arn: string }) => {
      this.publicKey(arn);
      this.publicKeys.delete(arn);
      return {};
    },
    ListPublicKeys: (input) => {
      const page = this.paginate([...this.publicKeys.values()], input);
      return { publicKeys: page.items.map(({ arn, name, tags }) => ({ arn, name, tags })), nextToken: page.nextToken };
    },
    StartComposition: (input: StartCompositionRequest) => this.startComposition(input),
    GetComposition: ({ arn }: { arn: string }) => ({ composition: this.composition(arn) }),
    StopComposition: ({ arn }: { arn: string }) => {
      this.stopComposition(this.composition(arn));
      return {};
    },
    ListCompositions: (input: ListCompositionsRequest) => this.listCompositions(input),
    ListParticipants: (input: ListParticipantsRequest) => this.listParticipants(input),
    ListStageSessions: (input: { stageArn: string; maxResults?: number; nextToken?: string }) => {
      this.stage(input.stageArn);
      // newest first, as the API reference's example lists them (order unconfirmed).
      const page = this.paginate([...this.stageSessions.get(input.stageArn) ?? []].reverse(), input);
      return { stageSessions: page.items.map(({ sessionId, startTime, endTime }) => ({ sessionId, startTime, endTime })), nextToken: page.nextToken };
    },
    TagResource: ({ resourceArn, tags }: TagResourceRequest) => {
      const resource = this.taggable(resourceArn!);
      resource.tags = this.mergedTags(resource.tags, tags!);
      return {};
    },
    UntagResource: ({ resourceArn, tagKeys }: UntagResourceRequest) => {
      const resource = this.taggable(resourceArn!);
      tagKeys!.forEach((key) => delete resource.tags[key]);
      return {};
    },
    ListTagsForResource: ({ resourceArn }: { resourceArn: string }) => ({ tags: this.taggable(resourceArn).tags }),
  };

  constructor(private readonly options: FakeIvsServiceOptions) {
    this.quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.compositionIdleTimeoutMs = options.compositionIdleTimeoutMs ?? COMPOSITION_IDLE_TIMEOUT_MS;
  }

  private date(): Date {
    return new Date(this.options.now?.() ?? Date.now());
  }

  implements(operation: string): boolean {
    return operation in this.handlers;
  }

  /** Runs one validated request; throws IvsServiceError for the service's error answers. */
  invoke(operation: string, input: Record<string, unknown>): object {
    return this.handlers[operation](input);
  }

  reset(): void {
    this.stages.clear();
    this.storageConfigurations.clear();
    this.encoderConfigurations.clear();
    this.ingestConfigurations.clear();
    this.publicKeys.clear();
    this.compositions.clear();
    this.stageSessions.clear();
    this.participants.clear();
    this.compositionTokens.clear();
    this.clearTimers();
    this.quotas = { ...DEFAULT_QUOTAS, ...this.options.quotas };
    this.compositionIdleTimeoutMs = this.options.compositionIdleTimeoutMs ?? COMPOSITION_IDLE_TIMEOUT_MS;
  }

  clearTimers(): void {
    this.idleTimers.forEach((timer) => clearTimeout(timer));
    this.idleTimers.clear();
  }

  setQuotas(quotas: Partial<ServiceQuotas>): void {
    this.quotas = { ...this.quotas, ...quotas };
  }

  /** Applies to compositions that become idle from now on. */
  setCompositionIdleTimeout(ms: number): void {
    this.compositionIdleTimeoutMs = ms;
  }

  startStageSession(stageArn: string): string {
    const stage = this.stage(stageArn);
    if (stage.activeSessionId) throw new Error(`Stage ${stageArn} already has active session ${stage.activeSessionId}`);
    const sessionId = `st-${randomString(13)}`;
    stage.activeSessionId = sessionId;
    const sessions = this.stageSessions.get(stageArn) ?? [];
    sessions.push({ sessionId, startTime: this.date() });
    this.stageSessions.set(stageArn, sessions);
    return sessionId;
  }

  endStageSession(stageArn: string): void {
    const stage = this.stage(stageArn);
    const session = this.stageSessions.get(stageArn)?.find((candidate) => candidate.sessionId === stage.activeSessionId);
    if (!session) throw new Error(`Stage ${stageArn} has no active session`);
    session.endTime = this.date();
    delete stage.activeSessionId;
    this.participants.get(session.sessionId)?.forEach((participant) => {
      participant.state = 'DISCONNECTED';
      participant.published = false;
    });
    this.updateIdleTimers(stageArn);
  }

  /** A participant joins the stage's active session, publishing or not; returns its id. */
  joinParticipant(stageArn: string, options: { published?: boolean; userId?: string } = {}): string {
    const sessionId = this.stage(stageArn).activeSessionId;
    if (!sessionId) throw new Error(`Stage ${stageArn} has no active session: call startStageSession first`);
    if (options.published) this.checkPublisherQuotas(stageArn);
    const participant: FakeParticipant = {
      participantId: randomString(12),
      userId: options.userId,
      state: 'CONNECTED',
      published: options.published ?? false,
      firstJoinTime: this.date(),
    };
    this.participants.set(sessionId, [...(this.participants.get(sessionId) ?? []), participant]);
    this.updateIdleTimers(stageArn);
    return participant.participantId;
  }

  setParticipantPublished(stageArn: string, participantId: string, published: boolean): void {
    const participant = this.connectedParticipant(stageArn, participantId);
    if (published && !participant.published) this.checkPublisherQuotas(stageArn);
    participant.published = published;
  }

  /** Publishers per stage and per Region: IVS refuses the publish (its client gets an error), the hook throws. */
  private checkPublisherQuotas(stageArn: string): void {
    const publishing = (arn: string) => (this.participants.get(this.stages.get(arn)?.activeSessionId ?? '') ?? [])
      .filter((participant) => participant.state === 'CONNECTED' && participant.published).length;
    if (publishing(stageArn) >= this.quotas.publishersPerStage) {
      throw quotaExceeded(`Publishers per stage: the quota of ${this.quotas.publishersPerStage} is reached on stage ${stageArn}`);
    }
    const inRegion = [...this.stages.keys()].reduce((total, arn) => total + publishing(arn), 0);
    if (inRegion >= this.quotas.concurrentPublishers) {
      throw quotaExceeded(`Concurrent publishers per Region: the quota of ${this.quotas.concurrentPublishers} is reached`);
    }
  }

  /**
   * The participant disconnects; when it was the last one connected, the stage's session ends (at once: IVS, some time
   * after). The stage's compositions stop once the last one has been gone for the idle timeout.
   */
  leaveParticipant(stageArn: string, participantId: string): void {
    const participant = this.connectedParticipant(stageArn, participantId);
    participant.state = 'DISCONNECTED';
    participant.published = false;
    if (!this.hasConnectedParticipant(stageArn)) {
      // IVS ends a session some time after its last participant left (the docs give no figure); the fake ends it at
      // once, so what a session blocks (recording changes) is allowed again as soon as the stage is empty.
      this.endStageSession(stageArn);
    } else {
      this.updateIdleTimers(stageArn);
    }
  }

  private connectedParticipant(stageArn: string, participantId: string): FakeParticipant {
    const sessionId = this.stage(stageArn).activeSessionId;
    const participant = this.participants.get(sessionId ?? '')?.find((candidate) => candidate.participantId === participantId);
    if (!participant || participant.state !== 'CONNECTED') {
      throw new Error(`No connected participant ${participantId} in the active session of stage ${stageArn}`);
    }
    return participant;
  }

  private hasConnectedParticipant(stageArn: string): boolean {
    const sessionId = this.stages.get(stageArn)?.activeSessionId;
    return (this.participants.get(sessionId ?? '') ?? []).some((participant) => participant.state === 'CONNECTED');
  }

  /**
   * A composition stops a minute after its stage has no participant left, or a minute after it started on a stage with
   * none (StartComposition docs); until then it holds its encoder and storage configurations.
   */
  private updateIdleTimers(stageArn: string): void {
    const occupied = this.hasConnectedParticipant(stageArn);
    for (const composition of this.compositions.values()) {
      if (composition.stageArn !== stageArn || composition.state === 'STOPPED') continue;
      const timer = this.idleTimers.get(composition.arn);
      if (occupied && timer) {
        clearTimeout(timer);
        this.idleTimers.delete(composition.arn);
      } else if (!occupied && !timer) {
        const stopping = setTimeout(() => this.stopComposition(composition), this.compositionIdleTimeoutMs);
        // a test that leaves a composition running must still be able to exit.
        stopping.unref();
        this.idleTimers.set(composition.arn, stopping);
      }
    }
  }

  setIngestState(arn: string, state: IngestState): void {
    this.ingestConfiguration(arn).state = state;
  }

  private newArn(resourceType: string): { arn: string; id: string } {
    const id = randomString(12);
    return { arn: `arn:aws:ivs:${this.options.region}:${this.options.accountId}:${resourceType}/${id}`, id };
  }

  private find<T>(map: Map<string, T>, resourceType: string, arn: string): T {
    const resource = map.get(arn);
    if (!resource) throw notFoundError(resourceType, arn);
    return resource;
  }

  private stage(arn: string) { return this.find(this.stages, 'Stage', arn); }
  private storageConfiguration(arn: string) { return this.find(this.storageConfigurations, 'StorageConfiguration', arn); }
  private encoderConfiguration(arn: string) { return this.find(this.encoderConfigurations, 'EncoderConfiguration', arn); }
  private ingestConfiguration(arn: string) { return this.find(this.ingestConfigurations, 'IngestConfiguration', arn); }
  private publicKey(arn: string) { return this.find(this.publicKeys, 'PublicKey', arn); }
  private composition(arn: string) { return this.find(this.compositions, 'Composition', arn); }

  private taggable(arn: string): { tags: Tags } {
    // Validation has already checked the ARN names one of the taggable resource types.
    const resourceType = arn.split(':')[5].split('/')[0];
    const maps: Record<string, [Map<string, { tags: Tags }>, string]> = {
      'stage': [this.stages, 'Stage'],
      'storage-configuration': [this.storageConfigurations, 'StorageConfiguration'],
      'encoder-configuration': [this.encoderConfigurations, 'EncoderConfiguration'],
      'ingest-configuration': [this.ingestConfigurations, 'IngestConfiguration'],
      'public-key': [this.publicKeys, 'PublicKey'],
      'composition': [this.compositions, 'Composition'],
    };
    const [map, typeName] = maps[resourceType];
    return this.find(map, typeName, arn);
  }

  /** The model caps one request's tags at 50; this caps the resource's tags after merging. */
  private mergedTags(existing: Tags, added: Tags): Tags {
    const merged = { ...existing, ...added };
    const count = Object.keys(merged).length;
    if (count > MAX_TAGS) {
      throw validationError([`Value at 'tags' failed to satisfy constraint: a resource can have at most ${MAX_TAGS} tags, this request would leave it with ${count}`]);
    }
    return merged;
  }

  private paginate<T>(items: T[], input: { nextToken?: string; maxResults?: number }): { items: T[]; nextToken?: string } {
    const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw validationError([`Value '${input.nextToken}' at 'nextToken' failed to satisfy constraint: not a token this API returned`]);
    }
    const end = start + (input.maxResults ?? DEFAULT_PAGE_SIZE);
    return {
      items: items.slice(start, end),
      nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
    };
  }

  private requireStorageConfigurationReference(arn: string | undefined, path: string): void {
    if (arn && !this.storageConfigurations.has(arn)) throw missingReference(path, arn, 'StorageConfiguration');
  }

  private createStage(input: CreateStageRequest): object {
    if (this.stages.size >= this.quotas.stages) {
      throw quotaExceeded(`Stages per Region: the quota of ${this.quotas.stages} is reached`);
    }
    const recording = input.autoParticipantRecordingConfiguration;
    this.requireStorageConfigurationReference(recording?.storageConfigurationArn, 'autoParticipantRecordingConfiguration.storageConfigurationArn');
    const { arn } = this.newArn('stage');
    const host = randomString(12, LOWER_ALPHANUMERIC);
    const stage: FakeStage = {
      arn,
      name: input.name ?? '',
      autoParticipantRecordingConfiguration: recording ? recordingConfigurationWithDefaults(recording) : undefined,
      endpoints: {
        events: 'wss://global.events.live-video.net',
        whip: `https://${host}.global-bm.whip.live-video.net`,
        rtmp: `rtmp://${host}.global-contribute-staging.live-video.net/app/`,
        rtmps: `rtmps://${host}.global-contribute-staging.live-video.net:443/app/`,
      },
      tags: input.tags ?? {},
    };
    this.stages.set(arn, stage);
    const participantTokens = (input.participantTokenConfigurations ?? []).map((configuration) => this.participantToken(arn, configuration));
    return { stage, participantTokens };
  }

  private participantToken(stageArn: string, configuration: ParticipantTokenConfiguration): ParticipantToken {
    const participantId = randomString(12);
    const duration = configuration.duration ?? 720;
    const expirationTime = new Date(Date.now() + duration * 60_000);
    const payload = { jti: participantId, resource: stageArn, exp: Math.floor(expirationTime.getTime() / 1000) };
    return {
      participantId,
      // Shaped like the real JWT so code that splits it on '.' behaves; the signature is random.
      token: `${base64UrlJson({ alg: 'ES384', typ: 'JWT' })}.${base64UrlJson(payload)}.${randomString(86)}`,
      userId: configuration.userId,
      attributes: configuration.attributes ?? {},
      duration,
      capabilities: configuration.capabilities ?? ['PUBLISH', 'SUBSCRIBE'],
      expirationTime,
    };
  }

  private updateStage(input: UpdateStageRequest): object {
    const stage = this.stage(input.arn!);
    const recording = input.autoParticipantRecordingConfiguration;
    if (recording) {
      // "Note that this cannot be updated while recording is active" (UpdateStage docs).
      if (stage.activeSessionId && stage.autoParticipantRecordingConfiguration?.storageConfigurationArn) {
        throw conflictError(`Cannot update autoParticipantRecordingConfiguration of stage ${stage.arn} while recording is active (session ${stage.activeSessionId})`);
      }
      this.requireStorageConfigurationReference(recording.storageConfigurationArn, 'autoParticipantRecordingConfiguration.storageConfigurationArn');
      stage.autoParticipantRecordingConfiguration = recordingConfigurationWithDefaults(recording);
    }
    if (input.name !== undefined) stage.name = input.name;
    return { stage };
  }

  private deleteStage(arn: string): object {
    this.stage(arn);
    // Deleting a stage disconnects everyone, which ends its session and the compositions fed by it.
    for (const composition of this.compositions.values()) {
      if (composition.stageArn === arn) this.stopComposition(composition);
    }
    const activeSession = this.stageSessions.get(arn)?.find((session) => !session.endTime);
    if (activeSession) activeSession.endTime = this.date();
    this.stages.delete(arn);
    return {};
  }

  private createStorageConfiguration(input: CreateStorageConfigurationRequest): object {
    const bucketName = input.s3!.bucketName!;
    const knownBuckets = this.options.knownBuckets;
    if (knownBuckets && !knownBuckets.includes(bucketName)) {
      throw validationError([`Value '${bucketName}' at 's3.bucketName' failed to satisfy constraint: the bucket does not exist or IVS cannot access it`]);
    }
    const { arn } = this.newArn('storage-configuration');
    const storageConfiguration: FakeStorageConfiguration = { arn, name: input.name ?? '', s3: { bucketName }, tags: input.tags ?? {} };
    this.storageConfigurations.set(arn, storageConfiguration);
    return { storageConfiguration };
  }

  private activeCompositions(): FakeComposition[] {
    return [...this.compositions.values()].filter((composition) => composition.state === 'ACTIVE');
  }

  private deleteStorageConfiguration(arn: string): object {
    this.storageConfiguration(arn);
    const recordingStage = [...this.stages.values()]
      .find((stage) => stage.autoParticipantRecordingConfiguration?.storageConfigurationArn === arn);
    if (recordingStage) {
      throw conflictError(`StorageConfiguration ${arn} is in use by the auto-participant recording of stage ${recordingStage.arn}`);
    }
    const composition = this.activeCompositions()
      .find((candidate) => candidate.destinations.some((destination) => destination.configuration.s3?.storageConfigurationArn === arn));
    if (composition) throw conflictError(`StorageConfiguration ${arn} is in use by active composition ${composition.arn}`);
    this.storageConfigurations.delete(arn);
    return {};
  }

  private createEncoderConfiguration(input: CreateEncoderConfigurationRequest): object {
    if (this.encoderConfigurations.size >= this.quotas.encoderConfigurations) {
      throw quotaExceeded(`EncoderConfigurations per account: the quota of ${this.quotas.encoderConfigurations} is reached`);
    }
    const { arn } = this.newArn('encoder-configuration');
    const encoderConfiguration: FakeEncoderConfiguration = {
      arn,
      name: input.name ?? '',
      video: { width: 1280, height: 720, framerate: 30, bitrate: 2_500_000, ...input.video },
      tags: input.tags ?? {},
    };
    this.encoderConfigurations.set(arn, encoderConfiguration);
    return { encoderConfiguration };
  }

  private deleteEncoderConfiguration(arn: string): object {
    this.encoderConfiguration(arn);
    const composition = this.activeCompositions().find((candidate) => this.compositionUsesEncoder(candidate, arn));
    if (composition) throw conflictError(`EncoderConfiguration ${arn} is in use by active composition ${composition.arn}`);
    this.encoderConfigurations.delete(arn);
    return {};
  }

  private compositionUsesEncoder(composition: FakeComposition, encoderArn: string): boolean {
    return composition.destinations.some(({ configuration }) =>
      configuration.channel?.encoderConfigurationArn === encoderArn
      || (configuration.s3?.encoderConfigurationArns ?? []).includes(encoderArn));
  }

  private streamKey(resourceId: string): string {
    return `rt_${this.options.accountId}_${this.options.region}_${resourceId}_${randomString(32)}`;
  }

  private redundantIngestCredentials(resourceId: string): FakeIngestConfiguration['redundantIngestCredentials'] {
    return [{ participantId: randomString(12), streamKey: this.streamKey(resourceId) }];
  }

  private requireStageReference(stageArn: string | undefined): void {
    if (stageArn && !this.stages.has(stageArn)) throw missingReference('stageArn', stageArn, 'Stage');
  }

  private createIngestConfiguration(input: CreateIngestConfigurationRequest): object {
    this.requireStageReference(input.stageArn);
    const { arn, id } = this.newArn('ingest-configuration');
    const redundantIngest = input.redundantIngest ?? false;
    const ingestConfiguration: FakeIngestConfiguration = {
      arn,
      name: input.name ?? '',
      ingestProtocol: input.ingestProtocol!,
      streamKey: this.streamKey(id),
      stageArn: input.stageArn ?? '',
      participantId: randomString(12),
      state: 'INACTIVE',
      userId: input.userId,
      redundantIngest,
      redundantIngestCredentials: redundantIngest ? this.redundantIngestCredentials(id) : undefined,
      attributes: input.attributes ?? {},
      tags: input.tags ?? {},
    };
    this.ingestConfigurations.set(arn, ingestConfiguration);
    return { ingestConfiguration };
  }

  private updateIngestConfiguration(input: UpdateIngestConfigurationRequest): object {
    const ingestConfiguration = this.ingestConfiguration(input.arn!);
    if (ingestConfiguration.state === 'ACTIVE') {
      throw conflictError(`IngestConfiguration ${input.arn} is active and cannot be updated`);
    }
    this.requireStageReference(input.stageArn);
    if (input.stageArn !== undefined) ingestConfiguration.stageArn = input.stageArn;
    if (input.redundantIngest !== undefined && input.redundantIngest !== ingestConfiguration.redundantIngest) {
      ingestConfiguration.redundantIngest = input.redundantIngest;
      ingestConfiguration.redundantIngestCredentials = input.redundantIngest
        ? this.redundantIngestCredentials(input.arn!.split('/')[1])
        : undefined;
    }
    return { ingestConfiguration };
  }

  private deleteIngestConfiguration(input: DeleteIngestConfigurationRequest): object {
    const ingestConfiguration = this.ingestConfiguration(input.arn!);
    if (ingestConfiguration.state === 'ACTIVE' && !input.force) {
      throw conflictError(`IngestConfiguration ${input.arn} is active; stop the stream or delete it with force`);
    }
    this.ingestConfigurations.delete(input.arn!);
    return {};
  }

  private listIngestConfigurations(input: ListIngestConfigurationsRequest): object {
    const matching = [...this.ingestConfigurations.values()].filter((candidate) =>
      (input.filterByStageArn === undefined || candidate.stageArn === input.filterByStageArn)
      && (input.filterByState === undefined || candidate.state === input.filterByState));
    const page = this.paginate(matching, input);
    return {
      ingestConfigurations: page.items.map(({ arn, ingestProtocol, stageArn, participantId, state, name, userId, redundantIngest }) =>
        ({ arn, ingestProtocol, stageArn, participantId, state, name, userId, redundantIngest })),
      nextToken: page.nextToken,
    };
  }

  private importPublicKey(input: ImportPublicKeyRequest): object {
    const der = publicKeyFromMaterial(input.publicKeyMaterial!).export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const duplicate = [...this.publicKeys.values()].find((key) => key.fingerprint === fingerprint);
    if (duplicate) throw conflictError(`This public key material was already imported as ${duplicate.arn}`);
    const { arn } = this.newArn('public-key');
    const publicKey: FakePublicKey = {
      arn,
      name: input.name ?? '',
      publicKeyMaterial: input.publicKeyMaterial!,
      fingerprint,
      tags: input.tags ?? {},
    };
    this.publicKeys.set(arn, publicKey);
    return { publicKey };
  }

  private startComposition(input: StartCompositionRequest): object {
    const stageArn = input.stageArn!;
    const token = input.idempotencyToken;
    const previous = token === undefined ? undefined : this.compositionTokens.get(token);
    if (previous) {
      if (previous.stageArn !== stageArn) {
        throw conflictError(`idempotencyToken ${token} was already used to start a composition on stage ${previous.stageArn}`);
      }
      return { composition: this.composition(previous.compositionArn) };
    }
    this.stage(stageArn);
    if (this.activeCompositions().length >= this.quotas.concurrentCompositions) {
      throw quotaExceeded(`Concurrent compositions per account: the quota of ${this.quotas.concurrentCompositions} is reached`);
    }
    if (this.activeCompositions().filter((composition) => composition.stageArn === stageArn).length >= this.quotas.compositionsPerStage) {
      throw quotaExceeded(`Compositions per stage: the quota of ${this.quotas.compositionsPerStage} is reached on stage ${stageArn}`);
    }
    input.destinations!.forEach(({ channel, s3 }) => {
      if (channel?.encoderConfigurationArn) this.encoderConfiguration(channel.encoderConfigurationArn);
      if (s3) {
        this.storageConfiguration(s3.storageConfigurationArn!);
        s3.encoderConfigurationArns!.forEach((encoderArn) => this.encoderConfiguration(encoderArn));
      }
    });
    const { arn, id } = this.newArn('composition');
    const startTime = this.date();
    const composition: FakeComposition = {
      arn,
      stageArn,
      state: 'ACTIVE',
      layout: layoutWithDefaults(input.layout),
      destinations: input.destinations!.map((configuration) => {
        const destinationId = randomString(12);
        return {
          id: destinationId,
          state: 'ACTIVE',
          configuration,
          startTime,
          detail: configuration.s3 ? { s3: { recordingPrefix: `${id}/${destinationId}/composite` } } : undefined,
        };
      }),
      startTime,
      tags: input.tags ?? {},
    };
    this.compositions.set(arn, composition);
    if (token !== undefined) this.compositionTokens.set(token, { stageArn, compositionArn: arn });
    this.updateIdleTimers(stageArn);
    return { composition };
  }

  private stopComposition(composition: FakeComposition): void {
    clearTimeout(this.idleTimers.get(composition.arn));
    this.idleTimers.delete(composition.arn);
    if (composition.state === 'STOPPED') return;
    const endTime = this.date();
    composition.state = 'STOPPED';
    composition.endTime = endTime;
    composition.destinations.forEach((destination) => {
      destination.state = 'STOPPED';
      destination.endTime = endTime;
    });
  }

  private listParticipants(input: ListParticipantsRequest): object {
    this.stage(input.stageArn!);
    const matching = (this.participants.get(input.sessionId!) ?? []).filter((candidate) =>
      (input.filterByPublished === undefined || candidate.published === input.filterByPublished)
      && (input.filterByState === undefined || candidate.state === input.filterByState)
      && (input.filterByUserId === undefined || candidate.userId === input.filterByUserId));
    const page = this.paginate(matching, input);
    return {
      participants: page.items.map((participant) => ({ ...participant, recordingState: 'DISABLED' })),
      nextToken: page.nextToken,
    };
  }

  private listCompositions(input: ListCompositionsRequest): object {
    const matching = [...this.compositions.values()].filter((candidate) =>
      (input.filterByStageArn === undefined || candidate.stageArn === input.filterByStageArn)
      && (input.filterByEncoderConfigurationArn === undefined || this.compositionUsesEncoder(candidate, input.filterByEncoderConfigurationArn)));
    const page = this.paginate(matching, input);
    return {
      compositions: page.items.map(({ arn, stageArn, destinations, state, tags, startTime, endTime }) => ({
        arn,
        stageArn,
        destinations: destinations.map(({ id, state: destinationState, startTime: started, endTime: ended }) =>
          ({ id, state: destinationState, startTime: started, endTime: ended })),
        state,
        tags,
        startTime,
        endTime,
      })),
      nextToken: page.nextToken,
    };
  }
}
