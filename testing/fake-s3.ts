/**
 * A local fake of the S3 object operations PutObject, GetObject, HeadObject, ListObjectsV2 and DeleteObject, on
 * 127.0.0.1: S3's REST wire format with path-style addressing (`/<bucket>/<key>`; the SDK addresses an IP endpoint so),
 * errors as `<Error><Code>…</Code><Message>…</Message></Error>`, so the real `@aws-sdk/client-s3` runs unchanged
 * against it (`AWS_ENDPOINT_URL_S3`, or `endpoint` in its config).
 *
 * Every bucket exists, empty until written (buckets are made by CloudFormation, which the kit only plays). A missing key
 * is NoSuchKey (404), as S3 answers a caller that may list the bucket. Anything else (another operation, a
 * sub-resource such as `?acl`) is NotImplemented (501), so that a test relying on it fails. Not modelled: versions,
 * multipart uploads, ranges, conditional requests, checksums, encryption, ACLs and policies.
 *
 * Why not an npm fake S3: the kit's fakes share one test API (calls recorded, faults injected, state in memory, reset
 * between tests), which the registry's `s3rver` (3.7.1, unreleased for years; files on disk, no fault injection) does
 * not have, and the five operations the recording-ready function and a user's test need are this file.
 *
 * Test API: `putObject(bucket, key, body)` (as IVS writes a recording's files; a `LocalDeployment` delivers S3's
 * `Object Created` event of it when the bucket sends its events to EventBridge), `object(bucket, key)`, `keys(bucket,
 * prefix?)`, `calls`, `injectFault({ operation?, errorType, times? })` (consumed first-match-first; `NoSuchKey` answers
 * 404, `AccessDenied` 403, `SlowDown` 503, `InternalError` 500, any other 400), `reset()`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { InjectedFaults } from './json-target-server';

export type S3Operation = 'PutObject' | 'GetObject' | 'HeadObject' | 'ListObjectsV2' | 'DeleteObject';

export interface S3Call {
  readonly operation: string;
  readonly bucket: string;
  readonly key?: string;
  status: number;
  errorType?: string;
}

export interface S3Fault {
  /** @default - any operation */
  readonly operation?: S3Operation;
  /** e.g. 'NoSuchKey' (404: a file not written yet), 'SlowDown' (503), 'InternalError' (500), 'AccessDenied' (403). */
  readonly errorType: string;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

export interface FakeS3Object {
  readonly body: Buffer;
  readonly contentType: string;
  readonly lastModified: Date;
}

/** An object just written, as S3's event notifications describe it. */
export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly time: Date;
}

/**
 * Who hears each object a fake S3 writes (the test's `putObject`, or a client's PutObject): the `LocalDeployment`s using
 * it, which deliver S3's `Object Created` events of the buckets that send their events to EventBridge. Kept out of
 * `FakeS3`'s own surface, which a test uses.
 */
const createdObjectListeners = new WeakMap<FakeS3, Set<(object: CreatedObject) => void>>();

