import { Duration, IResource, ITaggable, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IngestConfiguration, IngestConfigurationOptions } from './ingest-configuration';
import { StageMetricOptions } from './ivs-realtime-metrics';
import { ivsResourceId, validateIvsArn } from './private/arn';
import { markClass } from './private/class-marker';
import { ArnResource, Attribute, ResourceType, StageRequest } from './private/contract';
import { defineIvsCustomResource } from './private/custom-resource';
import {
  LIST_COMPOSITIONS_ACTIONS,
  PROVIDER_ACTIONS,
  STAGE_CREATE_PARTICIPANT_TOKEN_ACTIONS,
  STAGE_DISCONNECT_PARTICIPANT_ACTIONS,
  STAGE_PARTICIPANT_REPLICATION_ACTIONS,
  STAGE_READ_ACTIONS,
  STAGE_START_COMPOSITION_ACTIONS,
  STAGE_START_COMPOSITION_TAG_ACTIONS,
  STAGE_STOP_COMPOSITION_ACTIONS,
} from './private/iam';
import { IVS_REALTIME_NAMESPACE, METRICS, MetricDimension, MetricSpec, stageMetric } from './private/metrics';
import { isRetainedOnDelete } from './private/removal';
import { defineStageEventRule, validateStageEventRule } from './private/stage-event-rule';
import { renderStageSettings, validateRecordingOptions, validateStageSettings } from './private/stage-settings';
import { PropsValidator, ValidationError } from './private/validation';
import { RecordingThumbnails } from './recording-thumbnails';
import { StageEvent } from './stage-event';
import { IStorageConfiguration, StorageConfiguration } from './storage-configuration';

/** An Amazon IVS Real-Time stage: a virtual space where participants exchange video in real time. */
export interface IStage extends IResource {
  /**
   * The stage's ARN.
   *
   * @attribute
   * @example 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh'
   */
  readonly stageArn: string;

