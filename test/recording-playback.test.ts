import { generateKeyPairSync } from 'crypto';
import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PlaybackCors, RecordingBucket, RecordingPlayback, Stage, StageRecording, StorageConfiguration } from '../lib';
import { matchesEventPattern } from '../testing/event-pattern';
import { newStackInRegion } from './util';

const IVS_WRITE = {
  Sid: 'IvsCompositeWrite',
  Effect: 'Allow',
  Principal: { Service: 'ivs-composite.us-east-1.amazonaws.com' },
  Action: ['s3:PutObject', 's3:PutObjectAcl'],
};
const CLOUDFRONT_READ = {
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
};

function statementsOfTheOnePolicy(stack: Stack): unknown[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

describe('RecordingPlayback', () => {
  describe('one bucket policy holds IVS\'s write statement and CloudFront\'s read statement', () => {
    test.each([
      ['the storage configuration first', true],
      ['the playback first', false],
    ])('%s', (_order, storageFirst) => {
      const stack = newStackInRegion();
      const bucket = new RecordingBucket(stack, 'Bucket');
      if (storageFirst) new StorageConfiguration(stack, 'Storage', { bucket });
      new RecordingPlayback(stack, 'Playback', { bucket });
      if (!storageFirst) new StorageConfiguration(stack, 'Storage', { bucket });

      expect(statementsOfTheOnePolicy(stack)).toHaveLength(3); // with RecordingBucket's SSL-only deny
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(IVS_WRITE)]) },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(CLOUDFRONT_READ)]) },
      });
      // the storage configuration is created once the policy holds IVS's statement
      const [storageId] = Object.keys(template.findResources('Custom::IvsRealTimeStorageConfiguration'));
      const [policyId] = Object.keys(template.findResources('AWS::S3::BucketPolicy'));
      expect(template.toJSON().Resources[storageId].DependsOn).toContain(policyId);
    });

    test('the read statement names only this distribution, with Origin Access Control (not an identity)', () => {
      const stack = newStackInRegion();
      const recording = new StageRecording(stack, 'Recording', { stage: new Stage(stack, 'Stage') });
      const playback = new RecordingPlayback(stack, 'Playback', { bucket: recording.bucket });
      const template = Template.fromStack(stack);
      const distributionId = stack.getLogicalId(playback.distribution.node.defaultChild as cloudfront.CfnDistribution);

      expect(JSON.stringify(statementsOfTheOnePolicy(stack))).toContain(`"Ref":"${distributionId}"`);
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    });
  });

  describe('the distribution', () => {
    const stack = newStackInRegion();
    const bucket = new RecordingBucket(stack, 'Bucket');
    new RecordingPlayback(stack, 'Playback', { bucket, cors: PlaybackCors.allowOrigins('https://app.example.com', 'http://localhost:3000') });
    const template = Template.fromStack(stack);
    const config = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
    const ttls = (policyRef: { Ref: string }) => {
      const policy = template.toJSON().Resources[policyRef.Ref].Properties.CachePolicyConfig;
      return [policy.MinTTL, policy.DefaultTTL, policy.MaxTTL];
    };

    test('playlists and the latest thumbnail, which change while recording, are cached 2 seconds; segments and thumbnails up to a year', () => {
      expect(config.CacheBehaviors.map((b: any) => [b.PathPattern, ttls(b.CachePolicyId)])).toEqual([
        ['*.m3u8', [0, 2, 2]],
        ['*/latest_thumbnail/*', [0, 2, 2]],
      ]);
      expect(ttls(config.DefaultCacheBehavior.CachePolicyId)).toEqual([86400, 2592000, 31536000]);
    });

    test('every behaviour is HTTPS, read-only (GET, HEAD, OPTIONS) and caches GET and HEAD only', () => {
      for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
        expect(behavior).toMatchObject({
          ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD', 'OPTIONS'], CachedMethods: ['GET', 'HEAD'],
        });
      }
    });

    test('CORS allows exactly the origins given, without credentials, and S3 answers their preflight', () => {
      template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: {
          CorsConfig: Match.objectLike({
            AccessControlAllowOrigins: { Items: ['https://app.example.com', 'http://localhost:3000'] },
            AccessControlAllowMethods: { Items: ['GET', 'HEAD', 'OPTIONS'] },
            AccessControlAllowCredentials: false,
            OriginOverride: true,
          }),
        },
      });
      template.hasResourceProperties('AWS::S3::Bucket', {
        CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://app.example.com', 'http://localhost:3000'], AllowedMethods: ['GET', 'HEAD'] })] },
      });
      expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBeDefined();
    });
  });

  test('without cors, no response headers policy, no origin request policy and no CORS rule on the bucket', () => {
    const stack = newStackInRegion();
    new RecordingPlayback(stack, 'Playback', { bucket: new RecordingBucket(stack, 'Bucket') });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
    template.hasResourceProperties('AWS::S3::Bucket', { CorsConfiguration: Match.absent() });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { DefaultCacheBehavior: Match.objectLike({ OriginRequestPolicyId: Match.absent() }) },
    });
  });

  test('any origin only when asked for with allowAnyOrigin; a `*` among origins is refused, naming the construct and the fix', () => {
    const stack = newStackInRegion();
    const bucket = new RecordingBucket(stack, 'Bucket');
    new RecordingPlayback(stack, 'Any', { bucket, cors: PlaybackCors.allowAnyOrigin() });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: { CorsConfig: Match.objectLike({ AccessControlAllowOrigins: { Items: ['*'] } }) },
    });

    expect(() => new RecordingPlayback(stack, 'Star', { bucket, cors: PlaybackCors.allowOrigins('*') })).toThrow(
      'RecordingPlayback \'TestStack/Star\' has invalid props:\n- `cors` origin 0 must be an origin such as https://app.example.com (for any origin, use '
      + 'PlaybackCors.allowAnyOrigin()), got "*"');
    expect(() => new RecordingPlayback(stack, 'Path', { bucket, cors: PlaybackCors.allowOrigins('https://app.example.com/player') }))
      .toThrow(/`cors` origin 0 must be an origin such as https:\/\/app.example.com \(scheme, host and optional port, no path\), got "https:\/\/app.example.com\/player"/);
  });

  test('trusted key groups require signed URLs or cookies on every behaviour, and allow credentials for the origins given', () => {
    const stack = newStackInRegion();
    const publicKey = new cloudfront.PublicKey(stack, 'Key', { encodedKey: PUBLIC_KEY_PEM });
    const keyGroup = new cloudfront.KeyGroup(stack, 'Viewers', { items: [publicKey] });
    new RecordingPlayback(stack, 'Playback', {
      bucket: new RecordingBucket(stack, 'Bucket'), trustedKeyGroups: [keyGroup], cors: PlaybackCors.allowOrigins('https://app.example.com'),
    });
    const template = Template.fromStack(stack);
    const config = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;

    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.TrustedKeyGroups).toEqual([{ Ref: stack.getLogicalId(keyGroup.node.defaultChild as cloudfront.CfnKeyGroup) }]);
    }
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: { CorsConfig: Match.objectLike({ AccessControlAllowCredentials: true }) },
    });
  });

  describe('URL helpers and the ready event', () => {
    const stack = newStackInRegion();
    const bucket = new RecordingBucket(stack, 'Bucket');
    const playback = new RecordingPlayback(stack, 'Playback', { bucket });
    const rule = playback.onRecordingReady('Ready', {
      target: new targets.SqsQueue(new sqs.Queue(stack, 'Queue')), eventPattern: { detail: { recordingType: ['COMPOSITE'] } },
    });
    const template = Template.fromStack(stack);
    const domain = stack.resolve(playback.domainName);

    test('recordingUrl is the multivariant playlist under a recording\'s prefix, through the distribution', () => {
      expect(stack.resolve(playback.recordingUrl('AbCdef1G2hij/st-ZyXwvu1T2s/xYz1c2d3e4f/2024-01-01T12-00-55Z'))).toEqual({
        'Fn::Join': ['', ['https://', domain, '/AbCdef1G2hij/st-ZyXwvu1T2s/xYz1c2d3e4f/2024-01-01T12-00-55Z/media/hls/multivariant.m3u8']],
      });
      expect(stack.resolve(playback.urlOf('/a/b.jpg'))).toEqual({ 'Fn::Join': ['', ['https://', domain, '/a/b.jpg']] });
    });

    test('onRecordingReady matches the library\'s event for this bucket, narrowed by the caller\'s pattern', () => {
      const pattern = stack.resolve((rule.node.defaultChild as any).eventPattern);
      const bucketName = stack.resolve(bucket.bucketName);
      expect(pattern).toEqual({
        'source': ['cdk-ivs-realtime'], 'detail-type': ['IVS Recording Ready'], 'detail': { bucketName: [bucketName], recordingType: ['COMPOSITE'] },
      });
      const resolved = { 'source': ['cdk-ivs-realtime'], 'detail-type': ['IVS Recording Ready'], 'detail': { bucketName: ['b'], recordingType: ['COMPOSITE'] } };
      const event = (detail: object) => ({ 'source': 'cdk-ivs-realtime', 'detail-type': 'IVS Recording Ready', detail });
      expect(matchesEventPattern(resolved, event({ bucketName: 'b', recordingType: 'COMPOSITE' }))).toBe(true);
      expect(matchesEventPattern(resolved, event({ bucketName: 'other', recordingType: 'COMPOSITE' }))).toBe(false);
    });

    test('the ready function hears participant recording ends of this bucket, and composition ends of any stage', () => {
      const patterns = Object.values(template.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.EventPattern)
        .filter((p) => p.source?.[0] === 'aws.ivs');
      expect(patterns).toEqual(expect.arrayContaining([
        {
          'source': ['aws.ivs'],
          'detail-type': ['IVS Participant Recording State Change'],
          'detail': { event_name: ['Recording End', 'Recording End Failure'], recording_s3_bucket_name: [stack.resolve(bucket.bucketName)] },
        },
        {
          'source': ['aws.ivs'],
          'detail-type': ['IVS Composition State Change'],
          'detail': { event_name: ['Destination End', 'Destination Failure', 'Session End', 'Session Failure'] },
        },
      ]));
    });

    test('the backstop: the bucket sends its events to EventBridge, and a rule passes only its recordings\' final metadata files', () => {
      template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: stack.resolve(bucket.bucketName),
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      });
      const patterns = Object.values(template.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.EventPattern)
        .filter((p) => p.source?.[0] === 'aws.s3');
      expect(patterns).toEqual([{
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': {
          bucket: { name: [stack.resolve(bucket.bucketName)] },
          object: { key: [{ suffix: '/events/recording-ended.json' }, { suffix: '/events/recording-failed.json' }] },
        },
      }]);
      const resolved = { ...patterns[0], detail: { ...patterns[0].detail, bucket: { name: ['recordings'] } } };
      const created = (key: string, bucketName = 'recordings') => ({ 'source': 'aws.s3', 'detail-type': 'Object Created', 'detail': { bucket: { name: bucketName }, object: { key } } });
      expect(matchesEventPattern(resolved, created('st/se/pa/2024-01-01T12-00-55Z/events/recording-ended.json'))).toBe(true);
      expect(matchesEventPattern(resolved, created('co/de/composite/events/recording-failed.json'))).toBe(true);
      expect(matchesEventPattern(resolved, created('st/se/pa/2024-01-01T12-00-55Z/events/recording-started.json'))).toBe(false);
      expect(matchesEventPattern(resolved, created('st/se/pa/2024-01-01T12-00-55Z/media/hls/high/playlist.m3u8'))).toBe(false);
      expect(matchesEventPattern(resolved, created('st/se/pa/2024-01-01T12-00-55Z/events/recording-ended.json', 'other'))).toBe(false);
      // the rule's target is the ready function, with the same dead-letter queue as IVS's events
      const targetsOf = (source: string) => Object.values(template.findResources('AWS::Events::Rule'))
        .filter((r: any) => r.Properties.EventPattern.source?.[0] === source).map((r: any) => r.Properties.Targets);
      expect(targetsOf('aws.s3')).toEqual([targetsOf('aws.ivs')[0]]);
    });

    test('without readyEventsFromS3: no notification resource, no S3 rule', () => {
      const bare = newStackInRegion();
      new RecordingPlayback(bare, 'Playback', { bucket: new RecordingBucket(bare, 'Bucket'), readyEventsFromS3: false });
      const bareTemplate = Template.fromStack(bare);
      bareTemplate.resourceCountIs('Custom::S3BucketNotifications', 0);
      expect(Object.values(bareTemplate.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.EventPattern.source[0])).toEqual(['aws.ivs', 'aws.ivs']);
    });

    test('the function retries twice, then dead-letters, and may publish only to the default bus', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: 'events:PutEvents',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] },
          })]),
        },
      });
    });
  });

  test('without recordingReadyEvents: no function, table or rule; onRecordingReady says why it cannot', () => {
    const stack = newStackInRegion();
    const playback = new RecordingPlayback(stack, 'Playback', { bucket: new RecordingBucket(stack, 'Bucket'), recordingReadyEvents: false });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(() => playback.onRecordingReady('Ready')).toThrow('TestStack/Playback: onRecordingReady needs `recordingReadyEvents`');
  });

  test('a web ACL, access logs and a certificate are the distribution\'s, and their cdk-nag findings are no longer acknowledged', () => {
    const acknowledgedBy = (stack: Stack) => stack.node.findAll().flatMap((construct) => construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as object).map((id) => id.replace(/^annotation::/i, ''))))
      .filter((id) => id.startsWith('AwsSolutions-CFR'));
    const bare = newStackInRegion();
    new RecordingPlayback(bare, 'Playback', { bucket: new RecordingBucket(bare, 'Bucket'), recordingReadyEvents: false });
    const stack = newStackInRegion();
    new RecordingPlayback(stack, 'Playback', {
      bucket: new RecordingBucket(stack, 'Bucket'),
      recordingReadyEvents: false,
      webAclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/recordings/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      logBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER }),
      domainNames: ['recordings.example.com'],
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.stringLikeRegexp('webacl/recordings'),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
        Aliases: ['recordings.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    expect(acknowledgedBy(bare).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4']);
    expect(acknowledgedBy(stack)).toEqual(['AwsSolutions-CFR1']);
  });

  test('a dead-letter queue without ready events is refused, naming both props', () => {
    const stack = newStackInRegion();
    expect(() => new RecordingPlayback(stack, 'Playback', {
      bucket: new RecordingBucket(stack, 'Bucket'), recordingReadyEvents: false, deadLetterQueue: new sqs.Queue(stack, 'Queue'),
    })).toThrow(/`deadLetterQueue` takes the events of the ready function, which `recordingReadyEvents: false` leaves out/);
  });

  test('readyEventsFromS3 without ready events is refused, naming both props', () => {
    const stack = newStackInRegion();
    expect(() => new RecordingPlayback(stack, 'Playback', {
      bucket: new RecordingBucket(stack, 'Bucket'), recordingReadyEvents: false, readyEventsFromS3: true,
    })).toThrow(/`readyEventsFromS3` makes S3 tell the ready function, which `recordingReadyEvents: false` leaves out/);
  });

  test('an imported bucket: the backstop is off, with a warning naming the construct and the fix; readyEventsFromS3: false silences it', () => {
    const stack = newStackInRegion();
    new RecordingPlayback(stack, 'Playback', { bucket: s3.Bucket.fromBucketName(stack, 'Imported', 'recordings') });
    const quiet = newStackInRegion();
    new RecordingPlayback(quiet, 'Playback', { bucket: s3.Bucket.fromBucketName(quiet, 'Imported', 'recordings'), readyEventsFromS3: false });

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EventBridge notifications'));
    expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([['/TestStack/Playback', expect.stringMatching(
      /^The bucket recordings is imported: .*never announced\. Turn on "Send notifications to Amazon EventBridge".*readyEventsFromS3: false.*\[ack: cdk-ivs-realtime:readyEventsFromS3Off\]$/)]]);
    Template.fromStack(stack).resourceCountIs('Custom::S3BucketNotifications', 0);
    // the rule is there: it hears the bucket once its notifications are turned on where it is managed
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.s3'] }) });
    expect(Annotations.fromStack(quiet).findWarning('*', Match.stringLikeRegexp('EventBridge notifications'))).toEqual([]);
  });

  test('an imported bucket gets aws-cdk-lib\'s warning that its policy is not this app\'s to write', () => {
    const stack = newStackInRegion();
    new RecordingPlayback(stack, 'Playback', { bucket: s3.Bucket.fromBucketName(stack, 'Imported', 'recordings'), recordingReadyEvents: false });

    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('bucket policy'))).not.toHaveLength(0);
    Template.fromStack(stack).resourceCountIs('AWS::S3::BucketPolicy', 0);
  });
});

/** A public key in PEM, as CloudFront takes one (its private key is thrown away). */
const PUBLIC_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
