/**
 * Deploys a cloud assembly as the CDK CLI writes it (`cdk.out`) against the local services, the way CloudFormation
 * would as far as the library's custom resources go, and plays what IVS does at run time: participants publishing,
 * recordings starting and ending (their files written to the local S3), delivered as EventBridge events to the rules
 * the assembly deployed; the events the deployed functions put (a `RecordingPlayback`'s `IVS Recording Ready`) are
 * delivered to those rules in turn, and so are S3's `Object Created` events of the objects written to a bucket whose
 * EventBridge notifications the deployment turned on (aws-cdk-lib's `Custom::S3BucketNotifications`, an inert fake here,
 * with `NotificationConfiguration.EventBridgeConfiguration`).
 *
 * Each stack is deployed by a `LifecycleDriver` (playing CloudFormation: each custom resource's ServiceToken function,
 * run from the assembly's assets, is invoked and answers the ResponseURL), in dependency order, `Fn::ImportValue`
 * resolved from the exports of the stacks deployed before it. Custom resources of other libraries (S3 auto-delete objects, log retention, ...) are
 * deployed as inert fakes and reported in `skipped`.
 */
import { randomUUID } from 'crypto';
import { IConstruct } from 'constructs';
import { AsyncInvocation, AsyncInvoker } from './async-invocation';
import { assertSupportedAwsCdkLib, installedAwsCdkLibVersion } from './cdk-version';
import { matchesEventPattern } from './event-pattern';
import type { FakeDynamoDb } from './fake-dynamodb';
import type { FakeEventBridge } from './fake-eventbridge';
import { CreatedObject, onObjectCreated } from './fake-s3';
import type { InvokeOutcome } from './lifecycle/lambda-runtime';
import {
  CapturedResponse, CustomResourceEvent, DuplicateDelivery, LambdaApi, LifecycleDriver, LifecycleResult, ResponseServer,
  SynthesizedStack, Template, assemblyStacks, isCustomResourceType,
} from './lifecycle-driver';
import { LocalIvs } from './local-ivs';

/** The custom resource types of this library: the only ones run by default. */
const LIBRARY_TYPE_PREFIX = 'Custom::IvsRealTime';

export interface LocalDeploymentOptions {
  /**
   * Custom resource types to run besides the library's own (`Custom::IvsRealTime…`): yours, if their ServiceToken is a
   * Node.js Lambda function of the stack (one that answers the ResponseURL itself, or a `custom-resources.Provider`
   * with Node.js functions). Every other custom resource is deployed as an inert fake and listed in `skipped`.
   * @default - none
   */
  readonly runCustomResourceTypes?: readonly string[];
  /** Multiplies every function's timeout (0.01 turns 3 s into 30 ms), for tests of timeouts. @default 1 */
  readonly timeoutScale?: number;
  /** Independent custom resources deployed at once, as CloudFormation does. @default 1 */
  readonly concurrency?: number;
  /** Requests CloudFormation delivers twice (its at-least-once delivery). @default - every request once */
  readonly duplicateDelivery?: DuplicateDelivery;
}

/** Which stacks of the assembly `deploy` deploys. */
export interface DeployOptions {
  /**
   * The stacks to deploy, by stack name or artifact ID, each after the stacks it depends on (which are deployed too),
   * as `cdk deploy Web` does. The others of the assembly are left as they are.
   * @default - every stack of the assembly
   */
  readonly stacks?: readonly string[];
}

/** A custom resource deployed as an inert fake: its type is neither the library's nor in `runCustomResourceTypes`. */
export interface SkippedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
}

export interface DeploymentResult {
  /** SUCCEEDED once every stack did; else the status of the first stack that did not (later stacks are not attempted). */
  readonly status: LifecycleResult['status'];
  /** Each stack attempted, in order, with its result. */
  readonly stacks: ReadonlyArray<{ readonly stackName: string; readonly result: LifecycleResult }>;
  /** `StackName: reason` of the first stack that failed. */
  readonly reason?: string;
}

/** A participant of a stage session, as IVS names it in its events. */
export interface Participant {
  readonly stageArn: string;
  readonly sessionId: string;
  readonly participantId: string;
  readonly userId: string;
}

/** What `publish` did: the participant, and where IVS's event went. */
export interface ParticipantPublished {
  readonly participant: Participant;
  readonly deliveries: EventDelivery[];
}