  /** Grants `actions` on this stage to `grantee`. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants creating participant tokens for this stage (`ivs:CreateParticipantToken`), which is what a
   * backend needs to let users join.
   */
  grantCreateParticipantToken(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants reading this stage, its sessions and participants: `ivs:GetStage`, `ivs:GetStageSession`,
   * `ivs:ListStageSessions`, `ivs:GetParticipant`, `ivs:ListParticipants`, `ivs:ListParticipantEvents`,
   * `ivs:ListParticipantReplicas`.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants disconnecting participants from this stage, for moderation: `ivs:DisconnectParticipant` on this stage only.
   * (Disconnecting the participant of an ingest configuration also detaches that ingest configuration from the stage.)
   */
  grantDisconnectParticipant(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants replicating participants between this stage and `destinationStage`: `ivs:StartParticipantReplication` and
   * `ivs:StopParticipantReplication` on both stages, which each request names (`sourceStageArn` and
   * `destinationStageArn`). IAM cannot tell the two apart, so the grantee may replicate either way between them.
   */
  grantParticipantReplication(grantee: iam.IGrantable, destinationStage: IStage): iam.Grant;

  /**
   * Grants starting server-side compositions of this stage, for apps that start their own: `ivs:StartComposition` on
   * this stage and on the encoder configurations, storage configurations and channels of its account and region (IVS
   * authorizes the call against every resource the request names, which only the app knows), and `ivs:TagResource` on
   * the compositions of its account and region (IVS authorizes a StartComposition with tags as TagResource too).
   */
  grantStartComposition(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants finding and stopping compositions: `ivs:StopComposition` and `ivs:GetComposition` on the compositions of the
   * stage's account and region (a composition's ARN does not name its stage, so this cannot be narrowed to this
   * stage's), and `ivs:ListCompositions` on this stage: call ListCompositions with `filterByStageArn` set to it.
   */
  grantStopComposition(grantee: iam.IGrantable): iam.Grant;

  /**
   * Defines an EventBridge rule for every event IVS sends about this stage: source `aws.ivs`, with the
   * stage's ARN in `resources`. `options.eventPattern` is merged in, to narrow the rule further.
   *
   * Composition events name the stage in `detail.stage_arn`, not in `resources`, so this rule does not match them:
   * use `onStageEvent` with `StageEvent.COMPOSITION_STATE_CHANGE`.
   */
  onEvent(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * Defines an EventBridge rule for one event IVS sends about this stage, or for every event of one detail-type.
   *
   * For example `stage.onStageEvent('Published', StageEvent.PARTICIPANT_PUBLISHED, { target })`. `options.eventPattern`
   * is merged in, to narrow the rule further (for example by `detail.participant_id`).
   */
  onStageEvent(id: string, event: StageEvent, options?: events.OnEventOptions): events.Rule;

  /**
   * Defines a rule for `StageEvent.PARTICIPANT_PUBLISHED`: a participant of this stage started publishing.
   */
  onParticipantPublished(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * Defines a rule for `StageEvent.PARTICIPANT_RECORDING_END`: a participant's recording is complete in S3, the time to
   * process it.
   */
  onParticipantRecordingEnd(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * Defines a rule for `StageEvent.COMPOSITION_SESSION_END`: a composition of this stage ended, and its recording is
   * complete in S3.
   */
  onCompositionSessionEnd(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * Any metric of IVS Real-Time (namespace `AWS/IVSRealTime`) for this stage: the `Stage` dimension is the stage's
   * resource ID (the last part of its ARN); `props.dimensionsMap` adds others, unchecked.
   *
   * @default - statistic Average, period 5 minutes
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Participants publishing to this stage (`Publishers`, Count).
   *
   * @default - statistic Maximum, period 5 minutes
   */
  metricPublishers(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Participants subscribed to this stage (`Subscribers`, Count).
   *
   * @default - statistic Maximum, period 5 minutes
   */
  metricSubscribers(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The bitrate published to this stage (`PublishBitrate`, Bits/Second): the stage's, or one participant's layer and
   * media type (`participantId` with `simulcastLayer` and `mediaType`).
   *
   * @default - statistic Average, period 5 minutes
   */
  metricPublishBitrate(props?: StageMetricOptions): cloudwatch.Metric;

  /**
   * The bitrate this stage's subscribers receive (`SubscribeBitrate`, Bits/Second): the stage's, one participant's media
   * type (`participantId` with `mediaType`), or by `platform` (and `sdkVersion`) or `subscriberCountryCode`.
   *
   * @default - statistic Average, period 5 minutes
   */
  metricSubscribeBitrate(props?: StageMetricOptions): cloudwatch.Metric;

  /**
   * The share of video frames this stage's subscribers dropped (`DroppedFrames`, Percent): the stage's, or by
   * `participantId`, `platform` (and `sdkVersion`) or `subscriberCountryCode`.
   *
   * @default - statistic Average, period 5 minutes
   */
  metricDroppedFrames(props?: StageMetricOptions): cloudwatch.Metric;

  /**
   * The share of packets this stage's subscribers lost downloading (`DownloadPacketLoss`, Percent): the stage's, or by
   * `participantId`, `platform` (and `sdkVersion`) or `subscriberCountryCode`.
   *
   * @default - statistic Average, period 5 minutes
   */
  metricDownloadPacketLoss(props?: StageMetricOptions): cloudwatch.Metric;

  /**
   * The frame rate one participant publishes at (`PublishFramerate`, Count/Second): needs `participantId`, and
   * `simulcastLayer` with `mediaType` for one layer (the guide lists that set for RTMP publishers).
   *
   * @default - statistic Average, period 5 minutes
   */
  metricPublishFramerate(props: StageMetricOptions): cloudwatch.Metric;

  /**
   * The resolution one participant publishes one layer at (`PublishResolution`, Count): needs `participantId`,
   * `simulcastLayer` and `mediaType`.
   *
   * @default - statistic Average, period 5 minutes
   */
  metricPublishResolution(props: StageMetricOptions): cloudwatch.Metric;

  /** Defines an ingest configuration that publishes to this stage (an RTMP(S) encoder as a participant). */
  addIngestConfiguration(id: string, options?: IngestConfigurationOptions): IngestConfiguration;
}

/** Attributes of a stage defined outside this app. */
export interface StageAttributes {
  /**
   * The stage's ARN.
   *
   * @example 'arn:aws:ivs:us-east-1:123456789012:stage/abcdABCDefgh'
   */
  readonly stageArn: string;
}

abstract class StageBase extends Resource implements IStage {
  public abstract readonly stageArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.stageArn] });
  }

  public grantCreateParticipantToken(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...STAGE_CREATE_PARTICIPANT_TOKEN_ACTIONS);
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...STAGE_READ_ACTIONS);
  }

  public grantDisconnectParticipant(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...STAGE_DISCONNECT_PARTICIPANT_ACTIONS);
  }

  public grantParticipantReplication(grantee: iam.IGrantable, destinationStage: IStage): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: STAGE_PARTICIPANT_REPLICATION_ACTIONS,
      resourceArns: [...new Set([this.stageArn, destinationStage.stageArn])],
    });
  }

  public grantStartComposition(grantee: iam.IGrantable): iam.Grant {
    const resources = [ArnResource.ENCODER_CONFIGURATION, ArnResource.STORAGE_CONFIGURATION, ArnResource.CHANNEL];
    return iam.Grant.addToPrincipal({
      grantee,
      actions: STAGE_START_COMPOSITION_ACTIONS,
      resourceArns: [this.stageArn, ...resources.map((resource) => this.ivsArnsOf(resource))],
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: STAGE_START_COMPOSITION_TAG_ACTIONS,
      resourceArns: [this.ivsArnsOf(ArnResource.COMPOSITION)],
    }));
  }

  public grantStopComposition(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: STAGE_STOP_COMPOSITION_ACTIONS, resourceArns: [this.ivsArnsOf(ArnResource.COMPOSITION)] })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: LIST_COMPOSITIONS_ACTIONS, resourceArns: [this.stageArn] }));
  }

  public onEvent(id: string, options: events.OnEventOptions = {}): events.Rule {
    validateStageEventRule(this, 'onEvent', id, [], options);
    return defineStageEventRule(this, id, [this.stageArn], options);
  }

  public onStageEvent(id: string, event: StageEvent, options: events.OnEventOptions = {}): events.Rule {
    validateStageEventRule(this, 'onStageEvent', id, [event], options);
    return defineStageEventRule(this, id, [this.stageArn], options, event);
  }

  public onParticipantPublished(id: string, options?: events.OnEventOptions): events.Rule {
    return this.onStageEvent(id, StageEvent.PARTICIPANT_PUBLISHED, options);
  }

  public onParticipantRecordingEnd(id: string, options?: events.OnEventOptions): events.Rule {
    return this.onStageEvent(id, StageEvent.PARTICIPANT_RECORDING_END, options);
  }

  public onCompositionSessionEnd(id: string, options?: events.OnEventOptions): events.Rule {
    return this.onStageEvent(id, StageEvent.COMPOSITION_SESSION_END, options);
  }

  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: IVS_REALTIME_NAMESPACE,
      metricName,
      ...props,
      dimensionsMap: { [MetricDimension.STAGE]: this.stageId, ...props.dimensionsMap },
    }).with(this.environmentOfMetrics());
  }

  public metricPublishers(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricPublishers', METRICS.PUBLISHERS, props);
  }

  public metricSubscribers(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricSubscribers', METRICS.SUBSCRIBERS, props);
  }

  public metricPublishBitrate(props: StageMetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricPublishBitrate', METRICS.PUBLISH_BITRATE, props);
  }

  public metricSubscribeBitrate(props: StageMetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricSubscribeBitrate', METRICS.SUBSCRIBE_BITRATE, props);
  }

  public metricDroppedFrames(props: StageMetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricDroppedFrames', METRICS.DROPPED_FRAMES, props);
  }

  public metricDownloadPacketLoss(props: StageMetricOptions = {}): cloudwatch.Metric {
    return this.stageMetric('metricDownloadPacketLoss', METRICS.DOWNLOAD_PACKET_LOSS, props);
  }

  public metricPublishFramerate(props: StageMetricOptions): cloudwatch.Metric {
    return this.stageMetric('metricPublishFramerate', METRICS.PUBLISH_FRAMERATE, props);
  }

  public metricPublishResolution(props: StageMetricOptions): cloudwatch.Metric {
    return this.stageMetric('metricPublishResolution', METRICS.PUBLISH_RESOLUTION, props);
  }

  public addIngestConfiguration(id: string, options: IngestConfigurationOptions = {}): IngestConfiguration {
    return new IngestConfiguration(this, id, { ...options, stage: this });
  }

  /** The stage's resource ID, the `Stage` dimension of its metrics: the last part of its ARN (a token when the ARN is). */
  private get stageId(): string {
    return ivsResourceId(this.stageArn);
  }

  private stageMetric(method: string, metric: MetricSpec, props: StageMetricOptions): cloudwatch.Metric {
    return stageMetric(this, method, this.stageId, metric, props).with(this.environmentOfMetrics());
  }

  /**
   * The account and region the stage's metrics are in: the stage's own (those of its ARN, for an imported stage), so
   * that a dashboard in another region charts the right ones. (`Metric.attachTo` would take the stack's.) Left to the
   * stack where they are only known at deployment.
   */
  private environmentOfMetrics(): { account?: string; region?: string } {
    const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
    return { account: known(this.env.account), region: known(this.env.region) };
  }

  /** Every IVS resource of one type in the stage's account and region, as an ARN with a `*` ID. */
  private ivsArnsOf(resource: string): string {
    return Stack.of(this).formatArn({ service: 'ivs', resource, resourceName: '*', account: this.env.account, region: this.env.region });
  }
}

