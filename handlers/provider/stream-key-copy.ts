import { isDeepStrictEqual } from 'util';
import { GetIngestConfigurationCommand, IngestConfiguration, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { SWEEP_INTERVAL_MINUTES } from '../../lib/private/deferred-deletes-contract';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { readSecretJson, storeSecretJson } from '../shared/secrets';
import type { CreateRequests } from './create-requests';
import type { SweepArming } from './deferred-deletes';

/**
 * The secret's JSON: the ingest configuration's credentials, and its ARN, which tells whose keys the secret holds.
 */
export function streamKeysOf(ingest: IngestConfiguration): Record<string, unknown> {
  if (!ingest.streamKey) {
    throw new Error('the service returned an ingest configuration without a stream key');
  }
  return {
    ingestConfigurationArn: ingest.arn,
    streamKey: ingest.streamKey,
    redundantIngestCredentials: (ingest.redundantIngestCredentials ?? [])
      .map(({ participantId, streamKey }) => ({ participantId, streamKey })),
  };
}

/**
 * Writes `value` to the secret unless its current version holds it already: a rollback of an update whose write failed
 * then reads only, and does not fail again for the reason the update did.
 */
export async function storeStreamKeysUnlessHeld(secretArn: string, value: Record<string, unknown>, abortSignal?: AbortSignal): Promise<void> {
  if (!isDeepStrictEqual(await readSecretJson(secretArn, 'AWSCURRENT', abortSignal), value)) {
    await storeSecretJson(secretArn, value, abortSignal);
  }
}

/** The create-request table's key prefix of a secret to correct, followed by the secret's ARN (one record per secret). */
const CORRECTION_PREFIX = 'stream-key-correction:';

/** What the sweep did with the corrections it found. */
export interface CorrectionResult {
  /** The secrets rewritten. */
  readonly corrected: string[];
  /** One line per secret whose correction failed again, and why. */
  readonly remaining: string[];
}

/**
 * The corrections of stream-key secrets that an update IVS made could not rewrite (Secrets Manager slow or failing): each is
 * recorded in the stack's create-request table, the sweep's schedule is armed, and the sweep rewrites the secret with the
 * keys IVS has then (never with keys the request had: IVS is the source, so a late correction cannot bring back old
 * keys). A correction is dropped once the secret holds another ingest configuration's keys (a later replacement moved
 * it on), or once the ingest configuration or the secret is gone.
 */
export class StreamKeyCorrections {
  constructor(private readonly ivs: IVSRealTimeClient, private readonly requests: CreateRequests, private readonly arming: SweepArming) {}

  /** Records that `secretArn` must get the keys of `ingestConfigurationArn`, and arms the sweep; says how it is corrected. */
  public async schedule(secretArn: string, ingestConfigurationArn: string, stackId: string): Promise<string> {
    await this.requests.putPending(`${CORRECTION_PREFIX}${secretArn}`, { ingestConfigurationArn });
    try {
      await this.arming.arm(stackId);
    } catch (error) {
      log('could not arm the sweep: the next update of the ingest configuration rewrites the secret', { secretArn, error: describeError(error) });
      return 'the next update of the ingest configuration rewrites it';
    }
    return `the provider's sweep rewrites it with the keys IVS has, every ${SWEEP_INTERVAL_MINUTES} minutes until Secrets Manager `
      + 'takes the write (for up to a week), and so does the next update of the ingest configuration';
  }

  /** The sweep's part: one attempt at each recorded correction. Failures are reported, not thrown: the next sweep tries again. */
  public async settle(): Promise<CorrectionResult> {
    const result: CorrectionResult = { corrected: [], remaining: [] };
    for (const { key, fields } of await this.requests.pending(CORRECTION_PREFIX)) {
      const secretArn = key.slice(CORRECTION_PREFIX.length);
      try {
        if (await this.correct(secretArn, fields.ingestConfigurationArn)) {
          result.corrected.push(secretArn);
        }
        await this.requests.forget(key);
      } catch (error) {
        result.remaining.push(`stream key secret ${secretArn} not rewritten yet: ${describeError(error)}`);
      }
    }
    return result;
  }

  /**
   * Gives the secret the keys IVS has now for `ingestConfigurationArn`, if it still holds that one's (stale) keys; false
   * when there is nothing to correct any more. Throws when the keys changed while it wrote them: the next sweep writes again.
   */
  private async correct(secretArn: string, ingestConfigurationArn: string): Promise<boolean> {
    const held = await readSecretJson(secretArn, 'AWSCURRENT');
    if (held?.ingestConfigurationArn !== ingestConfigurationArn) {
      return false;
    }
    const current = await this.currentKeys(ingestConfigurationArn);
    if (!current || isDeepStrictEqual(held, current)) {
      return false;
    }
    await storeSecretJson(secretArn, current);
    if (!isDeepStrictEqual(await this.currentKeys(ingestConfigurationArn), current)) {
      throw new Error(`the keys of ${ingestConfigurationArn} changed while they were written`);
    }
    log('stream key secret corrected', { secretArn, arn: ingestConfigurationArn });
    return true;
  }

  private async currentKeys(arn: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { ingestConfiguration } = await this.ivs.send(new GetIngestConfigurationCommand({ arn }));
      return streamKeysOf(ingestConfiguration!);
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }
}