/** An EventBridge event as IVS sends it. */
export interface IvsEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': string;
  readonly 'source': 'aws.ivs';
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': Record<string, unknown>;
}

/** How IVS ends a participant's recording in `LocalDeployment.endRecording`. */
export interface RecordingEndOptions {
  /**
   * Whether the recording ends with a failure: IVS writes `recording-failed.json` (`RECORDING_ENDED_WITH_FAILURE`) and
   * sends `Recording End Failure`.
   * @default false
   */
  readonly failure?: boolean;
  /** The recorded duration IVS writes in the metadata file (`media.hls.duration_ms`). @default 60000 */
  readonly durationMs?: number;
  /**
   * Whether IVS's end event is lost (EventBridge delivers IVS's events best effort): the files are written, and only S3's
   * `Object Created` events of them go to the deployed rules, if the bucket sends its events to EventBridge.
   * @default false
   */
  readonly eventLost?: boolean;
}

/** One target of a deployed rule that matched an event. */
export interface EventDelivery {
  /** The event delivered: IVS's, or one a deployed function put. */
  readonly event: Record<string, unknown>;
  readonly stackName: string;
  readonly ruleLogicalId: string;
  readonly targetArn: string;
  /** The function's invocation (with Lambda's retries); absent for a target that is not a function of the deployment. */
  readonly invocation?: AsyncInvocation;
}

/**
 * A stack the deployment deployed, as CloudFormation would show it, and the local services its functions call (for
 * their state and faults).
 */
export interface DeployedStack {
  /** The deployed template (undefined before the first deploy and after a destroy or a rolled-back create). */
  readonly template: Template | undefined;
  /** The deployed stack's outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** The values the deployed stack exports (its outputs' `Export`), by export name. */
  readonly exports: Record<string, unknown>;
  /** Every event CloudFormation sent to a ServiceToken, in order. */
  readonly sentEvents: readonly CustomResourceEvent[];
  /** Every response CloudFormation received, in arrival order. */
  readonly responses: readonly CapturedResponse[];
  /** The physical ID of a deployed resource. */
  physicalId(logicalId: string): string;
  /** The `Fn::GetAtt` attributes of a deployed resource. */
  attributes(logicalId: string): Record<string, unknown>;
  /** A deployed resource's properties, every intrinsic resolved. */
  resolvedProperties(logicalId: string): Record<string, unknown>;
  /** The logical ID of a construct of the app (when the test synthesized the app itself). */
  logicalIdOf(construct: IConstruct): string;
  /** CloudFormation's response endpoint: its `received` responses, and `injectFault(...)` to refuse the functions' answers. */
  responseServer(): Promise<ResponseServer>;
  /** The Lambda API a Provider framework's function invokes the others through: its `calls`, and `injectFault(...)`. */
  lambdaApi(): Promise<LambdaApi>;
  /** The stack's DynamoDB tables (`items(tableName)`), and `injectFault(...)`. */
  dynamoDb(): Promise<FakeDynamoDb>;
  /** The stack's EventBridge rules (`rule(name).state`), and `injectFault(...)`. */
  eventBridge(): Promise<FakeEventBridge>;
}

interface StackEntry {
  readonly driver: LifecycleDriver;
  synthesized: SynthesizedStack;
  /** Runs the stack's functions as rule targets; its sandboxes stay warm between events, as Lambda's do. */
  invoker?: AsyncInvoker;
  /** How many of the events the stack's functions put have been delivered. */
  deliveredPutEvents: number;
}

export class LocalDeployment {
  private readonly stacks = new Map<string, StackEntry>();
  /** Stack names in the order they were first created: deleted in reverse. */
  private readonly creationOrder: string[] = [];
  private lastSkipped: SkippedResource[] = [];
  /** Each recording's key prefix, by participant ID, from its start to its end. */
  private readonly recordingPrefixes = new Map<string, { readonly bucket: string; readonly prefix: string; readonly startedAt: string }>();
  /** S3's `Object Created` events of the objects written to buckets that send their events to EventBridge, not delivered yet. */
  private readonly objectEvents: Array<Record<string, unknown>> = [];
  private readonly stopHearingS3: () => void;

  /** Fails at once if the installed aws-cdk-lib is not one the kit supports (the package's `peerDependencies` range). */
  constructor(private readonly local: LocalIvs, private readonly options: LocalDeploymentOptions = {}) {
    assertSupportedAwsCdkLib(installedAwsCdkLibVersion());
    this.stopHearingS3 = onObjectCreated(local.s3, (object) => {
      if (this.sendsToEventBridge(object.bucket)) {
        this.objectEvents.push(this.objectCreatedEvent(object));
      }
    });
  }