/** What individual participant recordings contain. */
export enum ParticipantRecordingMediaType {
  /** Audio and video. */
  AUDIO_VIDEO = 'AUDIO_VIDEO',
  /** Audio only. */
  AUDIO_ONLY = 'AUDIO_ONLY',
  /** No audio or video: record thumbnails only (with `thumbnails` set). */
  NONE = 'NONE',
}

/** How participants are recorded, whatever the storage: shared by `AutoParticipantRecording` and `StageRecording`. */
export interface AutoParticipantRecordingOptions {
  /**
   * What each recording contains.
   *
   * @default ParticipantRecordingMediaType.AUDIO_VIDEO
   */
  readonly mediaType?: ParticipantRecordingMediaType;

  /**
   * Thumbnails of each participant's video.
   *
   * @default - no thumbnails (`RecordingThumbnails.disabled()`)
   */
  readonly thumbnails?: RecordingThumbnails;

  /**
   * How long a participant can be disconnected and rejoin without starting a new recording.
   * Whole seconds from 0 to 300; 0 turns the merging of reconnects off.
   *
   * @default Duration.seconds(0)
   */
  readonly recordingReconnectWindow?: Duration;

  /**
   * Target duration of each HLS segment. Whole seconds from 2 to 10.
   *
   * @default Duration.seconds(6)
   */
  readonly hlsTargetSegmentDuration?: Duration;

