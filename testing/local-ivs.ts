/**
 * The local services the library's handlers call, started together: IVS Real-Time, Secrets Manager (stream-key
 * copies), KMS (participant-token signing keys) and S3 (the recordings IVS writes), each an HTTP server on 127.0.0.1
 * speaking the service's wire format, so the real AWS SDK clients run unchanged against them.
 */
import { assertSupportedAwsCdkLib, installedAwsCdkLibVersion } from './cdk-version';
import { Clock } from './clock';
import { FakeIvsServer, RateLimits } from './fake-ivs-server';
import { FakeKms } from './fake-kms';
import { FakeS3 } from './fake-s3';
import { FakeSecretsManager } from './fake-secrets-manager';

export interface LocalIvsOptions {
  /** The region of every ARN, and the handlers' `AWS_REGION`. @default 'us-east-1' */
  readonly region?: string;
  /** The account of every ARN. @default '123456789012' */
  readonly accountId?: string;
  /**
   * How long a composition outlives the last participant of its stage, as IVS stops it after a minute; shorter makes
   * a test of it quick. @default 60000
   */
  readonly compositionIdleTimeoutMs?: number;
  /** IVS Real-Time's requests per operation per second: 'service' (its quotas), 'none', or a limit per operation. @default 'service' */
  readonly rateLimits?: RateLimits;
}

export class LocalIvs {
  /**
   * Starts the four servers. Fails at once if the installed aws-cdk-lib is not one the kit supports (the package's
   * `peerDependencies` range).
   */
  public static async start(options: LocalIvsOptions = {}): Promise<LocalIvs> {
    assertSupportedAwsCdkLib(installedAwsCdkLibVersion());
    const region = options.region ?? 'us-east-1';
    const accountId = options.accountId ?? '123456789012';
    const clock = new Clock();
    const [ivs, secretsManager, kms, s3] = await Promise.all([
      FakeIvsServer.start({
        region, accountId, compositionIdleTimeoutMs: options.compositionIdleTimeoutMs, rateLimits: options.rateLimits, now: () => clock.now(),
      }),
      // any secret: the secrets are made by CloudFormation, which the deployment only pretends to be.
      FakeSecretsManager.start({ anySecret: true }),
      FakeKms.start({ region, accountId }),
      FakeS3.start(),
    ]);
    return new LocalIvs(region, accountId, ivs, secretsManager, kms, s3, clock);
  }

  private constructor(
    public readonly region: string,
    public readonly accountId: string,
    /** What exists in IVS (`stages`, `compositions`, `resourceCount()`, ...), what happens at run time, and its faults. */
    public readonly ivs: FakeIvsServer,
    /** The stream-key copies (`values`), and its faults. */
    public readonly secretsManager: FakeSecretsManager,
    /** The signing keys (mirroring the `AWS::KMS::Key`s a deployment creates), and its faults. */
    public readonly kms: FakeKms,
    /** The recording buckets' objects: what IVS writes as `LocalDeployment.startRecording` / `endRecording` play it, and its faults. */
    public readonly s3: FakeS3,
    /** @internal the local services' time, which `advanceTime` moves. */
    public readonly clock: Clock,
  ) {}

  /**
   * Moves the local services' time forward: the fake IVS dates what happens after with it, and the functions a
   * `LocalDeployment` runs see it as their `Date` (so a `StagePool`'s timeouts pass at once). Timers still wait in real
   * time. Time only moves forward, and `reset` does not move it back.
   */
  public advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * The environment that points the AWS SDK at the local services: their endpoints, the region and placeholder
   * credentials. A deployment gives it to every function; a test's own SDK clients get it with
   * `Object.assign(process.env, local.env)` before they are created.
   */
  public get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_IVS_REALTIME: this.ivs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.secretsManager.endpoint,
      AWS_ENDPOINT_URL_KMS: this.kms.endpoint,
      AWS_ENDPOINT_URL_S3: this.s3.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
  }

  /** Forgets every resource, call and fault, as between two tests. */
  public reset(): void {
    this.ivs.reset();
    this.secretsManager.reset();
    this.kms.reset();
    this.s3.reset();
  }

  public async stop(): Promise<void> {
    await Promise.all([this.ivs.stop(), this.secretsManager.stop(), this.kms.stop(), this.s3.stop()]);
  }
}
