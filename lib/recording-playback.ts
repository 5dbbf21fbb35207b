import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PlaybackCors } from './playback-cors';
import { defineBundledFunction } from './private/bundled-function';
import { ArnResource } from './private/contract';
import { RECORDING_READY_ACTIONS } from './private/iam';
import { acknowledgeAwsSolutions, acknowledgeCompliance, acknowledgeWildcardResource, LIBRARY_FUNCTION_REASONS } from './private/nag';
import {
  LIBRARY_EVENT_SOURCE, multivariantPlaylistKey, playbackUrl, PUBLISHED_TABLE_KEY, PUBLISHED_TABLE_TTL, RECORDING_READY_DETAIL_TYPE,
  RecordingFiles, RecordingReadyEnv,
} from './private/recording-ready-contract';
import { defineStageEventRule } from './private/stage-event-rule';
import { PropsValidator } from './private/validation';
import { StageEvent } from './stage-event';

/** Properties of a `RecordingPlayback`. */
export interface RecordingPlaybackProps {
  /**
   * The bucket IVS records to: a `RecordingBucket`, `StageRecording.bucket`, or the bucket of a composition's storage
   * configuration. For a bucket of this app, CloudFront's read statement joins IVS's write statement in the one bucket
   * policy CDK manages; an imported bucket's policy is not this app's to write (aws-cdk-lib warns, and the statement to
   * add is CloudFront's usual Origin Access Control statement).
   */
  readonly bucket: s3.IBucket;

  /**
   * Which web pages may play the recordings with a script player (CORS).
   *
   * @default PlaybackCors.none()
   */
  readonly cors?: PlaybackCors;

  /**
   * Key groups whose keys sign the URLs or cookies viewers must present: with them, CloudFront serves a recording only to
   * a viewer your app signed for. The keys are yours; the library never sees the private key.
   *
   * @default - no signature required: anyone with a URL can play the recording
   */
  readonly trustedKeyGroups?: cloudfront.IKeyGroup[];

  /**
   * Whether to publish the library's `IVS Recording Ready` event once per recording of the bucket when it is final
   * (`onRecordingReady`). Adds a function, a DynamoDB table, a dead-letter queue, two rules for IVS's end events and, with
   * `readyEventsFromS3`, one for S3's.
   *
   * @default true
   */
  readonly recordingReadyEvents?: boolean;

  /**
   * Whether the ready function also hears S3 when IVS writes a recording's `events/recording-ended.json` or
   * `recording-failed.json`: the backstop for IVS's end events, which EventBridge delivers best effort, so that a
   * recording whose end events are all lost is still announced, once. Turns on the bucket's EventBridge notifications
   * (aws-cdk-lib's `Custom::S3BucketNotifications` resource and its function). Cost: S3 then sends an event for every
   * object created or deleted in the bucket (each segment, playlist update and thumbnail) to the default event bus, which
   * EventBridge bills as "AWS opt-in data events" per million ingested; a rule passes only the metadata files to the
   * function, so it runs once or twice per recording.
   *
   * An imported bucket's notifications are not this app's to turn on: the backstop is then off, with a warning; turn on
   * the bucket's "Send notifications to Amazon EventBridge" where the bucket is managed, and the rule still works.
   *
   * @default true
   */
  readonly readyEventsFromS3?: boolean;

  /**
   * Where the IVS (and S3) events go that the ready function could not handle after Lambda's retries (a recording whose files never
   * became final, throttled or failing AWS APIs).
   *
   * @default - a new SQS queue, encrypted, keeping messages for 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * The ID (ARN) of an AWS WAF web ACL (in us-east-1) in front of the distribution.
   *
   * @default - no web ACL (acknowledged for cdk-nag's AwsSolutions-CFR2)
   */
  readonly webAclId?: string;

  /**
   * Where CloudFront writes standard access logs.
   *
   * @default - no access logs (acknowledged for cdk-nag's AwsSolutions-CFR3)
   */
  readonly logBucket?: s3.IBucket;

  /**
   * Alternate domain names of the distribution; requires `certificate`.
   *
   * @default - the distribution's own `*.cloudfront.net` name only
   */
  readonly domainNames?: string[];