  /**
   * Whether participants replicated into this stage from another stage are recorded too.
   *
   * @default true
   */
  readonly recordParticipantReplicas?: boolean;
}

/**
 * Automatic recording of every participant who publishes to the stage, to the S3 bucket of a storage configuration.
 *
 * Recordings land at `s3://<bucket>/<stage id>/<session id>/<participant id>/<timestamp>/` as HLS media,
 * thumbnails under it.
 */
export interface AutoParticipantRecording extends AutoParticipantRecordingOptions {
  /** The storage configuration (and so the S3 bucket) to record to. */
  readonly storageConfiguration: IStorageConfiguration;
}

/**
 * The settings of a stage, written once for every place a stage is declared: a `Stage`'s props, and the stages a
 * `StagePool` makes at run time.
 */
export interface StageSettings {
  /**
   * Records every publishing participant to S3. Removing it from a deployed stage turns recording off.
   *
   * @default - participants are not recorded
   */
  readonly autoParticipantRecording?: AutoParticipantRecording;

  /**
   * Tags for the stage (at most 48, with those from `Tags.of()`: IVS allows 50, and the library adds two of its own;
   * at most 47 for the stages of a `StagePool`, which adds three).
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/** Properties of a `Stage`. */
export interface StageProps extends StageSettings {
  /**
   * The stage's name. Up to 128 letters, digits, hyphens and underscores; names need not be unique.
   *
   * @default - no name
   */
  readonly stageName?: string;

