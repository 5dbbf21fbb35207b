/**
 * The participant token issuer as shipped (`handlers/dist/participant-token-issuer/index.js`): its cold start, and how
 * many tokens one warm execution environment issues per second against the local fakes (one request at a time, as Lambda
 * runs each environment), beside the bare KMS Sign call each token costs.
 */
import * as path from 'path';
import { CreateStageCommand, ImportPublicKeyCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { TOKEN_ISSUER_CONFIG_ENV, TokenIssuerConfig } from '../lib/private/participant-token-contract';
import { verifyParticipantToken } from '../test/support/participant-token-verifier';
import { FakeIvsServer } from '../testing/fake-ivs-server';
import { FakeKms } from '../testing/fake-kms';
import { ColdStart, fakeAwsEnvironment, HANDLER_DIST, loadHandler, measureColdStart, withEnvironment } from './handler';
import { median } from './stats';

export const TOKEN_ISSUER_BUNDLE = path.join(HANDLER_DIST, 'participant-token-issuer', 'index.js');

const CREDENTIALS = { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret' };

/** A stage, a signing key and its public key in the fakes, and the environment the issuer runs with for them. */
export interface TokenIssuerSetup {
  readonly stageArn: string;
  readonly env: Record<string, string>;
}

export async function tokenIssuerSetup(ivs: FakeIvsServer, kms: FakeKms): Promise<TokenIssuerSetup> {
  const client = new IVSRealTimeClient({ endpoint: ivs.endpoint, region: ivs.region, credentials: CREDENTIALS });
  try {
    const stageArn = (await client.send(new CreateStageCommand({ name: 'bench' }))).stage!.arn!;
    const key = kms.createKey({ keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' });
    const publicKeyMaterial = kms.publicKey(key.keyId).export({ type: 'spki', format: 'pem' }).toString();
    const publicKeyArn = (await client.send(new ImportPublicKeyCommand({ publicKeyMaterial }))).publicKey!.arn!;
    const config: TokenIssuerConfig = {
      stageArns: [stageArn], capabilities: ['PUBLISH', 'SUBSCRIBE'], maxDurationMinutes: 60, kmsKeyArn: key.arn, publicKeyArn,
    };
    return { stageArn, env: { [TOKEN_ISSUER_CONFIG_ENV]: JSON.stringify(config), AWS_ENDPOINT_URL_KMS: kms.endpoint } };
  } finally {
    client.destroy();
  }
}

/** Medians over `samples` fresh node processes, each loading the bundle and issuing two tokens. */
export async function measureTokenColdStart(ivs: FakeIvsServer, setup: TokenIssuerSetup, samples: number): Promise<ColdStart> {
  const request = { stageArn: setup.stageArn, userId: 'bench' };
  return measureColdStart(ivs, samples, TOKEN_ISSUER_BUNDLE, { events: () => [request, request], env: setup.env });
}

export interface TokenThroughput {
  readonly tokens: number;
  readonly tokensPerSecond: number;
  /** Per token, warm: the function's whole invocation. */
  readonly medianMs: number;
  /** `KMSClient.send(Sign)` of a 48-byte digest against the same fake: what each token costs at the least. */
  readonly bareSignMs: number;
  /** Tokens the participant-token verifier accepted (all of them, or the figures are of something else). */
  readonly accepted: number;
}

/** Issues `tokens` tokens one after the other from one warm instance of the bundle. */
export async function measureTokenThroughput(ivs: FakeIvsServer, kms: FakeKms, setup: TokenIssuerSetup, tokens: number): Promise<TokenThroughput> {
  return withEnvironment({ ...fakeAwsEnvironment(ivs), ...setup.env }, async () => {
    const issue = loadHandler(TOKEN_ISSUER_BUNDLE) as unknown as (request: object) => Promise<{ participantToken: { token: string } }>;
    const request = { stageArn: setup.stageArn, userId: 'bench', attributes: { role: 'viewer' } };
    // untimed: the first tokens create the clients, read the stage's endpoints and open the connections.
    for (let i = 0; i < 5; i++) {
      await issue(request);
    }
    const client = new KMSClient({ endpoint: kms.endpoint, region: ivs.region, credentials: CREDENTIALS });
    const { kmsKeyArn } = JSON.parse(setup.env[TOKEN_ISSUER_CONFIG_ENV]) as TokenIssuerConfig;
    const bareSign = (i: number) => client.send(new SignCommand({
      KeyId: kmsKeyArn, Message: Buffer.alloc(48, i), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384',
    }));
    await bareSign(0);
    const issued: string[] = [];
    const [perToken, bare]: number[][] = [[], []];
    // alternating, so that both see the same fake, event loop and machine.
    for (let i = 0; i < tokens; i++) {
      let start = performance.now();
      issued.push((await issue(request)).participantToken.token);
      perToken.push(performance.now() - start);
      start = performance.now();
      await bareSign(i);
      bare.push(performance.now() - start);
    }
    client.destroy();
    const seconds = perToken.reduce((a, b) => a + b, 0) / 1000;
    const accepted = issued.filter((token) => {
      try {
        verifyParticipantToken(token, ivs, { stageArn: setup.stageArn });
        return true;
      } catch {
        return false;
      }
    }).length;
    return { tokens, tokensPerSecond: tokens / seconds, medianMs: median(perToken), bareSignMs: median(bare), accepted };
  });
}
