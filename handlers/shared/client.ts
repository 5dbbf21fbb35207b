import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';

/**
 * Most IVS Real-Time calls are limited to about 5 per second per account, and CloudFormation deploys
 * independent resources in parallel: give the SDK's backoff room to absorb throttling.
 */
const MAX_ATTEMPTS = 10;

let client: IVSRealTimeClient | undefined;

/**
 * The IVS Real-Time client, created on first use and reused while Lambda keeps the container.
 *
 * Its endpoint honours `AWS_ENDPOINT_URL_IVS_REALTIME`, which is how tests point it at a local fake.
 */
export function ivsClient(): IVSRealTimeClient {
  client ??= new IVSRealTimeClient({ maxAttempts: MAX_ATTEMPTS });
  return client;
}
