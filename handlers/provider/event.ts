/** A custom resource request, as CloudFormation sends it (less its ResponseURL, which only the entry point reads). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
  readonly StackId: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
  readonly PhysicalResourceId?: string;
}

/** What the handler answers a request with, beside its status. */
export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  /** Why it failed; on a success, what the user should know of it (how a fault that did not fail it gets corrected). */
  readonly Reason?: string;
}

/** The part of Lambda's context object the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  /** Where the function logs: a failure reason points there. */
  readonly logGroupName?: string;
}
