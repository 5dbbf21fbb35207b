/**
 * The rules of aws-cdk-lib's `custom-resources.Provider` framework (its `onEvent` function, which CloudFormation
 * calls and which calls the user's function), as read from `custom-resources/lib/provider-framework/runtime`.
 */
import type { InvokeOutcome } from './lambda-runtime';

/** The physical ID the framework reports for a failed Create, so that the rollback's Delete can be ignored. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** A CloudFormation custom resource request, as CloudFormation sends it (and the framework forwards it). */
export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Update and Delete only. */
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  /** Every scalar a string, `ServiceToken` included. */
  readonly ResourceProperties: Record<string, unknown>;
  /** Update only. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The framework's answer to CloudFormation. */
export interface FrameworkResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId: string;
  readonly data: Record<string, unknown>;
  readonly noEcho: boolean;
  readonly reason?: string;
}

/** The framework answers the Delete that follows its own failed Create without calling the user function. */
export function isSwallowedDelete(request: CustomResourceEvent): boolean {
  return request.RequestType === 'Delete' && request.PhysicalResourceId === CREATE_FAILED_MARKER;
}

/** The response the framework sends for the user function's outcome. */
export function frameworkResponse(request: CustomResourceEvent, outcome: InvokeOutcome): FrameworkResponse {
  if (!outcome.ok) {
    return failed(request, outcome.errorMessage || 'error');
  }
  const result = isObject(outcome.payload) ? outcome.payload : {};
  const returnedId = result.PhysicalResourceId ? String(result.PhysicalResourceId) : undefined;
  const physicalId = returnedId ?? (request.RequestType === 'Create' ? request.RequestId : request.PhysicalResourceId!);
  if (request.RequestType === 'Delete' && physicalId !== request.PhysicalResourceId) {
    return failed(request, `DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${returnedId}" during deletion`);
  }
  return {
    status: 'SUCCESS',
    physicalId,
    data: isObject(result.Data) ? result.Data : {},
    noEcho: Boolean(result.NoEcho),
  };
}

/** A failure keeps the request's physical ID; a failed Create has none, so it gets the marker. */
function failed(request: CustomResourceEvent, reason: string): FrameworkResponse {
  const physicalId = request.PhysicalResourceId ?? (request.RequestType === 'Create' ? CREATE_FAILED_MARKER : MISSING_PHYSICAL_ID_MARKER);
  return { status: 'FAILED', physicalId, data: {}, noEcho: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
