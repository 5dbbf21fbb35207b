/**
 * A local emulation of the parts of the AWS Lambda API a function of the stack may call to invoke another, those
 * aws-cdk-lib's Provider framework calls (its `outbound.js`), for stacks that have one (the lifecycle driver itself
 * invokes a ServiceToken's function directly, not through this API): Invoke,
 * and GetFunction / GetFunctionConfiguration, which its `waitUntilFunctionActiveV2` polls before it retries a
 * failed Invoke. An HTTP server on 127.0.0.1 speaking Lambda's restJson1 wire format, so the framework's own
 * `@aws-sdk/client-lambda` reaches it through `AWS_ENDPOINT_URL_LAMBDA`. Invoke runs the function with a
 * `LambdaRuntime` and answers as Lambda does: 200 with the result as the payload, or, for a function error,
 * 200 with `X-Amz-Function-Error: Unhandled` and the runtime's `{errorType, errorMessage, trace}`.
 */
import { randomUUID } from 'crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { LambdaFunction, LambdaRuntime } from './lambda-runtime';
import { startLocalServer } from './local-server';

export type LambdaOperation = 'Invoke' | 'GetFunction' | 'GetFunctionConfiguration';

export interface LambdaFaultSpec {
  /** @default 'Invoke' */
  readonly operation?: LambdaOperation;
  /**
   * Sent in `x-amzn-ErrorType`, e.g. 'ResourceConflictException' (a function still Pending), 'ServiceException'.
   * @default - no error: the call proceeds after `delayMs`
   */
  readonly errorType?: string;
  /** @default - Lambda's status for the error type (ResourceConflictException 409, TooManyRequestsException 429, ...) */
  readonly status?: number;
  /** @default 'Injected fault: <errorType>' */
  readonly message?: string;
  /** @default 1 */
  readonly times?: number;
  /** Wait this long before answering (or proceeding). @default 0 */
  readonly delayMs?: number;
}

export interface LambdaCall {
  readonly operation: LambdaOperation | string;
  /** As given in the path: a name or an ARN. */
  readonly functionName: string;
  status: number;
  errorType?: string;
  /** `Unhandled` when the function failed. */
  functionError?: string;
}

const ERROR_STATUS: Readonly<Record<string, number>> = {
  InvalidRequestContentException: 400,
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  TooManyRequestsException: 429,
  ServiceException: 500,
};

export class LambdaApi {
  public static async start(functions: (nameOrArn: string) => LambdaFunction | undefined, runtime: () => LambdaRuntime): Promise<LambdaApi> {
    const api = new LambdaApi(functions, runtime);
    await startLocalServer(api.server);
    return api;
  }

  /** Every request, in arrival order. */
  public readonly calls: LambdaCall[] = [];
  /** Asynchronous invocations (`InvocationType: Event`) still running. */
  private readonly background = new Set<Promise<unknown>>();
  private readonly server: Server;
  private faults: Array<{
    readonly operation: string;
    readonly error?: { readonly errorType: string; readonly status: number; readonly message: string };
    readonly delayMs: number;
    remaining: number;
  }> = [];

  private constructor(
    private readonly functions: (nameOrArn: string) => LambdaFunction | undefined,
    private readonly runtime: () => LambdaRuntime,
  ) {
    this.server = createServer((request, response) => {
      this.serve(request, response).catch((error: Error) => {
        respondError(response, 'ServiceException', 500, `lambda emulation failed: ${error.stack}`);
      });
    });
  }

  /** For `AWS_ENDPOINT_URL_LAMBDA`. */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `times` calls of the operation wait `delayMs`, then fail with the error (if any). */
  public injectFault(fault: LambdaFaultSpec): void {
    const { errorType } = fault;
    const status = errorType === undefined ? undefined : fault.status ?? ERROR_STATUS[errorType];
    if (errorType !== undefined && status === undefined) {
      throw new Error(`injectFault: give a status for error type ${errorType}`);
    }
    this.faults.push({
      operation: fault.operation ?? 'Invoke',
      error: errorType === undefined ? undefined : { errorType, status: status!, message: fault.message ?? `Injected fault: ${errorType}` },
      delayMs: fault.delayMs ?? 0,
      remaining: fault.times ?? 1,
    });
  }