  /**
   * Creates every stack of the cloud assembly directory in dependency order, or updates those deployed before (as
   * `cdk deploy --all`: a stack the assembly no longer has stays deployed); with `stacks`, only those named and the
   * stacks they depend on. Stops at the first stack that fails.
   */
  public async deploy(assemblyDirectory: string, options: DeployOptions = {}): Promise<DeploymentResult> {
    const all = assemblyStacks(assemblyDirectory);
    const synthesized = options.stacks === undefined ? all : withDependencies(all, options.stacks);
    this.lastSkipped = synthesized.flatMap(stack => Object.entries(stack.template.Resources ?? {})
      .filter(([, resource]) => isCustomResourceType(resource.Type) && !this.runs(resource.Type))
      .map(([logicalId, resource]) => ({ stackName: stack.stackName, logicalId, type: resource.Type })));
    const results: Array<{ stackName: string; result: LifecycleResult }> = [];
    for (const stack of synthesized) {
      const deployed = this.stacks.get(stack.stackName) ?? this.newStack(stack);
      deployed.synthesized = stack;
      deployed.invoker = undefined;
      const result = await deployed.driver.deploySynthesized(stack);
      results.push({ stackName: stack.stackName, result });
      if (!deployed.driver.template) {
        await this.forget(stack.stackName);
      }
      if (result.status !== 'SUCCEEDED') {
        return { status: result.status, stacks: results, reason: `${stack.stackName}: ${result.reason}` };
      }
    }
    return { status: 'SUCCEEDED', stacks: results };
  }

  /** Deletes every deployed stack, the last created first. Stops at the first stack that fails to delete. */
  public async destroy(): Promise<DeploymentResult> {
    const results: Array<{ stackName: string; result: LifecycleResult }> = [];
    for (const stackName of [...this.creationOrder].reverse()) {
      const result = await this.stacks.get(stackName)!.driver.destroy();
      results.push({ stackName, result });
      if (result.status !== 'SUCCEEDED') {
        return { status: result.status, stacks: results, reason: `${stackName}: ${result.reason}` };
      }
      await this.forget(stackName);
    }
    return { status: 'SUCCEEDED', stacks: results };
  }

  /** The custom resources of the last deployed assembly that were deployed as inert fakes. */
  public get skipped(): readonly SkippedResource[] {
    return this.lastSkipped;
  }

  /** The names of the stacks deployed, in creation order. */
  public get stackNames(): readonly string[] {
    return [...this.creationOrder];
  }

  /**
   * A deployed stack: its `outputs`, `physicalId(logicalId)`, `resolvedProperties(logicalId)`, `sentEvents`,
   * `responseServer()` / `lambdaApi()` for their faults, and `dynamoDb()` / `eventBridge()` (its tables and rules).
   */
  public stack(stackName: string): DeployedStack {
    const deployed = this.stacks.get(stackName);
    if (!deployed) {
      throw new Error(`${stackName} is not deployed (deployed: ${this.creationOrder.join(', ') || 'nothing'})`);
    }
    return deployed.driver;
  }

  /** Stops the deployment's local servers (not the `LocalIvs`). */
  public async close(): Promise<void> {
    this.stopHearingS3();
    await Promise.all([...this.stacks.values()].map(stack => stack.driver.close()));
  }

  /**
   * A participant joins the stage's session (IVS starts one if the stage has none) and publishes: IVS's
   * `Participant Published` event goes to the deployed rules (a `StageComposition` starts its composition).
   */
  public async publish(stageArn: string, options: { readonly userId?: string } = {}): Promise<ParticipantPublished> {
    const stage = this.local.ivs.stages.get(stageArn);
    if (!stage) {
      throw new Error(`No stage ${stageArn} in the local IVS (stages: ${[...this.local.ivs.stages.keys()].join(', ') || 'none'})`);
    }
    const started = stage.activeSessionId === undefined;
    const sessionId = stage.activeSessionId ?? this.local.ivs.startStageSession(stageArn);
    const userId = options.userId ?? '';
    let participantId: string;
    try {
      participantId = this.local.ivs.joinParticipant(stageArn, { published: true, userId });
    } catch (error) {
      // refused (a publisher quota): the session started for it had nobody.
      if (started) this.local.ivs.endStageSession(stageArn);
      throw error;
    }
    const participant = { stageArn, sessionId, participantId, userId };
    return { participant, deliveries: await this.stageUpdate(participant, 'Participant Published') };
  }

