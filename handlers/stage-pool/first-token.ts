import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ParticipantTokenRequest, ParticipantTokenResponse } from '../../lib/private/participant-token-contract';

/** Asks the pool's `ParticipantTokenIssuer` for a token, as a backend would: the issuer's signing code, not a copy of it. */
export type IssueToken = (request: ParticipantTokenRequest) => Promise<ParticipantTokenResponse>;

/**
 * Invokes the issuer's function (RequestResponse). Its refusal (ValidationException, AccessDeniedException) or failure
 * (ThrottlingException, InternalFailure) is thrown with the issuer's own error type and text: the backend sees what it
 * would have seen asking the issuer itself.
 */
export function invokeIssuer(lambda: LambdaClient, functionArn: string): IssueToken {
  return async (request) => {
    const { Payload, FunctionError } = await lambda.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(request) }));
    const answer = JSON.parse(Buffer.from(Payload ?? new Uint8Array()).toString('utf8') || 'null');
    if (FunctionError) {
      const error = new Error(String(answer?.errorMessage ?? FunctionError));
      error.name = String(answer?.errorType ?? 'InternalFailure');
      throw error;
    }
    return answer as ParticipantTokenResponse;
  };
}
