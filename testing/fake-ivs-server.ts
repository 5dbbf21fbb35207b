/**
 * A local fake of the Amazon IVS Real-Time API for tests: an HTTP server on 127.0.0.1 that speaks the
 * service's restJson1 wire format, so the real `@aws-sdk/client-ivs-realtime` client (and the handlers
 * using it) runs unchanged against it.
 *
 *   const fake = await FakeIvsServer.start({ knownBuckets: ['my-bucket'] });
 *   process.env.AWS_ENDPOINT_URL_IVS_REALTIME = fake.endpoint;   // or new IVSRealTimeClient({ endpoint: fake.endpoint })
 *   ...
 *   expect(fake.resourceCount()).toBe(0);
 *   await fake.stop();
 *
 * Wire format: every operation is `POST /<Operation>` with a JSON body, except tagging:
 * `POST|GET|DELETE /tags/{url-encoded arn}` (untag keys as repeated `?tagKeys=`). Errors carry the
 * `x-amzn-ErrorType` header and a `{"exceptionMessage": "..."}` body. SigV4 is not checked.
 *
 * Behaviour:
 * - Every request is validated against `ivs-realtime-api-constraints.json` (types, required members,
 *   lengths, anchored patterns, ranges, enums, list/map sizes, unknown members at any depth) and the
 *   documented-only rules (RTMP needs insecureIngest, 1 KB attribute limits, one of channel/s3 per
 *   destination, grid XOR pip, EC P-256/P-384 public keys, no `aws:` tag keys); all violations are
 *   reported in one ValidationException naming each member path and rule. The model's broken
 *   `ResourceArn` pattern is replaced by a check for a well-formed ARN of an IVS Real-Time resource type.
 * - Stages, storage/encoder/ingest configurations, public keys and compositions live in memory with the
 *   service's defaults, references (ValidationException at create time for a missing stage or storage
 *   configuration; ResourceNotFoundException in StartComposition), in-use conflicts on delete, ingest
 *   ACTIVE/INACTIVE rules, StartComposition idempotency tokens and tags (50 per resource after merging).
 *   UpdateStage leaves omitted top-level members unchanged, replaces a given
 *   autoParticipantRecordingConfiguration (defaults filled; an empty storage ARN turns recording off and
 *   resets the rest) and refuses to change it while a session records (ConflictException).
 *   UpdateIngestConfiguration likewise leaves an omitted stageArn unchanged. DeleteStage ends the stage's
 *   session and stops its compositions.
 * - Operations of the model that the fake does not model answer 500 InternalServerException
 *   "fake does not implement <Operation>", so missing coverage is obvious.
 *
 * Test API:
 * - `FakeIvsServer.start(options?)`, `endpoint`, `stop()`, `reset()` (state, call log, faults, throttle
 *   count and rate limit back to how `start` left them).
 * - State, read-only Maps keyed by ARN with Get-response-shaped values (tags included): `stages`,
 *   `storageConfigurations`, `encoderConfigurations`, `ingestConfigurations`, `publicKeys`,
 *   `compositions`; `stageSessions` (stage ARN → sessions); `resourceCount()` counts the five resource
 *   types (not compositions).
 * - Quotas (on by default, `ServiceQuotas`): 1,000 stages, 20 encoder configurations, 5 compositions not yet stopped
 *   per account and 5 per stage answer ServiceQuotaExceededException (402) beyond; a publish beyond 12 publishers in
 *   a stage or 1,000 in the Region is refused (the hook throws); `options.quotas` or `setQuotas(...)` change them.
 *   (Destinations per composition, 2, are the model's limit: a ValidationException.)
 * - Compositions run until StopComposition, DeleteStage, or a minute (`options.compositionIdleTimeoutMs`,
 *   `setCompositionIdleTimeout(ms)`) after their stage has no connected participant (from their start, if it had
 *   none then), as the StartComposition docs say; until then DeleteEncoderConfiguration and
 *   DeleteStorageConfiguration of what they use answer ConflictException.
 * - Hooks for what only IVS itself does: `startStageSession(stageArn)` → `st-…` id (sets the stage's
 *   activeSessionId), `endStageSession(stageArn)` (disconnects its participants), `setIngestState(arn, 'ACTIVE' |
 *   'INACTIVE')`, `joinParticipant(stageArn, { published?, userId? })` → participant id in the active session,
 *   `setParticipantPublished(stageArn, participantId, published)`, `leaveParticipant(stageArn, participantId)` (the
 *   last participant leaving ends the session at once: IVS ends it some time later); ListParticipants reads them.
 * - Call log: `calls` (every request in arrival order, rejected ones included: `{ operation, input,
 *   status, errorType?, lostAnswer? }`, status 0 while still in flight, -1 once a lost answer's connection
 *   dropped), `callsTo(operation)`.
 * - Faults, consumed first-matching-first, one per request, before rate limiting and validation:
 *   `injectFault({ operation?, errorType, status?, message?, times?, fraction?, delayMs? })` (status defaults from
 *   the error type), `injectDelay({ operation?, delayMs, times?, fraction? })`. After the request took effect:
 *   `injectLostAnswer({ operation?, answer: 'error' | 'reset' | 'timeout', times?, fraction? })` (a 500, a reset
 *   connection, or no answer at all). `times` defaults to 1 (`Infinity` for "always"), or to every matching call
 *   when `fraction` is given: then each call draws from randomness seeded by `options.seed` (`reset` reseeds).
 *   `clearFaults()` forgets them and drops the connections of answers held back.
 * - Rate limiting (on by default): IVS Real-Time's quotas per operation in any sliding second (most operations
 *   5, CreateParticipantToken 50, public key operations 3, ListTagsForResource / TagResource / UntagResource 10);
 *   the excess gets 429 ThrottlingException and counts in `throttledCount`. `options.rateLimits` ('service' |
 *   'none' | per operation) or `setRateLimits(...)`; `options.rateLimitPerSecond` or `setRateLimit(n | undefined)`
 *   for one limit for every operation (undefined: none).
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_STATUS, IvsServiceError, validationError } from './fake-ivs/errors';
import {
  FakeComposition,
  FakeEncoderConfiguration,
  FakeIngestConfiguration,
  FakeIvsService,
  FakeParticipant,
  FakePublicKey,
  FakeStage,
  FakeStageSession,
  FakeStorageConfiguration,
  IngestState,
  ServiceQuotas,
} from './fake-ivs/service';
import { OPERATIONS, validateInput } from './fake-ivs/validation';
import { RateWindow } from './rate-window';

export type {
  FakeComposition,
  FakeDestination,
  FakeEncoderConfiguration,
  FakeIngestConfiguration,
  FakeParticipant,
  FakePublicKey,
  FakeStage,
  FakeStageSession,
  FakeStorageConfiguration,
  IngestState,
  ServiceQuotas,
  Tags,
} from './fake-ivs/service';
export { COMPOSITION_IDLE_TIMEOUT_MS, DEFAULT_QUOTAS } from './fake-ivs/service';

export interface FakeIvsServerOptions {
  /** Region in generated ARNs and stream keys. @default 'us-east-1' */
  readonly region?: string;
  /** Account in generated ARNs and stream keys. @default '123456789012' */
  readonly accountId?: string;
  /** When set, CreateStorageConfiguration answers ValidationException for any other bucket. @default - any bucket */
  readonly knownBuckets?: readonly string[];
  /**
   * Accepted requests per sliding second for every operation alike, instead of `rateLimits`; the excess is throttled.
   * @default - `rateLimits`
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Accepted requests per operation per sliding second: 'service' for IVS Real-Time's own quotas (most operations 5,
   * CreateParticipantToken 50, public key operations 3, tag operations 10), 'none', or a limit per operation
   * (others: the service's). @default 'service'
   */
  readonly rateLimits?: RateLimits;
  /** Resource quotas (ServiceQuotaExceededException, 402). @default DEFAULT_QUOTAS: 20 encoder configurations, 5 compositions at once */
  readonly quotas?: Partial<ServiceQuotas>;
  /** How long a composition outlives the last participant of its stage. @default 60 000 (IVS: one minute) */
  readonly compositionIdleTimeoutMs?: number;
  /** The service's time (ms since the epoch), which dates sessions and compositions. @default Date.now */
  readonly now?: () => number;
  /** Seeds the randomness of faults given as a `fraction` of calls. @default 1 */
  readonly seed?: number;
}

