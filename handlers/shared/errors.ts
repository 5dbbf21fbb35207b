/** CloudFormation shows at most 4 KB of a failure reason; keep ours well inside it (1000 characters are at most 4000 UTF-8 bytes). */
const MAX_REASON_LENGTH = 1000;

/** Whether an SDK error is the service's ResourceNotFoundException. */
export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFoundException';
}

/** Whether an SDK error is the service's ConflictException (409): the resource is busy or in use. */
export function isConflict(error: unknown): boolean {
  return errorName(error) === 'ConflictException';
}

/**
 * A short, readable description of an error: its name and the service's own text.
 *
 * The SDK puts the service's text in `exceptionMessage`; `message` reads "UnknownError" when the
 * response body has only `exceptionMessage`.
 */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; exceptionMessage?: string };
  const text = e?.exceptionMessage ?? e?.message ?? String(error);
  const described = e?.name && e.name !== 'Error' ? `${e.name}: ${text}` : text;
  const characters = [...described];
  // cut between characters (code points), never inside one: half of a surrogate pair is not valid UTF-8 text.
  return characters.length > MAX_REASON_LENGTH ? `${characters.slice(0, MAX_REASON_LENGTH - 3).join('')}...` : described;
}

/**
 * The error a handler invoked by aws-cdk-lib's Provider framework throws: CloudFormation shows its message, on one line,
 * then the framework's `Logs: /aws/lambda/<function name>`. The Node.js Lambda runtime reports a thrown error's stack as
 * `trace` (`error.stack.split('\n')`, in the runtime interface client's `Errors.js`), and the framework appends every
 * line of it but the first to the reason: a stack of that first line alone appends no frames.
 */
export function failureReason(message: string): Error {
  const error = new Error(message.replace(/\s*\n\s*/g, ' '));
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * Whether a failed call may succeed if made again later: throttling, a server error, or no answer at all. Any other
 * error (validation, access denied, not found, quota, conflict) is the service refusing this very request.
 */
export function mayClearOnRetry(error: unknown): boolean {
  const e = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  return e?.$fault !== 'client' || e.$metadata?.httpStatusCode === 429 || errorName(error) === 'ThrottlingException';
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string })?.name;
}
