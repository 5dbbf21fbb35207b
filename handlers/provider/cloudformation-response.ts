import * as http from 'http';
import * as https from 'https';
import { setTimeout as sleep } from 'timers/promises';
import { describeError } from '../shared/errors';
import { log } from '../shared/log';
import { Answer } from './dispatcher';
import { CustomResourceEvent } from './event';

/** CloudFormation refuses a response body over 4,096 bytes (the resource then fails "Response object is too long"). */
export const MAX_RESPONSE_BYTES = 4096;
/** Attempts of the PUT in all: S3 can refuse one (503 Slow Down) or drop a connection. */
const PUT_ATTEMPTS = 5;
const PUT_TIMEOUT_MS = 10_000;

/**
 * Answers CloudFormation: PUTs the answer to the event's pre-signed ResponseURL, as aws-cdk-lib's single-function
 * providers do, retrying a refused or lost PUT (waits 0.5, 1, 2, 4 s, each cut to the time left before `deadline`). A body
 * that would be over CloudFormation's limit is cut: a failure's reason shortened, a success's attributes replaced by a
 * failure saying so. Throws when no attempt succeeded.
 */
export async function sendResponse(event: CustomResourceEvent & { readonly ResponseURL: string }, answer: Answer,
  deadline = Infinity): Promise<void> {
  const body = responseBody(event, answer);
  for (let attempt = 1; ; attempt++) {
    try {
      await put(event.ResponseURL, body, Math.min(PUT_TIMEOUT_MS, deadline - Date.now()));
      log('answered CloudFormation', { status: JSON.parse(body).Status, physicalResourceId: answer.PhysicalResourceId, attempt });
      return;
    } catch (error) {
      log('could not answer CloudFormation', { attempt, error: describeError(error) });
      const wait = Math.min(250 * 2 ** attempt, (deadline - Date.now()) / 2);
      if (attempt >= PUT_ATTEMPTS || wait <= 0) {
        throw error;
      }
      await sleep(wait);
    }
  }
}

/** The response's JSON, within CloudFormation's limit. */
export function responseBody(event: CustomResourceEvent, answer: Answer): string {
  const body = (reason: string | undefined, data?: Record<string, string>, status = answer.Status) => JSON.stringify({
    Status: status,
    ...(reason !== undefined ? { Reason: reason } : {}),
    PhysicalResourceId: answer.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(data ? { Data: data } : {}),
  });
  const whole = body(answer.Reason, answer.Data);
  if (Buffer.byteLength(whole) <= MAX_RESPONSE_BYTES) {
    return whole;
  }
  if (answer.Status === 'SUCCESS') {
    return body(`the ${event.ResourceType} response's attributes are over CloudFormation's ${MAX_RESPONSE_BYTES} bytes`, undefined, 'FAILED');
  }
  // cut between characters, never inside one, to what fits beside the rest.
  const room = MAX_RESPONSE_BYTES - Buffer.byteLength(body('')) - 3;
  let reason = '';
  for (const character of answer.Reason ?? '') {
    if (Buffer.byteLength(reason + character) > room) {
      break;
    }
    reason += character;
  }
  return body(`${reason}...`);
}

function put(url: string, body: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'http:' ? http : https).request(target, {
      method: 'PUT',
      // the pre-signed URL is signed for no content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: Math.max(1, timeoutMs),
    }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode! >= 200 && response.statusCode! < 300
        ? resolve()
        : reject(new Error(`the ResponseURL answered ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from the ResponseURL within ${Math.round(timeoutMs)} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