  /** The participant stops publishing and stays connected: IVS's `Participant Unpublished` event goes to the deployed rules. */
  public async unpublish(participant: Participant): Promise<EventDelivery[]> {
    this.local.ivs.setParticipantPublished(participant.stageArn, participant.participantId, false);
    return this.stageUpdate(participant, 'Participant Unpublished');
  }

  /**
   * The participant disconnects (unpublishing first, with its event, if it published). The last participant leaving
   * ends the stage's session (at once; IVS ends it some time later), so its recording settings can change again. Once
   * the stage has had nobody for the idle timeout (`LocalIvsOptions.compositionIdleTimeoutMs`), IVS stops its
   * compositions.
   */
  public async leave(participant: Participant): Promise<EventDelivery[]> {
    const connected = this.local.ivs.participants.get(participant.sessionId)?.find(p => p.participantId === participant.participantId);
    const deliveries = connected?.state === 'CONNECTED' && connected.published ? await this.unpublish(participant) : [];
    this.local.ivs.leaveParticipant(participant.stageArn, participant.participantId);
    return deliveries;
  }

  /**
   * IVS starts recording the participant (individual participant recording): it writes `events/recording-started.json`,
   * the playlists (still growing) and a segment under `<stage id>/<session id>/<participant id>/<timestamp>/` in the
   * local S3, and its `Recording Start` event goes to the deployed rules.
   */
  public async startRecording(participant: Participant): Promise<EventDelivery[]> {
    const recording = this.recordingOf(participant);
    this.local.s3.putObject(recording.bucket, `${recording.prefix}/events/recording-started.json`,
      JSON.stringify(recordingMetadata(participant, recording.startedAt, { recording_status: 'RECORDING_STARTED' })), 'application/json');
    this.writePlaylists(recording, false);
    return this.recordingStateChange(participant, recording, 'Recording Start');
  }

  /**
   * IVS has finished recording the participant: it writes the final playlists (`VOD`) and `events/recording-ended.json`
   * (or, with `failure`, `recording-failed.json`) under the recording's prefix, then its `Recording End` (or `Recording
   * End Failure`) event goes to the deployed rules (unless `eventLost`), and S3's events of the files after it. A
   * recording the deployment did not see start gets a prefix of its own.
   */
  public async endRecording(participant: Participant, options: RecordingEndOptions = {}): Promise<EventDelivery[]> {
    const recording = this.recordingOf(participant);
    this.recordingPrefixes.delete(participant.participantId);
    this.writePlaylists(recording, true);
    const failure = options.failure ?? false;
    this.local.s3.putObject(recording.bucket, `${recording.prefix}/events/${failure ? 'recording-failed.json' : 'recording-ended.json'}`,
      JSON.stringify(recordingMetadata(participant, recording.startedAt, {
        recording_ended_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        recording_status: failure ? 'RECORDING_ENDED_WITH_FAILURE' : 'RECORDING_ENDED',
        recording_status_message: failure ? 'Recording failed' : '',
      }, options.durationMs ?? 60_000)), 'application/json');
    return options.eventLost ? this.deliverPendingEvents()
      : this.recordingStateChange(participant, recording, failure ? 'Recording End Failure' : 'Recording End');
  }

  /**
   * Delivers an event as EventBridge would to the default bus: to every target of every enabled rule of the deployed
   * stacks whose pattern matches it; a function target is invoked asynchronously (Lambda's retries, then its
   * dead-letter queue), with the target's `Input` if it has one.
   */
  public async sendEvent(event: IvsEvent | Record<string, unknown>): Promise<EventDelivery[]> {
    const deliveries = await this.deliver(event);
    deliveries.push(...await this.deliverPendingEvents());
    return deliveries;
  }