export type RateLimits = 'service' | 'none' | Readonly<Record<string, number>>;

export interface RecordedCall {
  /** The operation name, or `<METHOD> <path>` for a request that matches no operation. */
  readonly operation: string;
  /** Body members merged with URI and query members (e.g. `resourceArn`, `tagKeys`), as received. */
  readonly input: Record<string, unknown>;
  /** HTTP status of the answer; 0 while the request is still being served; -1 when none was sent (the connection dropped). */
  status: number;
  errorType?: string;
  /** Set when the request took effect but its answer was lost (see `injectLostAnswer`). */
  lostAnswer?: LostAnswer;
}

export interface FaultSpec {
  /** Operation to fail. @default - any operation */
  readonly operation?: string;
  /** Sent in `x-amzn-ErrorType`, e.g. 'ThrottlingException', 'InternalServerException'. */
  readonly errorType: string;
  /** @default - the status the service uses for errorType (ThrottlingException 429, ...) */
  readonly status?: number;
  /** @default 'Injected fault: <errorType>' */
  readonly message?: string;
  /** @default 1, or every matching call when `fraction` is given */
  readonly times?: number;
  /** Only this fraction of the matching calls, drawn with the server's seeded randomness. @default 1 */
  readonly fraction?: number;
  /** Wait this long before answering. @default 0 */
  readonly delayMs?: number;
}

