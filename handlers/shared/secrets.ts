import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isNotFound } from './errors';

/** As for IVS: CloudFormation deploys independent resources in parallel, so leave room for throttling retries. */
const MAX_ATTEMPTS = 10;

let client: SecretsManagerClient | undefined;

/**
 * The Secrets Manager client, created on first use and reused while Lambda keeps the container.
 *
 * Its endpoint honours `AWS_ENDPOINT_URL_SECRETS_MANAGER`, which is how tests point it at a local fake.
 */
function secretsManagerClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient({ maxAttempts: MAX_ATTEMPTS });
  return client;
}

/** The version of a secret a read names: the current one, or the one it replaced. */
export type SecretVersion = 'AWSCURRENT' | 'AWSPREVIOUS';

/**
 * The JSON object a version of the secret holds; undefined when the secret, or a version with that label, does not
 * exist, or when it holds anything but a JSON object (then it is not a value this handler wrote).
 */
export async function readSecretJson(secretArn: string, version: SecretVersion, abortSignal?: AbortSignal)
  : Promise<Record<string, unknown> | undefined> {
  let text: string | undefined;
  try {
    ({ SecretString: text } = await secretsManagerClient().send(
      new GetSecretValueCommand({ SecretId: secretArn, VersionStage: version }), { abortSignal }));
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores `value` as the JSON text of a new current version of the secret: for values that must never reach the
 * response, the template or the logs (the opt-in copy of an ingest configuration's stream keys).
 */
export async function storeSecretJson(secretArn: string, value: Record<string, unknown>, abortSignal?: AbortSignal): Promise<void> {
  await secretsManagerClient().send(
    new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(value) }), { abortSignal });
}

/**
 * Runs Secrets Manager calls that must settle within `ms` (none: no limit), aborting them when they have not. A call
 * aborted while in flight may still have taken effect.
 */
export async function withinTime<T>(ms: number | undefined, calls: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    if (ms !== undefined) {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`Secrets Manager did not answer within ${(ms / 1000).toFixed(1)} s`));
      }, ms);
    }
  });
  try {
    return await Promise.race([calls(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