  /**
   * The certificate (in us-east-1) for `domainNames`; the viewers' TLS is then at least TLS 1.2.
   *
   * @default - CloudFront's default certificate for `*.cloudfront.net`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Which edge locations serve the recordings.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * Plays IVS Real-Time recordings back through a CloudFront distribution reading the recording bucket with Origin Access
 * Control, and tells your app once, when each recording is ready to play.
 *
 * AWS's own procedure ("Playback of Recorded Content from Private Buckets", IVS Real-Time User Guide) deletes and
 * re-creates the storage configuration so that CloudFront's and IVS's statements both end up in the bucket policy. Here
 * both live in the one bucket policy CDK manages: `StorageConfiguration` adds IVS's write statement, this construct adds
 * CloudFront's read statement (`s3:GetObject`, only for this distribution), and no deployment, in any order, removes
 * either.
 *
 * Cache behaviours fit HLS recordings: playlists (`*.m3u8`) and the latest thumbnail, which change while a recording
 * runs, are cached 2 seconds; segments and thumbnails, which never change, up to a year.
 *
 * With `recordingReadyEvents` (the default), a function hears IVS's end events (participant `Recording End` and its
 * failure; a composition's destination or session end and their failures), checks in S3 that the recording is final
 * (its `recording-ended.json` or `recording-failed.json` written; for a composite, every media playlist turned `VOD`),
 * and publishes one `IVS Recording Ready` event per recording on the default event bus, with the playback URLs:
 * subscribe with `onRecordingReady`. IVS's events are best effort: with `readyEventsFromS3` (the default), S3's own
 * event when IVS writes the recording's final metadata file makes the same check, so a recording whose IVS end events
 * are all lost is announced too, and still once.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import * as targets from 'aws-cdk-lib/aws-events-targets';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 * import { PlaybackCors, RecordingPlayback, Stage, StageRecording } from 'cdk-ivs-realtime';
 *
 * declare const onReady: lambda.IFunction;
 * const stage = new Stage(this, 'Stage');
 * const recording = new StageRecording(this, 'Recording', { stage });
 * const playback = new RecordingPlayback(this, 'Playback', {
 *   bucket: recording.bucket,
 *   cors: PlaybackCors.allowOrigins('https://app.example.com'),
 * });
 * playback.onRecordingReady('Ready', { target: new targets.LambdaFunction(onReady) });
 */
export class RecordingPlayback extends Construct {
  /** The distribution recordings are played through. */
  public readonly distribution: cloudfront.Distribution;
  /** The distribution's domain name (`d111111abcdef8.cloudfront.net`). A token until deployment. */
  public readonly domainName: string;
  /** The bucket the recordings are read from. */
  public readonly bucket: s3.IBucket;
  /** The function that publishes the ready events; undefined without `recordingReadyEvents`. */
  public readonly readyFunction?: lambda.IFunction;
  /** Where the IVS (and S3) events land that the ready function could not handle; alarm on its depth. Undefined without `recordingReadyEvents`. */
  public readonly deadLetterQueue?: sqs.IQueue;

  constructor(scope: Construct, id: string, props: RecordingPlaybackProps) {
    super(scope, id);
    const cors = props.cors ?? PlaybackCors.none();
    validateRecordingPlaybackProps(this, props, cors);
    this.bucket = props.bucket;
    this.distribution = this.defineDistribution(props, cors._origins());
    this.domainName = this.distribution.distributionDomainName;

    if (props.recordingReadyEvents ?? true) {
      this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.readyFunction = this.defineReadyFunction(this.deadLetterQueue, props.readyEventsFromS3 ?? true);
    }
  }

  /** The URL of an object of the bucket through the distribution: `https://<domain>/<key>`. */
  public urlOf(key: string): string {
    return playbackUrl(this.domainName, key);
  }

  /**
   * The URL of a recording's multivariant playlist, `<prefix>/media/hls/multivariant.m3u8`, from its key prefix: a
   * participant recording's `recording_s3_key_prefix` (`<stage id>/<session id>/<participant id>/<timestamp>`, in IVS's
   * `Recording Start` and `Recording End` events), or a composition destination's `recordingPrefix`
   * (`…/<composition id>/<destination id>/composite`, in GetComposition's answer). The ready event carries it already.
   */
  public recordingUrl(recordingPrefix: string): string {
    return this.urlOf(multivariantPlaylistKey(recordingPrefix));
  }