export interface DelaySpec {
  /** @default - any operation */
  readonly operation?: string;
  readonly delayMs: number;
  /** @default 1, or every matching call when `fraction` is given */
  readonly times?: number;
  /** @default 1 */
  readonly fraction?: number;
}

/**
 * What the client gets instead of the answer to a request that took effect: a 500 InternalServerException, a reset
 * connection, or nothing at all ('timeout': the connection is held open until the client gives up, or until
 * `clearFaults`, `reset` or `stop` drops it).
 */
export type LostAnswer = 'error' | 'reset' | 'timeout';

export interface LostAnswerSpec {
  /** @default - any operation */
  readonly operation?: string;
  readonly answer: LostAnswer;
  /** @default 1, or every matching call when `fraction` is given */
  readonly times?: number;
  /** @default 1 */
  readonly fraction?: number;
}

interface QueuedFault {
  readonly operation?: string;
  readonly delayMs: number;
  /** Absent for a pure delay: the request then proceeds normally. */
  readonly error?: IvsServiceError;
  /** After the request took effect, instead of before it. */
  readonly lostAnswer?: LostAnswer;
  readonly fraction: number;
  remaining: number;
}

interface Route {
  readonly operation: string;
  readonly method: string;
  readonly path: RegExp;
  /** Input members bound to the URI path, in capture-group order. */
  readonly uriMembers: readonly string[];
  /** Input members bound to the query string, with whether they are lists. */
  readonly queryMembers: readonly { member: string; parameter: string; isList: boolean }[];
}

function buildRoutes(): Route[] {
  return [...OPERATIONS].map(([operation, spec]) => {
    const uriMembers: string[] = [];
    const pattern = spec.uri.replace(/\{(\w+)\}/g, (_label, name: string) => {
      uriMembers.push(name);
      return '([^/]+)';
    });
    const queryMembers = spec.members.flatMap((member) =>
      member.location?.startsWith('querystring:')
        ? [{ member: member.path, parameter: member.location.slice('querystring:'.length), isList: member.type === 'list' }]
        : []);
    return { operation, method: spec.method, path: new RegExp(`^${pattern}$`), uriMembers, queryMembers };
  });
}

const ROUTES = buildRoutes();
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT_ID = '123456789012';

/** IVS Real-Time's API rate quotas, requests per second (User Guide, "Service Quotas"; not adjustable). */
export function serviceRateLimit(operation: string): number {
  if (operation === 'CreateParticipantToken') return 50;
  if (/PublicKey/.test(operation)) return 3;
  if (['ListTagsForResource', 'TagResource', 'UntagResource'].includes(operation)) return 10;
  return 5;
}

