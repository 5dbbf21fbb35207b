import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

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

/**
 * Stores `value` as the JSON text of a new current version of the secret: for values that must never reach the
 * response, the template or the logs (the opt-in copy of an ingest configuration's stream keys).
 */
export async function storeSecretJson(secretArn: string, value: Record<string, unknown>): Promise<void> {
  await secretsManagerClient().send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(value) }));
}