  /**
   * Defines a rule for this construct's `IVS Recording Ready` events: source `cdk-ivs-realtime`, detail-type `IVS Recording
   * Ready`, `detail.bucketName` this bucket; the detail is a `RecordingReadyDetail`. `options.eventPattern` narrows it
   * (`{ detail: { recordingType: ['COMPOSITE'] } }`).
   */
  public onRecordingReady(id: string, options: events.OnEventOptions = {}): events.Rule {
    if (!this.readyFunction) {
      throw new Error(`${this.node.path}: onRecordingReady needs \`recordingReadyEvents\`, which is false: no ready event is published`);
    }
    const { eventPattern, target, ...ruleOptions } = options;
    const rule = new events.Rule(this, id, ruleOptions);
    rule.addEventPattern({
      source: [LIBRARY_EVENT_SOURCE],
      detailType: [RECORDING_READY_DETAIL_TYPE],
      detail: { bucketName: [this.bucket.bucketName] },
    });
    // last, so that the caller's nested objects are merged into ours, not ours into the caller's options.
    rule.addEventPattern(eventPattern);
    rule.addTarget(target);
    return rule;
  }

  private defineDistribution(props: RecordingPlaybackProps, corsOrigins: string[]): cloudfront.Distribution {
    const origin = origins.S3BucketOrigin.withOriginAccessControl(props.bucket);
    const responseHeadersPolicy = corsOrigins.length === 0 ? undefined : new cloudfront.ResponseHeadersPolicy(this, 'Cors', {
      comment: 'CORS for IVS recordings played by web pages of the allowed origins',
      corsBehavior: {
        accessControlAllowOrigins: corsOrigins,
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        // what an HLS player may add to its GETs (a byte range); `*` is refused with credentials.
        accessControlAllowHeaders: ['Range'],
        // signed cookies cross origins only with credentials, which CORS refuses for any origin.
        accessControlAllowCredentials: props.trustedKeyGroups !== undefined && !corsOrigins.includes('*'),
        accessControlMaxAge: Duration.hours(1),
        originOverride: true,
      },
    });
    const behavior = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin,
      cachePolicy,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
      // a CORS preflight needs its Origin and Access-Control-Request-* headers at S3 (outside the cache key).
      originRequestPolicy: responseHeadersPolicy && cloudfront.OriginRequestPolicy.CORS_S3_ORIGIN,
      responseHeadersPolicy,
      trustedKeyGroups: props.trustedKeyGroups,
    });
    // a participant's playlist grows while it records and a composite's turns VOD at its end: a player is at most this
    // far behind, less than one segment (2 s at the shortest).
    const changing = new cloudfront.CachePolicy(this, 'PlaylistCachePolicy', {
      comment: 'IVS recording playlists and latest thumbnails: they change while recording',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(2),
      maxTtl: Duration.seconds(2),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // segments and sequential thumbnails are written once.
    const immutable = new cloudfront.CachePolicy(this, 'SegmentCachePolicy', {
      comment: 'IVS recording segments and thumbnails: written once',
      minTtl: Duration.days(1),
      defaultTtl: Duration.days(30),
      maxTtl: Duration.days(365),
    });
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Playback of Amazon IVS Real-Time recordings (cdk-ivs-realtime RecordingPlayback)',
      defaultBehavior: behavior(immutable),
      additionalBehaviors: {
        '*.m3u8': behavior(changing),
        '*/latest_thumbnail/*': behavior(changing),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      webAclId: props.webAclId,
      enableLogging: props.logBucket !== undefined,
      logBucket: props.logBucket,
      domainNames: props.domainNames,
      certificate: props.certificate,
      priceClass: props.priceClass,
    });
    if (corsOrigins.length > 0 && props.bucket instanceof s3.Bucket) {
      // CloudFront forwards a CORS preflight (OPTIONS) to S3, which refuses it without a CORS rule of its own.
      props.bucket.addCorsRule({ allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD], allowedOrigins: corsOrigins, allowedHeaders: ['Range'] });
    }
    this.acknowledgeDistributionFindings(distribution, props);
    return distribution;
  }

  private defineReadyFunction(deadLetterQueue: sqs.IQueue, fromS3: boolean): lambda.Function {
    // one item per recording, for 30 days (its time to live): nothing to back up, deleted with the stack.
    const published = new dynamodb.Table(this, 'PublishedRecordings', {
      partitionKey: { name: PUBLISHED_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: PUBLISHED_TABLE_TTL,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = defineBundledFunction(this, 'ReadyFunction', {
      bundle: 'recording-ready',
      logGroupId: 'ReadyFunctionLogs',
      roleId: 'ReadyFunctionRole',
      description: 'Publishes an event when an Amazon IVS Real-Time recording is ready to play (cdk-ivs-realtime RecordingPlayback)',
      timeout: Duration.minutes(1),
      environment: {
        [RecordingReadyEnv.BUCKET_NAME]: this.bucket.bucketName,
        [RecordingReadyEnv.PLAYBACK_DOMAIN]: this.domainName,
        [RecordingReadyEnv.PUBLISHED_TABLE]: published.tableName,
      },
      // a recording not final yet is retried about one, then two minutes later; then the dead-letter queue keeps the event.
      retryAttempts: 2,
      deadLetterQueue,
    });
    this.grantReadyFunction(fn, published);
    const target = new targets.LambdaFunction(fn, { deadLetterQueue });
    defineStageEventRule(this, 'ParticipantRecordingEnds', undefined, {
      description: 'Ends of participant recordings to the bucket of a cdk-ivs-realtime RecordingPlayback',
      eventPattern: { detail: { recording_s3_bucket_name: [this.bucket.bucketName] } },
      target,
    }, StageEvent.PARTICIPANT_RECORDING_END, StageEvent.PARTICIPANT_RECORDING_END_FAILURE);
    // composition events do not name the bucket: the function asks IVS where each composition records.
    defineStageEventRule(this, 'CompositionEnds', undefined, {
      description: 'Ends of compositions, whose S3 destinations a cdk-ivs-realtime RecordingPlayback may play',
      target,
    }, StageEvent.COMPOSITION_DESTINATION_END, StageEvent.COMPOSITION_DESTINATION_FAILURE, StageEvent.COMPOSITION_SESSION_END,
    StageEvent.COMPOSITION_SESSION_FAILURE);
    if (fromS3) {
      this.hearMetadataFilesWritten(target);
    }

    const tableReason = 'The table holds only which recordings had their ready event published, for 30 days: nothing to restore';
    acknowledgeCompliance(this, {
      ...LIBRARY_FUNCTION_REASONS,
      LambdaInsideVPC: 'The function calls only AWS APIs over HTTPS (IVS, S3, DynamoDB, EventBridge): it reads no data in a VPC, '
        + 'and inside one it would need a NAT gateway or an endpoint for each of those services',
      DynamoDBInBackupPlan: tableReason,
      DynamoDBPITREnabled: tableReason,
    });
    acknowledgeAwsSolutions(published, 'AwsSolutions-DDB3', tableReason);
    return fn;
  }

  /**
   * The backstop for lost IVS end events: S3's `Object Created` events of the recordings' final metadata files. The rule
   * is defined for an imported bucket too (it works once the bucket's EventBridge notifications are on elsewhere).
   */
  private hearMetadataFilesWritten(target: events.IRuleTarget): void {
    if (this.bucket instanceof s3.Bucket) {
      this.bucket.enableEventBridgeNotification();
      acknowledgeNotificationsHandler(Stack.of(this));
    } else {
      Annotations.of(this).addWarningV2('cdk-ivs-realtime:readyEventsFromS3Off', `The bucket ${this.bucket.bucketName} is imported: `
        + 'this RecordingPlayback cannot turn on its EventBridge notifications, so a recording whose IVS end events are all lost '
        + 'is never announced. Turn on "Send notifications to Amazon EventBridge" on the bucket where it is managed (its '
        + 'rule here then hears the metadata files), or set readyEventsFromS3: false to acknowledge it');
    }
    new events.Rule(this, 'RecordingMetadataWritten', {
      description: 'Final metadata files of IVS recordings written to the bucket of a cdk-ivs-realtime RecordingPlayback',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.bucket.bucketName] },
          object: { key: RECORDING_METADATA_FILES.map((file) => events.Match.suffix(`/${file}`)).flat() },
        },
      },
      targets: [target],
    });
  }

  /** Least privilege: the bucket's objects and listing, compositions and storage configurations read, the default bus, the table. */
  private grantReadyFunction(fn: lambda.Function, published: dynamodb.ITable): void {
    const stack = Stack.of(this);
    const objects = this.bucket.arnForObjects('*');
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: RECORDING_READY_ACTIONS.readRecordings, resources: [objects] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: RECORDING_READY_ACTIONS.listRecordings, resources: [this.bucket.bucketArn] }));
    const compositions = stack.formatArn({ service: 'ivs', resource: ArnResource.COMPOSITION, resourceName: '*' });
    const storageConfigurations = stack.formatArn({ service: 'ivs', resource: ArnResource.STORAGE_CONFIGURATION, resourceName: '*' });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: RECORDING_READY_ACTIONS.readComposition, resources: [compositions] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: RECORDING_READY_ACTIONS.readStorageConfiguration, resources: [storageConfigurations] }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: RECORDING_READY_ACTIONS.publish,
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: RECORDING_READY_ACTIONS.publishedTable, resources: [published.tableArn] }));
    const role = fn.role!;
    acknowledgeWildcardResource(role, objects, 'The function reads the metadata files and playlists IVS writes under each recording\'s '
      + 'prefix, whose IDs IVS chooses at run time: any object of the recording bucket, read only');
    acknowledgeWildcardResource(role, compositions, 'IVS gives a composition its ID when it starts: the function reads, on its end '
      + 'event, where any composition of this account and region records');
    acknowledgeWildcardResource(role, storageConfigurations, 'A composition names its storage configuration by ARN, which may be of '
      + 'another app: the function reads which bucket it records to, to tell the compositions that record to this bucket');
  }

  private acknowledgeDistributionFindings(distribution: cloudfront.Distribution, props: RecordingPlaybackProps): void {
    acknowledgeAwsSolutions(distribution, 'AwsSolutions-CFR1', 'Where recordings may be watched from is the app\'s choice: '
      + 'add a geo restriction to the distribution where the content\'s rights ask for one');
    if (!props.webAclId) {
      acknowledgeAwsSolutions(distribution, 'AwsSolutions-CFR2', 'A web ACL costs per rule and request, and the distribution '
        + 'serves read-only recordings: set webAclId to put AWS WAF in front of it');
    }
    if (!props.logBucket) {
      acknowledgeAwsSolutions(distribution, 'AwsSolutions-CFR3', 'Where access logs go (a bucket, with its own retention) is the '
        + 'app\'s choice: set logBucket to log who plays the recordings');
    }
    if (!props.certificate) {
      acknowledgeAwsSolutions(distribution, 'AwsSolutions-CFR4', 'The distribution uses CloudFront\'s default *.cloudfront.net '
        + 'certificate, whose viewer TLS policy CloudFront sets: give certificate and domainNames to require TLS 1.2');
    }
    if (!props.logBucket) {
      acknowledgeCompliance(distribution, {
        CloudFrontDistributionAccessLogging: 'Where access logs go is the app\'s choice: set logBucket to log who plays the recordings',
      });
    }
  }
}