/** A small seeded generator (mulberry32): the same seed, the same faults. */
/* eslint-disable no-bitwise -- mulberry32 is bit arithmetic */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeIvsServer {
  /** Starts a server on an ephemeral port of 127.0.0.1. */
  static async start(options: FakeIvsServerOptions = {}): Promise<FakeIvsServer> {
    const fake = new FakeIvsServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  readonly region: string;
  readonly accountId: string;

  private readonly server: Server;
  private readonly service: FakeIvsService;
  private readonly recordedCalls: RecordedCall[] = [];
  private faults: QueuedFault[] = [];
  private rateLimit: (operation: string) => number | undefined;
  /** Per operation, the times of the requests accepted within the current window. */
  private readonly rateWindow = new RateWindow();
  private throttled = 0;
  private random: () => number;
  /** Answers held back by a 'timeout' lost answer, with their calls. */
  private readonly held = new Map<ServerResponse, RecordedCall>();

  private constructor(private readonly options: FakeIvsServerOptions) {
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.rateLimit = FakeIvsServer.rateLimiter(options);
    this.random = seededRandom(options.seed ?? 1);
    this.service = new FakeIvsService({
      region: this.region,
      accountId: this.accountId,
      knownBuckets: options.knownBuckets,
      quotas: options.quotas,
      compositionIdleTimeoutMs: options.compositionIdleTimeoutMs,
      now: options.now,
    });
    this.server = createServer((request, response) => {
      this.serve(request, response).catch((error: Error) => {
        // A bug in the fake must surface in the test, not hang the client.
        if (response.headersSent) response.destroy(error);
        else this.respondError(response, new IvsServiceError('InternalServerException', 500, `fake IVS server failed: ${error.stack}`));
      });
    });
  }

  /** Base URL for the SDK's `endpoint` option or `AWS_ENDPOINT_URL_IVS_REALTIME`, e.g. `http://127.0.0.1:40123`. */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  private static rateLimiter(options: { rateLimitPerSecond?: number; rateLimits?: RateLimits }): (operation: string) => number | undefined {
    const { rateLimitPerSecond, rateLimits = 'service' } = options;
    if (rateLimitPerSecond !== undefined) return () => rateLimitPerSecond;
    if (rateLimits === 'none') return () => undefined;
    if (rateLimits === 'service') return serviceRateLimit;
    return (operation) => rateLimits[operation] ?? serviceRateLimit(operation);
  }

  async stop(): Promise<void> {
    this.service.clearTimers();
    this.releaseHeld();
    // The SDK keeps connections alive; without this, close() would wait for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  reset(): void {
    this.service.reset();
    this.recordedCalls.length = 0;
    this.clearFaults();
    this.rateWindow.clear();
    this.throttled = 0;
    this.rateLimit = FakeIvsServer.rateLimiter(this.options);
    this.random = seededRandom(this.options.seed ?? 1);
  }

  get stages(): ReadonlyMap<string, FakeStage> { return this.service.stages; }
  get storageConfigurations(): ReadonlyMap<string, FakeStorageConfiguration> { return this.service.storageConfigurations; }
  get encoderConfigurations(): ReadonlyMap<string, FakeEncoderConfiguration> { return this.service.encoderConfigurations; }
  get ingestConfigurations(): ReadonlyMap<string, FakeIngestConfiguration> { return this.service.ingestConfigurations; }
  get publicKeys(): ReadonlyMap<string, FakePublicKey> { return this.service.publicKeys; }
  get compositions(): ReadonlyMap<string, FakeComposition> { return this.service.compositions; }
  get stageSessions(): ReadonlyMap<string, readonly FakeStageSession[]> { return this.service.stageSessions; }
  /** Session id → the participants who joined it. */
  get participants(): ReadonlyMap<string, readonly FakeParticipant[]> { return this.service.participants; }

  /** Stages, storage, encoder and ingest configurations and public keys that exist: 0 when nothing is left behind. */
  resourceCount(): number {
    return this.stages.size + this.storageConfigurations.size + this.encoderConfigurations.size
      + this.ingestConfigurations.size + this.publicKeys.size;
  }

  get calls(): readonly RecordedCall[] { return this.recordedCalls; }

  callsTo(operation: string): RecordedCall[] {
    return this.recordedCalls.filter((call) => call.operation === operation);
  }

  /** Starts a session on the stage, as participants joining would; returns its id (`st-` + 13 characters). */
  startStageSession(stageArn: string): string { return this.service.startStageSession(stageArn); }

  endStageSession(stageArn: string): void { this.service.endStageSession(stageArn); }

  /** A participant joins the stage's active session (publishing or not), as a client would; returns its id. */
  joinParticipant(stageArn: string, options: { published?: boolean; userId?: string } = {}): string {
    return this.service.joinParticipant(stageArn, options);
  }

  /** A connected participant starts or stops publishing. */
  setParticipantPublished(stageArn: string, participantId: string, published: boolean): void {
    this.service.setParticipantPublished(stageArn, participantId, published);
  }

  /**
   * A participant disconnects; the last one leaving ends the stage's session (at once; IVS ends it some time later).
   * The stage's compositions stop once it has had nobody for the idle timeout.
   */
  leaveParticipant(stageArn: string, participantId: string): void {
    this.service.leaveParticipant(stageArn, participantId);
  }

  /** Changes quotas from now on (`reset` restores the options'). */
  setQuotas(quotas: Partial<ServiceQuotas>): void {
    this.service.setQuotas(quotas);
  }

  /** How long compositions that become idle from now on outlive their stage's last participant. */
  setCompositionIdleTimeout(ms: number): void {
    this.service.setCompositionIdleTimeout(ms);
  }

  /** Marks an ingest configuration as streaming (ACTIVE) or idle, as an encoder connecting would. */
  setIngestState(arn: string, state: IngestState): void { this.service.setIngestState(arn, state); }

  injectFault(fault: FaultSpec): void {
    const status = fault.status ?? ERROR_STATUS[fault.errorType];
    if (status === undefined) throw new Error(`injectFault: give a status for error type ${fault.errorType}`);
    this.queueFault(fault, {
      delayMs: fault.delayMs ?? 0,
      error: new IvsServiceError(fault.errorType, status, fault.message ?? `Injected fault: ${fault.errorType}`),
    });
  }

  injectDelay(delay: DelaySpec): void {
    this.queueFault(delay, { delayMs: delay.delayMs });
  }

  /**
   * The request takes effect, but its answer is lost: the client sees a 500, a reset connection or no answer, and
   * (the SDK retrying all three) may send it again. Requests the service refuses are answered as usual.
   */
  injectLostAnswer(spec: LostAnswerSpec): void {
    this.queueFault(spec, { delayMs: 0, lostAnswer: spec.answer });
  }

  /** Queues `effect` for the spec's operation, as many times (or as often) as the spec says. */
  private queueFault(spec: Pick<DelaySpec, 'operation' | 'times' | 'fraction'>, effect: Pick<QueuedFault, 'delayMs' | 'error' | 'lostAnswer'>): void {
    this.faults.push({
      operation: spec.operation,
      ...effect,
      fraction: spec.fraction ?? 1,
      remaining: spec.times ?? (spec.fraction === undefined ? 1 : Infinity),
    });
  }

  /** Forgets the faults not yet consumed, and drops the connections of answers held back (the clients see a reset). */
  clearFaults(): void {
    this.faults = [];
    this.releaseHeld();
  }

  private releaseHeld(): void {
    this.held.forEach((call, response) => {
      call.status = -1;
      response.socket?.destroy();
    });
    this.held.clear();
  }

  /** The same limit for every operation, or none (undefined); `setRateLimits` for a limit per operation. */
  setRateLimit(requestsPerSecond: number | undefined): void {
    this.setRateLimits(requestsPerSecond === undefined ? 'none' : {}, requestsPerSecond);
  }

  setRateLimits(limits: RateLimits, everyOperation?: number): void {
    this.rateLimit = FakeIvsServer.rateLimiter({ rateLimits: limits, rateLimitPerSecond: everyOperation });
    this.rateWindow.clear();
  }

  /** Requests answered 429 by the rate limiter (injected 429 faults not included). */
  get throttledCount(): number { return this.throttled; }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = ROUTES.find((candidate) => candidate.method === request.method && candidate.path.test(url.pathname));
    if (!route) {
      const call: RecordedCall = { operation: `${request.method} ${url.pathname}`, input: {}, status: 0 };
      this.recordedCalls.push(call);
      this.finish(call, response, new IvsServiceError('UnknownOperationException', 404, `No IVS Real-Time operation is ${request.method} ${url.pathname}`));
      return;
    }

    let input: Record<string, unknown>;
    let parseError: IvsServiceError | undefined;
    try {
      input = this.parseInput(route, url, body);
    } catch (error) {
      input = {};
      parseError = validationError([(error as Error).message]);
    }
    const call: RecordedCall = { operation: route.operation, input: structuredClone(input), status: 0 };
    this.recordedCalls.push(call);
    if (parseError) {
      this.finish(call, response, parseError);
      return;
    }

    const fault = this.takeFault(route.operation, false);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.error) {
      this.finish(call, response, fault.error);
      return;
    }
    if (this.isThrottled(route.operation)) {
      this.throttled++;
      this.finish(call, response, new IvsServiceError('ThrottlingException', 429, `Rate exceeded for ${route.operation}`));
      return;
    }
    if (!this.service.implements(route.operation)) {
      this.finish(call, response, new IvsServiceError('InternalServerException', 500, `fake does not implement ${route.operation}`));
      return;
    }
    const violations = validateInput(route.operation, input);
    if (violations.length > 0) {
      this.finish(call, response, validationError(violations));
      return;
    }
    let output: object;
    try {
      output = this.service.invoke(route.operation, input);
    } catch (error) {
      this.finish(call, response, error instanceof IvsServiceError
        ? error
        : new IvsServiceError('InternalServerException', 500, `fake IVS server failed: ${(error as Error).stack}`));
      return;
    }
    const lost = this.takeFault(route.operation, true)?.lostAnswer;
    if (lost) {
      call.lostAnswer = lost;
      this.loseAnswer(call, response, lost);
      return;
    }
    call.status = 200;
    response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID() });
    // Dates serialize as ISO 8601 date-time, the restJson1 default the SDK parses for `Time` members.
    response.end(JSON.stringify(output));
  }

  private loseAnswer(call: RecordedCall, response: ServerResponse, lost: LostAnswer): void {
    if (lost === 'error') {
      this.finish(call, response, new IvsServiceError('InternalServerException', 500, 'Internal server error'));
      return;
    }
    response.on('close', () => {
      this.held.delete(response);
      call.status = -1;
    });
    if (lost === 'reset') {
      call.status = -1;
      response.socket?.destroy();
    } else {
      this.held.set(response, call);
    }
  }

  private parseInput(route: Route, url: URL, body: string): Record<string, unknown> {
    let parsed: unknown = {};
    if (body.trim() !== '') {
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new Error('The request body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('The request body must be a JSON object');
      }
    }
    const input: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
    const captures = route.path.exec(url.pathname)!.slice(1);
    route.uriMembers.forEach((member, index) => {
      input[member] = decodeURIComponent(captures[index]);
    });
    for (const { member, parameter, isList } of route.queryMembers) {
      // An absent parameter stays absent, so a required one is reported as missing.
      if (url.searchParams.has(parameter)) {
        input[member] = isList ? url.searchParams.getAll(parameter) : url.searchParams.get(parameter);
      }
    }
    return input;
  }

  /** The first fault for the operation of the kind asked (lost answers, or the others), if this call draws it. */
  private takeFault(operation: string, lostAnswer: boolean): QueuedFault | undefined {
    const fault = this.faults.find((candidate) => (candidate.operation === undefined || candidate.operation === operation)
      && (candidate.lostAnswer !== undefined) === lostAnswer);
    if (!fault || (fault.fraction < 1 && this.random() >= fault.fraction)) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private isThrottled(operation: string): boolean {
    return !this.rateWindow.admit(operation, this.rateLimit(operation));
  }

  private finish(call: RecordedCall, response: ServerResponse, error: IvsServiceError): void {
    call.status = error.status;
    call.errorType = error.errorType;
    this.respondError(response, error);
  }

  private respondError(response: ServerResponse, error: IvsServiceError): void {
    response.writeHead(error.status, {
      'content-type': 'application/json',
      'x-amzn-ErrorType': error.errorType,
      'x-amzn-RequestId': randomUUID(),
    });
    response.end(JSON.stringify({ exceptionMessage: error.message }));
  }
}