  /**
   * Delivers the events due and not delivered yet, as `sendEvent` does after its own (so only needed after a test wrote
   * to the local S3 itself): the events the deployed functions put, then S3's `Object Created` events of the objects
   * written (by the test's `local.s3.putObject`, by IVS as the deployment plays it, by a function) to a bucket whose
   * EventBridge notifications a deployed `Custom::S3BucketNotifications` turned on; and what their targets put or write
   * in turn.
   */
  public async deliverPendingEvents(): Promise<EventDelivery[]> {
    const deliveries: EventDelivery[] = [];
    for (let next = await this.nextPendingEvent(); next; next = await this.nextPendingEvent()) {
      deliveries.push(...await this.deliver(next));
    }
    return deliveries;
  }

  private async nextPendingEvent(): Promise<Record<string, unknown> | undefined> {
    for (const deployed of this.stacks.values()) {
      const put = (await deployed.driver.eventBridge()).putEvents;
      if (deployed.deliveredPutEvents < put.length) {
        return put[deployed.deliveredPutEvents++] as unknown as Record<string, unknown>;
      }
    }
    return this.objectEvents.shift();
  }

  /**
   * Whether a deployed stack turned on the bucket's EventBridge notifications: aws-cdk-lib's `Custom::S3BucketNotifications`
   * (an inert fake here) with `NotificationConfiguration.EventBridgeConfiguration`, as `enableEventBridgeNotification()`
   * renders it.
   */
  private sendsToEventBridge(bucket: string): boolean {
    return [...this.stacks.values()].some(({ driver }) => Object.entries(driver.template?.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'Custom::S3BucketNotifications')
      .some(([logicalId]) => {
        let properties: any;
        try {
          properties = driver.resolvedProperties(logicalId);
        } catch {
          return false; // not deployed (yet, or any more)
        }
        return properties.BucketName === bucket && properties.NotificationConfiguration?.EventBridgeConfiguration !== undefined;
      }));
  }

  /** S3's event of a new object on the default bus (S3 User Guide, "EventBridge event message structure"). */
  private objectCreatedEvent(object: CreatedObject): Record<string, unknown> {
    return {
      'version': '0',
      'id': randomUUID(),
      'detail-type': 'Object Created',
      'source': 'aws.s3',
      'account': this.local.accountId,
      'time': object.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': this.local.region,
      'resources': [`arn:aws:s3:::${object.bucket}`],
      'detail': {
        'version': '0',
        'bucket': { name: object.bucket },
        'object': { key: object.key, size: object.size, etag: 'fake', sequencer: object.time.getTime().toString(16).toUpperCase() },
        'request-id': randomUUID(),
        'requester': this.local.accountId,
        'reason': 'PutObject',
      },
    };
  }

  private async deliver(event: IvsEvent | Record<string, unknown>): Promise<EventDelivery[]> {
    const deliveries: EventDelivery[] = [];
    for (const [stackName, deployed] of this.stacks) {
      const { driver } = deployed;
      const resources = driver.template?.Resources ?? {};
      for (const ruleLogicalId of Object.keys(resources).filter(id => resources[id].Type === 'AWS::Events::Rule')) {
        const properties = driver.resolvedProperties(ruleLogicalId) as any;
        const onDefaultBus = properties.EventBusName === undefined || properties.EventBusName === 'default';
        if (!properties.EventPattern || properties.State === 'DISABLED' || !onDefaultBus
          || !matchesEventPattern(properties.EventPattern, event as Record<string, unknown>)) {
          continue;
        }
        for (const target of (properties.Targets ?? []) as any[]) {
          if (target.InputPath !== undefined || target.InputTransformer !== undefined) {
            throw new Error(`${stackName}/${ruleLogicalId}: targets with InputPath or InputTransformer are not supported by the testing kit`);
          }
          const functionId = Object.keys(resources).find(id => resources[id].Type === 'AWS::Lambda::Function'
            && String(target.Arn).endsWith(`:function:${driver.physicalId(id)}`));
          const invocation = functionId === undefined ? undefined
            : await (await this.invoker(deployed)).invokeResource(functionId, target.Input === undefined ? event : JSON.parse(target.Input));
          const delivered = event as Record<string, unknown>;
          deliveries.push({ event: delivered, stackName, ruleLogicalId, targetArn: String(target.Arn), ...(invocation ? { invocation } : {}) });
        }
      }
    }
    return deliveries;
  }