  public clearFaults(): void {
    this.faults = [];
  }

  /** Resolves once every asynchronous invocation made so far (and those they made) has finished. */
  public async settled(): Promise<void> {
    while (this.background.size > 0) {
      await Promise.allSettled([...this.background]);
    }
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/2015-03-31\/functions\/([^/]+)(\/invocations|\/configuration)?$/.exec(url.pathname);
    const operation = !match ? `${request.method} ${url.pathname}`
      : match[2] === '/invocations' && request.method === 'POST' ? 'Invoke'
        : match[2] === '/configuration' && request.method === 'GET' ? 'GetFunctionConfiguration'
          : !match[2] && request.method === 'GET' ? 'GetFunction' : `${request.method} ${url.pathname}`;
    const call: LambdaCall = { operation, functionName: match ? decodeURIComponent(match[1]) : '', status: 0 };
    this.calls.push(call);
    const fail = (errorType: string, status: number, message: string) => {
      call.status = status;
      call.errorType = errorType;
      respondError(response, errorType, status, message);
    };
    const fault = this.faults.find(f => f.operation === operation);
    if (fault) {
      if (--fault.remaining <= 0) {
        this.faults.splice(this.faults.indexOf(fault), 1);
      }
      await new Promise(resolve => setTimeout(resolve, fault.delayMs));
      if (fault.error) {
        fail(fault.error.errorType, fault.error.status, fault.error.message);
        return;
      }
    }
    if (!match || !['Invoke', 'GetFunction', 'GetFunctionConfiguration'].includes(operation)) {
      fail('UnknownOperationException', 404, `The lambda emulation does not serve ${request.method} ${url.pathname}`);
      return;
    }
    const found = this.functions(call.functionName);
    // a function invoked here may call Lambda itself (our handler invokes itself in the background): here too.
    const fn = found && { ...found, environment: { ...found.environment, AWS_ENDPOINT_URL_LAMBDA: this.endpoint } };
    if (!fn) {
      fail('ResourceNotFoundException', 404, `Function not found: ${call.functionName}`);
      return;
    }
    if (operation !== 'Invoke') {
      const configuration = {
        FunctionName: fn.functionName,
        FunctionArn: fn.arn,
        Runtime: fn.runtime,
        Handler: fn.handler,
        Timeout: fn.timeoutSeconds,
        MemorySize: fn.memorySize,
        Version: '$LATEST',
        State: 'Active',
        LastUpdateStatus: 'Successful',
        PackageType: 'Zip',
      };
      call.status = 200;
      respondJson(response, 200, operation === 'GetFunction' ? { Configuration: configuration } : configuration);
      return;
    }
    let payload: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      fail('InvalidRequestContentException', 400, 'Could not parse request body into json');
      return;
    }
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType === 'DryRun') {
      call.status = 204;
      response.writeHead(204).end();
      return;
    }
    const requestId = randomUUID();
    const outcome = this.runtime().invoke(fn, payload, requestId);
    if (invocationType === 'Event') {
      const running = outcome.finally(() => this.background.delete(running));
      this.background.add(running);
      call.status = 202;
      response.writeHead(202, { 'x-amzn-RequestId': requestId }).end();
      return;
    }
    const result = await outcome;
    call.status = 200;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'X-Amz-Executed-Version': '$LATEST' };
    if (result.ok) {
      response.writeHead(200, headers).end(JSON.stringify(result.payload));
      return;
    }
    call.functionError = 'Unhandled';
    const { errorType, errorMessage, trace } = result;
    response.writeHead(200, { ...headers, 'X-Amz-Function-Error': 'Unhandled' })
      .end(JSON.stringify({ errorType, errorMessage, ...(trace ? { trace } : {}) }));
  }
}

function respondJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID() }).end(JSON.stringify(body));
}

/** Lambda's error shape: the type in `x-amzn-ErrorType`, `{"Type": "User", "message": ...}` in the body. */
function respondError(response: ServerResponse, errorType: string, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': errorType, 'x-amzn-RequestId': randomUUID() })
    .end(JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }));
}