/** Calls `listener` with each object the fake S3 writes from now on; returns the function that stops it. */
export function onObjectCreated(fake: FakeS3, listener: (object: CreatedObject) => void): () => void {
  const listeners = createdObjectListeners.get(fake) ?? new Set();
  createdObjectListeners.set(fake, listeners);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const STATUS: Record<string, number> = { NoSuchKey: 404, AccessDenied: 403, SlowDown: 503, InternalError: 500, NotImplemented: 501 };

class S3Error extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export class FakeS3 {
  static async start(): Promise<FakeS3> {
    const fake = new FakeS3();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  readonly calls: S3Call[] = [];
  private readonly buckets = new Map<string, Map<string, FakeS3Object>>();
  private readonly faults = new InjectedFaults<S3Operation>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => void this.receive(request, response).catch((error: Error) =>
      answerError(response, new S3Error('InternalError', `fake failed: ${error.stack}`))));
    this.server.keepAliveTimeout = 60_000;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Writes an object, as IVS writes a recording's files. */
  putObject(bucket: string, key: string, body: string | Buffer, contentType = 'application/octet-stream'): void {
    const object = { body: Buffer.from(body), contentType, lastModified: new Date() };
    this.bucket(bucket).set(key, object);
    createdObjectListeners.get(this)?.forEach((listener) => listener({ bucket, key, size: object.body.length, time: object.lastModified }));
  }

  /** The object, or undefined when there is none. */
  object(bucket: string, key: string): FakeS3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** The bucket's keys (under `prefix`), sorted as S3 lists them. */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.buckets.get(bucket)?.keys() ?? []].filter((key) => key.startsWith(prefix)).sort();
  }

  injectFault(fault: S3Fault): void {
    this.faults.add(fault);
  }

  reset(): void {
    this.buckets.clear();
    this.calls.length = 0;
    this.faults.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private bucket(name: string): Map<string, FakeS3Object> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [bucket, ...keyParts] = url.pathname.slice(1).split('/');
    const key = keyParts.map(decodeURIComponent).join('/') || undefined;
    // the SDK adds `x-id=<Operation>` to object requests; any other query names a sub-resource the fake does not have.
    const subResources = [...url.searchParams.keys()].filter((name) => name !== 'x-id' && (key !== undefined || !LIST_PARAMETERS.has(name)));
    const operation = operationOf(request.method ?? '', key, url.searchParams);
    const call: S3Call = { operation, bucket: decodeURIComponent(bucket), key, status: 0 };
    this.calls.push(call);
    try {
      const fault = this.faults.take(operation);
      if (fault) {
        throw new S3Error(fault, `Injected fault: ${fault}`);
      }
      if (subResources.length > 0 || operation === 'Unknown') {
        throw new S3Error('NotImplemented', `the fake S3 does not implement ${request.method} ${url.pathname}${url.search}`);
      }
      call.status = this.serve(operation, call.bucket, key, Buffer.concat(chunks), request, url.searchParams, response);
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      call.status = STATUS[error.code] ?? 400;
      call.errorType = error.code;
      answerError(response, error, request.method === 'HEAD');
    }
  }

  private serve(operation: string, bucket: string, key: string | undefined, body: Buffer, request: IncomingMessage,
    query: URLSearchParams, response: ServerResponse): number {
    if (operation === 'ListObjectsV2') {
      return answerXml(response, 200, listXml(bucket, this.keys(bucket, query.get('prefix') ?? ''), query, this.buckets.get(bucket)));
    }
    if (operation === 'PutObject') {
      this.putObject(bucket, key!, body, String(request.headers['content-type'] ?? 'application/octet-stream'));
      response.writeHead(200, { ETag: '"fake"' }).end();
      return 200;
    }
    if (operation === 'DeleteObject') {
      this.buckets.get(bucket)?.delete(key!);
      response.writeHead(204).end();
      return 204;
    }
    const object = this.object(bucket, key!);
    if (!object) {
      throw new S3Error('NoSuchKey', 'The specified key does not exist.');
    }
    response.writeHead(200, {
      'Content-Type': object.contentType,
      'Content-Length': object.body.length,
      'Last-Modified': object.lastModified.toUTCString(),
      'ETag': '"fake"',
    });
    response.end(operation === 'HeadObject' ? undefined : object.body);
    return 200;
  }
}

const LIST_PARAMETERS = new Set(['list-type', 'prefix', 'max-keys', 'continuation-token', 'start-after', 'delimiter', 'encoding-type', 'fetch-owner']);

function operationOf(method: string, key: string | undefined, query: URLSearchParams): string {
  if (key === undefined) {
    return method === 'GET' && query.get('list-type') === '2' ? 'ListObjectsV2' : 'Unknown';
  }
  return ({ PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as Record<string, string>)[method] ?? 'Unknown';
}

/** ListObjectsV2's answer: up to `max-keys` (1,000 by default) keys after `continuation-token` (or `start-after`). */
function listXml(bucket: string, keys: string[], query: URLSearchParams, objects: Map<string, FakeS3Object> | undefined): string {
  const maxKeys = Number(query.get('max-keys') ?? 1000);
  const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
  const remaining = keys.filter((key) => key > after);
  const page = remaining.slice(0, maxKeys);
  const truncated = remaining.length > page.length;
  const contents = page.map((key) => `<Contents><Key>${escapeXml(key)}</Key><LastModified>${objects!.get(key)!.lastModified.toISOString()}</LastModified>`
    + `<ETag>"fake"</ETag><Size>${objects!.get(key)!.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
  return `<ListBucketResult><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(query.get('prefix') ?? '')}</Prefix>`
    + `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`
    + (truncated ? `<NextContinuationToken>${escapeXml(page[page.length - 1])}</NextContinuationToken>` : '')
    + `${contents}</ListBucketResult>`;
}

function answerError(response: ServerResponse, error: S3Error, headOnly = false): void {
  const status = STATUS[error.code] ?? 400;
  if (headOnly) {
    // S3 answers a HEAD without a body: the SDK names the error by its status (NotFound).
    response.writeHead(status).end();
    return;
  }
  answerXml(response, status, `<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>`);
}

function answerXml(response: ServerResponse, status: number, body: string): number {
  response.writeHead(status, { 'Content-Type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  return status;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
