/**
 * CloudFormation's side of the custom resource protocol: the pre-signed S3 URL a response is PUT to. An HTTPS
 * server on 127.0.0.1 captures every response. Functions reach it under the real response host name
 * (`cloudformation-custom-resource-response-<region>.s3.amazonaws.com`) through their sandbox's network
 * (see `LambdaRuntime`'s `network`), which resolves that name to this server and trusts the certificate made
 * for it at test time: the function's own `https.request` runs unchanged, TLS and all, and nothing outside
 * the sandbox trusts the certificate.
 */
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';
import { SecureContext, createSecureContext } from 'tls';
import { startLocalServer } from './local-server';
import { SelfSignedCertificate, selfSignedCertificate } from './self-signed';

/** One response as CloudFormation received it. */
export interface CapturedResponse {
  /** The `<StackId>|<LogicalResourceId>|<RequestId>` of the URL it was PUT to. */
  readonly objectKey: string;
  /** The raw body (CloudFormation limits it to 4096 bytes). */
  readonly body: string;
  readonly status?: string;
  readonly reason?: string;
  readonly physicalResourceId?: string;
  readonly requestId?: string;
  readonly stackId?: string;
  readonly logicalResourceId?: string;
  readonly noEcho?: boolean;
  readonly data?: Record<string, unknown>;
}

export class ResponseServer {
  public static async start(): Promise<ResponseServer> {
    const responses = new ResponseServer();
    await startLocalServer(responses.server);
    return responses;
  }

  /** Every response received, in order. */
  public readonly received: CapturedResponse[] = [];
  private readonly server: Server;
  private readonly certificates = new Map<string, SelfSignedCertificate & { context: SecureContext }>();
  private faults: Array<{ readonly status: number; remaining: number }> = [];

  private constructor() {
    this.server = createServer({
      SNICallback: (servername, callback) => callback(null, this.certificates.get(servername)?.context),
    }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'PUT') {
          response.writeHead(405).end();
          return;
        }
        const fault = this.faults[0];
        if (fault) {
          if (--fault.remaining <= 0) {
            this.faults.shift();
          }
          response.writeHead(fault.status, { 'content-length': 0 }).end();
          return;
        }
        const url = new URL(request.url ?? '/', 'https://localhost');
        this.received.push(parse(decodeURIComponent(url.pathname.slice(1)), Buffer.concat(chunks).toString('utf8')));
        // S3's answer to a PUT of an object.
        response.writeHead(200, { 'content-length': 0 }).end();
      });
    });
  }

  /** Serves `hostname` (with a certificate made for it). */
  public addHost(hostname: string): void {
    if (!this.certificates.has(hostname)) {
      const certificate = selfSignedCertificate(hostname);
      this.certificates.set(hostname, { ...certificate, context: createSecureContext(certificate) });
    }
  }

  /** Where the sandbox's connections to `hostname` go, if this server serves it. */
  public route(hostname: string): { port: number; ca: string } | undefined {
    const certificate = this.certificates.get(hostname);
    return certificate && { port: (this.server.address() as AddressInfo).port, ca: certificate.cert };
  }

  /** The next `times` PUTs are refused with `status` (S3 failing), and not captured. */
  public injectFault(fault: { readonly status: number; readonly times?: number }): void {
    this.faults.push({ status: fault.status, remaining: fault.times ?? 1 });
  }

  /** Forgets the faults not yet consumed. */
  public clearFaults(): void {
    this.faults = [];
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

function parse(objectKey: string, body: string): CapturedResponse {
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(body);
  } catch {
    // CloudFormation fails the resource on a body it cannot read; the driver reports it.
  }
  return {
    objectKey,
    body,
    status: json.Status,
    reason: json.Reason,
    physicalResourceId: json.PhysicalResourceId,
    requestId: json.RequestId,
    stackId: json.StackId,
    logicalResourceId: json.LogicalResourceId,
    noEcho: json.NoEcho,
    data: json.Data,
  };
}
