/** The custom resource event the Provider framework passes to its onEvent handler (CloudFormation's request). */
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

/** What the onEvent handler returns to the Provider framework. */
export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The part of Lambda's context object the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  /** The ARN the function was invoked by: the handler invokes itself with it (late-creates.ts). */
  readonly invokedFunctionArn?: string;
}