  /**
   * Invokes a function of a deployed stack once and synchronously, as your backend would with Lambda's Invoke (a
   * `StagePool`'s `sessionFunction`, say): `logicalId` is the function's (`stack(stackName).logicalIdOf(fn)`).
   */
  public async invoke(stackName: string, logicalId: string, payload: unknown): Promise<InvokeOutcome> {
    const deployed = this.stacks.get(stackName);
    if (!deployed) {
      throw new Error(`${stackName} is not deployed (deployed: ${this.creationOrder.join(', ') || 'nothing'})`);
    }
    return (await this.invoker(deployed)).invokeOnce(logicalId, payload);
  }

  /**
   * Runs a scheduled rule of a deployed stack once, as EventBridge would when its time comes: its function target is
   * invoked with the target's `Input`, if the rule is enabled (functions enable and disable rules in the stack's
   * EventBridge). Undefined when it is disabled.
   */
  public async runSchedule(stackName: string, ruleLogicalId: string): Promise<InvokeOutcome | undefined> {
    const driver = this.stack(stackName) as LifecycleDriver;
    const eventBridge = await driver.eventBridge();
    if (eventBridge.rule(driver.physicalId(ruleLogicalId))?.state !== 'ENABLED') {
      return undefined;
    }
    const [target] = (driver.resolvedProperties(ruleLogicalId) as any).Targets as any[];
    const resources = driver.template?.Resources ?? {};
    const functionId = Object.keys(resources).find(id => resources[id].Type === 'AWS::Lambda::Function'
      && String(target.Arn).endsWith(`:function:${driver.physicalId(id)}`));
    if (!functionId) {
      throw new Error(`${stackName}/${ruleLogicalId}: its target is not a function of the stack`);
    }
    return this.invoke(stackName, functionId, target.Input === undefined ? {} : JSON.parse(target.Input));
  }

  private stageUpdate(participant: Participant, eventName: string): Promise<EventDelivery[]> {
    return this.sendEvent(this.ivsEvent('IVS Stage Update', participant, {
      session_id: participant.sessionId,
      event_name: eventName,
      user_id: participant.userId,
      participant_id: participant.participantId,
    }));
  }

  /** As the user guide's `Recording Start` sample: the bucket and the key prefix the participant's media goes under. */
  private recordingStateChange(participant: Participant, recording: RecordingLocation, eventName: string): Promise<EventDelivery[]> {
    return this.sendEvent(this.ivsEvent('IVS Participant Recording State Change', participant, {
      session_id: participant.sessionId,
      event_name: eventName,
      participant_id: participant.participantId,
      recording_s3_bucket_name: recording.bucket,
      recording_s3_key_prefix: recording.prefix,
    }));
  }

  /** The participant's recording under way, or a new one in the bucket of the stage's storage configuration. */
  private recordingOf(participant: Participant): RecordingLocation {
    const known = this.recordingPrefixes.get(participant.participantId);
    if (known) {
      return known;
    }
    const stage = this.local.ivs.stages.get(participant.stageArn);
    const storageArn = stage?.autoParticipantRecordingConfiguration?.storageConfigurationArn;
    const storage = storageArn ? this.local.ivs.storageConfigurations.get(storageArn) : undefined;
    if (!storage) {
      throw new Error(`Stage ${participant.stageArn} does not record participants (no autoParticipantRecordingConfiguration storage)`);
    }
    const stageId = participant.stageArn.split('/').pop();
    const startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const recording = {
      bucket: storage.s3.bucketName,
      prefix: `${stageId}/${participant.sessionId}/${participant.participantId}/${startedAt.replace(/:/g, '-')}`,
      startedAt,
    };
    this.recordingPrefixes.set(participant.participantId, recording);
    return recording;
  }

  /** The multivariant playlist and the one rendition's media playlist (`EVENT` while recording, `VOD` once final), and a segment. */
  private writePlaylists(recording: RecordingLocation, final: boolean): void {
    const hls = `${recording.prefix}/media/hls`;
    this.local.s3.putObject(recording.bucket, `${hls}/multivariant.m3u8`,
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\nhigh/playlist.m3u8\n', 'application/x-mpegURL');
    this.local.s3.putObject(recording.bucket, `${hls}/high/playlist.m3u8`, ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:6',
      `#EXT-X-PLAYLIST-TYPE:${final ? 'VOD' : 'EVENT'}`, '#EXT-X-MAP:URI="init-0.mp4"', '#EXTINF:6.0,', '0.mp4', ...(final ? ['#EXT-X-ENDLIST'] : []), '']
      .join('\n'), 'application/x-mpegURL');
    this.local.s3.putObject(recording.bucket, `${hls}/high/0.mp4`, Buffer.alloc(16), 'video/mp4');
  }

