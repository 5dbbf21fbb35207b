/**
 * Errors the fake IVS Real-Time service answers with, in the service's restJson1 shape: the name travels
 * in the `x-amzn-ErrorType` header, the text in a JSON body `{"exceptionMessage": "..."}`.
 */

/** HTTP status the real service uses for each error type it models (plus throttling, which it does not model). */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export class IvsServiceError extends Error {
  constructor(
    public readonly errorType: string,
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

export function validationError(violations: readonly string[]): IvsServiceError {
  // The wording follows AWS's own validation messages ("1 validation error detected: ...") so handler
  // error text seen in tests reads like what CloudFormation would show from the real service.
  const count = violations.length;
  const heading = `${count} validation error${count === 1 ? '' : 's'} detected`;
  return new IvsServiceError('ValidationException', 400, `${heading}: ${violations.join('; ')}`);
}

export function notFoundError(resourceType: string, arn: string): IvsServiceError {
  return new IvsServiceError('ResourceNotFoundException', 404, `${resourceType} not found: ${arn}`);
}

export function conflictError(message: string): IvsServiceError {
  return new IvsServiceError('ConflictException', 409, message);
}

export function quotaExceeded(message: string): IvsServiceError {
  return new IvsServiceError('ServiceQuotaExceededException', 402, message);
}
