/**
 * What every local fake of an awsJson1.1 (or 1.0) service shares: an HTTP server on 127.0.0.1 that takes `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>` and a JSON body, and answers JSON (errors as `{"__type", "message"}`), so the
 * service's real AWS SDK client runs unchanged against it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A service's error answer: `{"__type": errorType, "message", ...fields}` with `status`. */
export class JsonServiceError extends Error {
  /** `fields`: the error's other members, such as DynamoDB's `Item` of a failed condition. */
  constructor(readonly errorType: string, message: string, readonly status = 400, readonly fields: object = {}) {
    super(message);
  }
}

/** How a service's answers differ between the awsJson protocols. */
export interface JsonProtocol {
  /** The `x-amz-json-<version>` content type. */
  readonly version: '1.0' | '1.1';
  /** Prefixed to `__type` as `<namespace>#<errorType>` (the SDK reads the part after `#`). @default - the bare type */
  readonly errorNamespace?: string;
}

const JSON_1_1: JsonProtocol = { version: '1.1' };

/** A fault a test injects: for one operation or any, consumed first-match-first, `times` times (Infinity: always). */
export interface InjectedFault<Operation extends string> {
  readonly operation?: Operation;
  readonly errorType: string;
  /** @default 1 */
  readonly times?: number;
}

/** The faults injected into a fake and not consumed yet. */
export class InjectedFaults<Operation extends string> {
  private pending: (InjectedFault<Operation> & { remaining: number })[] = [];

  add(fault: InjectedFault<Operation>): void {
    this.pending.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.pending = [];
  }

  /** The error type of the first fault for `operation` still pending, which it consumes; undefined if none. */
  take(operation: string): string | undefined {
    const fault = this.pending.find((candidate) => candidate.remaining > 0 && (candidate.operation ?? operation) === operation);
    if (fault) {
      fault.remaining--;
    }
    return fault?.errorType;
  }
}

/** A call as a fake records it: its answer's status (0 until answered), and error type. */
export interface AnsweredCall {
  status: number;
  errorType?: string;
}

export abstract class JsonTargetServer {
  private readonly server: Server;

  /** `internalErrorType` is what a bug in the fake is answered as (a 500): it must fail the test, not hang the client. */
  protected constructor(private readonly targetPrefix: string, internalErrorType: string, private readonly protocol = JSON_1_1) {
    this.server = createServer((request, response) => void this.receive(request, response)
      .catch((error: Error) => this.answerError(response, new JsonServiceError(internalErrorType, `fake failed: ${error.stack}`, 500))));
    // Node closes idle connections after 5 s, and a client that sent nothing for longer (a synth in between) would then
    // reuse a closed one: the services keep them open far longer.
    this.server.keepAliveTimeout = 60_000;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Lets the process exit while the server runs (for one a test helper starts on its own, such as the lifecycle driver's). */
  unref(): this {
    this.server.unref();
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Starts listening on a free port: each fake's static `start()` calls it. */
  protected async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Serves one call of `operation` (the target without its prefix), answering with `answerJson`. */
  protected abstract serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void>;

  /** Answers with what `run` returns, or the `JsonServiceError` it throws, and records the answer on `call`. */
  protected answer(call: AnsweredCall, response: ServerResponse, run: () => object): void {
    try {
      const output = run();
      call.status = 200;
      answerJson(response, 200, output, this.protocol.version);
    } catch (error) {
      if (!(error instanceof JsonServiceError)) {
        throw error;
      }
      call.status = error.status;
      call.errorType = error.errorType;
      this.answerError(response, error);
    }
  }

  private answerError(response: ServerResponse, error: JsonServiceError): void {
    const { errorNamespace, version } = this.protocol;
    const type = errorNamespace ? `${errorNamespace}#${error.errorType}` : error.errorType;
    answerJson(response, error.status, { __type: type, message: error.message, ...error.fields }, version);
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const operation = String(request.headers['x-amz-target'] ?? '').replace(`${this.targetPrefix}.`, '');
    await this.serve(operation, input, response);
  }
}

export function answerJson(response: ServerResponse, status: number, body: object, version: JsonProtocol['version'] = '1.1'): void {
  response.writeHead(status, { 'Content-Type': `application/x-amz-json-${version}`, 'x-amzn-RequestId': randomUUID() });
  response.end(JSON.stringify(body));
}
