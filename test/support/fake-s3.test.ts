import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectAclCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreatedObject, FakeS3, onObjectCreated } from '../../testing/fake-s3';

let fake: FakeS3;
let client: S3Client;

beforeAll(async () => {
  fake = await FakeS3.start();
  // as a function's client is made: the endpoint from AWS_ENDPOINT_URL_S3, nothing else set.
  process.env.AWS_ENDPOINT_URL_S3 = fake.endpoint;
  client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
});
afterEach(() => fake.reset());
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_S3;
  client.destroy();
  await fake.stop();
});

describe('the real S3 client against the fake', () => {
  test('each object written, by the test or by a client\'s PutObject, is heard by its listeners until they stop', async () => {
    const heard: CreatedObject[] = [];
    const stop = onObjectCreated(fake, (object) => heard.push(object));

    fake.putObject('recordings', 'a', 'xy');
    await client.send(new PutObjectCommand({ Bucket: 'recordings', Key: 'p/events/recording-ended.json', Body: '{}' }));
    stop();
    fake.putObject('recordings', 'b', 'z');

    expect(heard).toEqual([
      { bucket: 'recordings', key: 'a', size: 2, time: expect.any(Date) },
      { bucket: 'recordings', key: 'p/events/recording-ended.json', size: 2, time: expect.any(Date) },
    ]);
  });

  test('an object put is read back, headed, listed under its prefix and deleted', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'recordings', Key: 'stage/st-1/p/2024/events/recording-started.json', Body: '{"a":1}' }));
    fake.putObject('recordings', 'stage/st-1/p/2024/media/hls/multivariant.m3u8', '#EXTM3U');
    fake.putObject('recordings', 'other/key', 'x');

    const got = await client.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'stage/st-1/p/2024/events/recording-started.json' }));
    expect(await got.Body?.transformToString()).toBe('{"a":1}');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'recordings', Key: 'other/key' }));
    expect(head.ContentLength).toBe(1);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'recordings', Prefix: 'stage/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual([
      'stage/st-1/p/2024/events/recording-started.json', 'stage/st-1/p/2024/media/hls/multivariant.m3u8',
    ]);
    await client.send(new DeleteObjectCommand({ Bucket: 'recordings', Key: 'other/key' }));
    expect(fake.keys('recordings')).not.toContain('other/key');
  });

  test('a missing key is NoSuchKey on GetObject and NotFound on HeadObject, as S3 answers a caller that may list', async () => {
    await expect(client.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(client.send(new HeadObjectCommand({ Bucket: 'recordings', Key: 'missing' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  test('ListObjectsV2 pages with max-keys and a continuation token', async () => {
    ['a', 'b', 'c'].forEach((key) => fake.putObject('recordings', key, key));

    const first = await client.send(new ListObjectsV2Command({ Bucket: 'recordings', MaxKeys: 2 }));
    const second = await client.send(new ListObjectsV2Command({ Bucket: 'recordings', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));

    expect([first.IsTruncated, first.Contents?.map((c) => c.Key)]).toEqual([true, ['a', 'b']]);
    expect([second.IsTruncated, second.Contents?.map((c) => c.Key)]).toEqual([false, ['c']]);
  });

  test('an injected fault answers once with its code and status, then the object', async () => {
    fake.putObject('recordings', 'k', 'v');
    fake.injectFault({ operation: 'GetObject', errorType: 'SlowDown' });

    await expect(client.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'k' }))).rejects.toMatchObject({ name: 'SlowDown' });
    const got = await client.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'k' }));

    expect(await got.Body?.transformToString()).toBe('v');
    expect(fake.calls.map((c) => [c.operation, c.status])).toEqual([['GetObject', 503], ['GetObject', 200]]);
  });

  test('an operation the fake does not model is NotImplemented, not a silent success', async () => {
    await expect(client.send(new PutObjectAclCommand({ Bucket: 'recordings', Key: 'k', ACL: 'private' })))
      .rejects.toMatchObject({ name: 'NotImplemented' });
  });
});