  private ivsEvent(detailType: string, participant: Participant, detail: Record<string, unknown>): IvsEvent {
    return {
      'version': '0',
      'id': randomUUID(),
      'detail-type': detailType,
      'source': 'aws.ivs',
      'account': this.local.accountId,
      'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': this.local.region,
      'resources': [participant.stageArn],
      detail,
    };
  }

  /**
   * The stack's functions as rule targets and `invoke` runs them: pointed at the local services, the stack's tables, rules
   * and functions included.
   */
  private async invoker(deployed: StackEntry): Promise<AsyncInvoker> {
    if (!deployed.invoker) {
      const { driver } = deployed;
      const [dynamoDb, eventBridge, lambda] = [await driver.dynamoDb(), await driver.eventBridge(), await driver.lambdaApi()];
      const env = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
        // a function that invokes another of the stack (a pool's session function, its token issuer) reaches it there.
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
        ...this.local.env,
      };
      deployed.invoker ??= new AsyncInvoker(deployed.driver, { region: this.local.region, env, date: this.local.clock.dateClass() });
    }
    return deployed.invoker;
  }

  private newStack(synthesized: SynthesizedStack): StackEntry {
    const driver = new LifecycleDriver({
      region: this.local.region,
      accountId: this.local.accountId,
      env: this.local.env,
      timeoutScale: this.options.timeoutScale,
      concurrency: this.options.concurrency,
      duplicateDelivery: this.options.duplicateDelivery,
      skipResourceTypes: type => !this.runs(type),
      importValue: name => this.exportedValue(name),
      onFakeResource: event => this.local.kms.mirror(event),
      date: this.local.clock.dateClass(),
    });
    const deployed = { driver, synthesized, deliveredPutEvents: 0 };
    this.stacks.set(synthesized.stackName, deployed);
    this.creationOrder.push(synthesized.stackName);
    return deployed;
  }

  private async forget(stackName: string): Promise<void> {
    await this.stacks.get(stackName)?.driver.close();
    this.stacks.delete(stackName);
    this.creationOrder.splice(this.creationOrder.indexOf(stackName), 1);
  }

  private exportedValue(name: string): unknown {
    return [...this.stacks.values()].map(stack => stack.driver.exports).find(exports => name in exports)?.[name];
  }

  private runs(type: string): boolean {
    return type.startsWith(LIBRARY_TYPE_PREFIX) || (this.options.runCustomResourceTypes?.includes(type) ?? false);
  }
}

/** Where IVS writes a participant's recording. */
interface RecordingLocation {
  readonly bucket: string;
  readonly prefix: string;
  /** RFC 3339, as IVS writes `recording_started_at`. */
  readonly startedAt: string;
}

/** A metadata file as the user guide's samples show them (one rendition, `high`; no thumbnails). */
function recordingMetadata(participant: Participant, startedAt: string, status: Record<string, string>, durationMs?: number): object {
  return {
    version: 'v1',
    stage_arn: participant.stageArn,
    session_id: participant.sessionId,
    participant_id: participant.participantId,
    recording_started_at: startedAt,
    ...status,
    media: {
      hls: {
        ...(durationMs === undefined ? {} : { duration_ms: durationMs }),
        path: 'media/hls',
        playlist: 'multivariant.m3u8',
        renditions: [{ path: 'high', playlist: 'playlist.m3u8' }],
      },
    },
  };
}

/** The stacks named and, transitively, those they depend on, in the assembly's (dependency) order. */
function withDependencies(stacks: readonly SynthesizedStack[], names: readonly string[]): SynthesizedStack[] {
  const byArtifactId = new Map(stacks.map(stack => [stack.artifactId, stack]));
  const selected = new Set<SynthesizedStack>();
  const select = (stack: SynthesizedStack): void => {
    if (selected.has(stack)) return;
    selected.add(stack);
    (stack.dependencies ?? []).forEach(id => byArtifactId.has(id) && select(byArtifactId.get(id)!));
  };
  for (const name of names) {
    const stack = stacks.find(candidate => candidate.stackName === name || candidate.artifactId === name);
    if (!stack) {
      throw new Error(`The assembly has no stack ${name} (stacks: ${stacks.map(candidate => candidate.stackName).join(', ') || 'none'})`);
    }
    select(stack);
  }
  return stacks.filter(stack => selected.has(stack));
}
