/**
 * A stack whose ingest configuration keeps a copy of its stream key in Secrets Manager, for the lifecycle tests and the
 * fault matrix: each version says whether the ingest configuration is replaced (`userId`) or updated in place
 * (`redundantIngest`), and whether a resource that depends on it comes too, whose creation a test can make fail
 * (`FAIL_AFTER_INGEST`), so that CloudFormation rolls back an update the ingest configuration has already done.
 */
import { App, Stack } from 'aws-cdk-lib';
import { EncoderConfiguration, IngestConfiguration, Stage, StreamKeyStorage } from '../../lib';
import { FakeIvsServer } from '../../testing/fake-ivs-server';
import { FakeSecretsManager } from '../../testing/fake-secrets-manager';
import { LifecycleDriver } from '../../testing/lifecycle-driver';

export interface StreamKeyStackProps {
  /** Changing it replaces the ingest configuration. @default 'studio' */
  readonly userId?: string;
  /** Changes in place. @default false */
  readonly redundantIngest?: boolean;
  /** Whether the stack has an encoder configuration deployed after the ingest configuration. @default false */
  readonly dependent?: boolean;
}

/** The IVS operation of the dependent resource: make it fail (`injectFault`) to roll the update back. */
export const FAIL_AFTER_INGEST = 'CreateEncoderConfiguration';

export class StreamKeyStack extends Stack {
  public readonly ingest: IngestConfiguration;

  constructor(props: StreamKeyStackProps = {}) {
    super(new App(), 'StreamKey');
    const stage = new Stage(this, 'Stage');
    this.ingest = stage.addIngestConfiguration('Encoder', {
      userId: props.userId ?? 'studio',
      redundantIngest: props.redundantIngest ?? false,
      streamKeyStorage: StreamKeyStorage.secretsManager(),
    });
    if (props.dependent) {
      new EncoderConfiguration(this, 'After').node.addDependency(this.ingest);
    }
  }
}

/**
 * The keys the stack's secret holds, and those it must hold: the keys of the ingest configuration the stack has, as IVS
 * has them now (undefined once it is gone). (The secret's `ingestConfigurationArn`, whose keys they are, is left out:
 * the keys are what a consumer uses.)
 */
export function streamKeySecret(driver: LifecycleDriver, stack: StreamKeyStack, ivs: FakeIvsServer, secrets: FakeSecretsManager)
  : { readonly held: unknown; readonly expected: unknown } {
  const logicalId = driver.logicalIdOf(stack.ingest);
  const secretArn = String(driver.resolvedProperties(logicalId).StreamKeySecretArn);
  const ingest = ivs.ingestConfigurations.get(driver.physicalId(logicalId));
  const stored = secrets.values.get(secretArn);
  const { streamKey, redundantIngestCredentials } = stored === undefined ? {} as any : JSON.parse(stored);
  return {
    held: { streamKey, redundantIngestCredentials },
    expected: ingest && {
      streamKey: ingest.streamKey,
      redundantIngestCredentials: ingest.redundantIngestCredentials ?? [],
    },
  };
}