  /**
   * What happens to the stage when it leaves the stack. `RETAIN` means CloudFormation never deletes it; a kept stage
   * that records to a `StorageConfiguration` of the app needs that storage configuration kept too (synth fails
   * otherwise: IVS would refuse to delete it, and with it the stack).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Defines an Amazon IVS Real-Time stage.
 *
 * Backed by a custom resource that calls the IVS Real-Time API, so every API field is available, including
 * the stage's WHIP, RTMP(S) and events endpoints. Every property updates in place (same ARN).
 * Participant tokens are not created here: they are short-lived secrets, made by your backend at run time
 * (see `grantCreateParticipantToken`).
 *
 * @resource Custom::IvsRealTimeStage
 * @example
 * import { Stage } from 'cdk-ivs-realtime';
 *
 * new Stage(this, 'Stage', { stageName: 'town-hall' });
 */
export class Stage extends StageBase implements ITaggable {
  /** Imports a stage by its ARN. */
  public static fromStageArn(scope: Construct, id: string, stageArn: string): IStage {
    return Stage.fromStageAttributes(scope, id, { stageArn });
  }

  /** Imports a stage from its attributes. */
  public static fromStageAttributes(scope: Construct, id: string, attrs: StageAttributes): IStage {
    validateIvsArn(scope, id, 'Stage.fromStageAttributes', attrs.stageArn, ArnResource.STAGE);
    class Import extends StageBase {
      public readonly stageArn = attrs.stageArn;
    }
    return new Import(scope, id, { environmentFromArn: attrs.stageArn });
  }

  /**
   * Whether `x` is a `Stage`, also one from another copy of this library loaded in the same app (where
   * `instanceof` is false). Imported stages are not.
   */
  public static isStage(x: any): x is Stage {
    return isMarkedStage(x);
  }

  /**
   * The stage's ARN.
   *
   * @attribute
   */
  public readonly stageArn: string;
  /**
   * The stage's WHIP endpoint, for publishing with WHIP.
   *
   * Read at deployment (when the stage is created or updated). IVS's API reference (StageEndpoints) recommends caching
   * a stage's endpoints at its creation, for at most 14 days: a value kept longer (a stack output, a configuration
   * file) may be stale. Code that runs longer than that reads them with GetStage at run time (`grantRead` allows it, as
   * does `grant(grantee, 'ivs:GetStage')`) and reads them again at least every 14 days.
   *
   * @attribute
   * @example 'https://f99084460c35.global-bm.whip.live-video.net'
   */
  public readonly stageWhipEndpoint: string;
  /**
   * The stage's RTMP ingest endpoint.
   *
   * Read at deployment (when the stage is created or updated). IVS's API reference (StageEndpoints) recommends caching
   * a stage's endpoints at its creation, for at most 14 days: a value kept longer (a stack output, a configuration
   * file) may be stale. Code that runs longer than that reads them with GetStage at run time (`grantRead` allows it, as
   * does `grant(grantee, 'ivs:GetStage')`) and reads them again at least every 14 days.
   *
   * @attribute
   * @example 'rtmp://f99084460c35.global-contribute.live-video.net/app/'
   */
  public readonly stageRtmpEndpoint: string;
  /**
   * The stage's RTMPS ingest endpoint.
   *
   * Read at deployment (when the stage is created or updated). IVS's API reference (StageEndpoints) recommends caching
   * a stage's endpoints at its creation, for at most 14 days: a value kept longer (a stack output, a configuration
   * file) may be stale. Code that runs longer than that reads them with GetStage at run time (`grantRead` allows it, as
   * does `grant(grantee, 'ivs:GetStage')`) and reads them again at least every 14 days.
   *
   * @attribute
   * @example 'rtmps://f99084460c35.global-contribute.live-video.net:443/app/'
   */
  public readonly stageRtmpsEndpoint: string;
  /**
   * The stage's events endpoint, used by the broadcast SDKs.
   *
   * Read at deployment (when the stage is created or updated). IVS's API reference (StageEndpoints) recommends caching
   * a stage's endpoints at its creation, for at most 14 days: a value kept longer (a stack output, a configuration
   * file) may be stale. Code that runs longer than that reads them with GetStage at run time (`grantRead` allows it, as
   * does `grant(grantee, 'ivs:GetStage')`) and reads them again at least every 14 days.
   *
   * @attribute
   * @example 'wss://global.events.live-video.net'
   */
  public readonly stageEventsEndpoint: string;