function validateRecordingPlaybackProps(scope: RecordingPlayback, props: RecordingPlaybackProps, cors: PlaybackCors): void {
  const validator = new PropsValidator(scope, 'RecordingPlayback');
  cors._validate(validator, 'cors');
  validator.check(props.deadLetterQueue === undefined || (props.recordingReadyEvents ?? true), '`deadLetterQueue` takes the events '
    + 'of the ready function, which `recordingReadyEvents: false` leaves out: remove one of them');
  validator.check(props.readyEventsFromS3 !== true || (props.recordingReadyEvents ?? true), '`readyEventsFromS3` makes S3 tell '
    + 'the ready function, which `recordingReadyEvents: false` leaves out: remove one of them');
  validator.throwIfInvalid();
}

const RECORDING_METADATA_FILES = [RecordingFiles.ENDED, RecordingFiles.FAILED];

/**
 * aws-cdk-lib's function that writes a bucket's notification configuration (one per stack, `BucketNotificationsHandler…`)
 * has the AWSLambdaBasicExecutionRole managed policy: acknowledged, since the library adds it and its role is
 * aws-cdk-lib's to shape.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const role = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'))?.node.tryFindChild('Role');
  if (role) {
    acknowledgeAwsSolutions(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'aws-cdk-lib\'s function that turns on the recording bucket\'s EventBridge notifications (for the ready events\' backstop) '
      + 'runs once per deployment; its role, with the managed policy for its logs, is aws-cdk-lib\'s');
  }
}
