import { KMSClient } from '@aws-sdk/client-kms';

/**
 * The SDK's standard retries with a few more attempts: KMS throttles by account and region (all of the account's ECC
 * signing shares one quota), and a caller waits on every token.
 */
const MAX_ATTEMPTS = 5;

let client: KMSClient | undefined;

/**
 * The KMS client, created on first use and reused while Lambda keeps the container.
 *
 * Its endpoint honours `AWS_ENDPOINT_URL_KMS`, which is how tests point it at a local fake.
 */
export function kmsClient(): KMSClient {
  client ??= new KMSClient({ maxAttempts: MAX_ATTEMPTS });
  return client;
}