  /** The stage's tags, including those added with `Tags.of()`. */
  public readonly tags: TagManager;
  /** Set by the props or, once, by `enableAutoParticipantRecording`; rendered at synth. */
  private autoParticipantRecording?: AutoParticipantRecording;

  constructor(scope: Construct, id: string, props: StageProps = {}) {
    super(scope, id);
    validateStageProps(this, props);
    this.autoParticipantRecording = props.autoParticipantRecording;

    this.tags = new TagManager(TagType.MAP, ResourceType.STAGE, props.tags);
    const resource = defineIvsCustomResource(this, {
      resourceType: ResourceType.STAGE,
      arnResource: ArnResource.STAGE,
      actions: PROVIDER_ACTIONS.stage,
      // rendered at synth: enableAutoParticipantRecording may set recording after construction.
      request: (): StageRequest => ({
        name: props.stageName,
        ...renderStageSettings({ autoParticipantRecording: this.autoParticipantRecording }),
      }),
      tags: this.tags,
      removalPolicy: props.removalPolicy,
    });

    this.stageArn = resource.ref;
    this.stageWhipEndpoint = resource.getAttString(Attribute.STAGE_WHIP_ENDPOINT);
    this.stageRtmpEndpoint = resource.getAttString(Attribute.STAGE_RTMP_ENDPOINT);
    this.stageRtmpsEndpoint = resource.getAttString(Attribute.STAGE_RTMPS_ENDPOINT);
    this.stageEventsEndpoint = resource.getAttString(Attribute.STAGE_EVENTS_ENDPOINT);
    // at synth: a removal policy or recording may be set after construction.
    this.node.addValidation({ validate: () => validateRecordingRetention(this, this.autoParticipantRecording) });
  }

  /**
   * Turns on automatic participant recording for a stage defined without `autoParticipantRecording`.
   *
   * It takes effect at the next deployment: with the stage's creation, or as an in-place update (UpdateStage) of a
   * deployed stage. A stage has one recording configuration, so this fails when `autoParticipantRecording` is set
   * or when called twice. `StageRecording` calls it for you, with a bucket and storage configuration of its own.
   *
   * @config
   */
  public enableAutoParticipantRecording(recording: AutoParticipantRecording): void {
    if (this.autoParticipantRecording) {
      throw new ValidationError(`Stage.enableAutoParticipantRecording at '${this.node.path}': the stage already records participants `
        + '(set by `autoParticipantRecording` or an earlier call); a stage has one recording configuration, so configure it in one place');
    }
    const validator = new PropsValidator(this, 'Stage.enableAutoParticipantRecording');
    validateRecordingOptions(validator, '', recording);
    validator.throwIfInvalid();
    this.autoParticipantRecording = recording;
  }
}

const isMarkedStage = markClass(Stage, 'Stage');

function validateStageProps(stage: Stage, props: StageProps): void {
  const validator = new PropsValidator(stage, 'Stage');
  validator.resourceName('stageName', props.stageName);
  validateStageSettings(validator, props);
  validator.throwIfInvalid();
}

/**
 * A stage that is kept when the stack is deleted, recording to a storage configuration of the app that is not, would make
 * every delete of the stack fail: IVS refuses to delete a storage configuration that a stage records to.
 */
function validateRecordingRetention(stage: Stage, recording: AutoParticipantRecording | undefined): string[] {
  const storage = recording?.storageConfiguration;
  if (!storage || !StorageConfiguration.isStorageConfiguration(storage) || !isRetainedOnDelete(stage) || isRetainedOnDelete(storage)) {
    return [];
  }
  return [`\`removalPolicy\` must not keep the stage when deleted while storage configuration '${storage.node.path}', which it `
    + 'records to, is not kept: IVS refuses to delete a storage configuration that a stage records to, so every delete of the stack would fail. '
    + 'Give that storage configuration `removalPolicy: RemovalPolicy.RETAIN` too, or let the stage be deleted (RemovalPolicy.DESTROY); '
    + 'a StageRecording does the former for you'];
}
