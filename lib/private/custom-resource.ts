import { CustomResource, Lazy, RemovalPolicy, Stack, TagManager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Property } from './contract';
import { IvsRealTimeProvider, SERVICE_TIMEOUT } from './provider';
import { validateRenderedTags } from './validation';

/** What one IVS Real-Time resource construct renders into its custom resource. */
export interface IvsCustomResourceOptions<TRequest extends object> {
  /** `Custom::IvsRealTime…`, from the wire contract. */
  readonly resourceType: string;
  /** Resource name in the ARN, scoping the provider's permissions. */
  readonly arnResource: string;
  /** The IVS actions the handler calls for this resource type. */
  readonly actions: string[];
  /**
   * Produces the API's create request, without tags, in the wire contract's type for this resource type. Called at
   * synth, so that settings made after construction (such as `Stage.enableAutoParticipantRecording`) are included.
   */
  readonly request: () => TRequest;
  readonly tags: TagManager;
  readonly removalPolicy?: RemovalPolicy;
  /** Settings of the handler itself, rendered beside `Request` and `Tags` under the wire contract's `Property` keys. */
  readonly properties?: Record<string, unknown>;
}

/**
 * Defines the custom resource behind an IVS Real-Time construct, served by the stack's shared provider.
 *
 * Tags render lazily so that `Tags.of()` applied anywhere above the construct reaches the API.
 */
export function defineIvsCustomResource<TRequest extends object>(scope: Construct, options: IvsCustomResourceOptions<TRequest>): CustomResource {
  const provider = IvsRealTimeProvider.getOrCreate(scope);
  provider.allowIvs(options.arnResource, options.actions);
  validateRenderedTags(scope, () => options.tags.renderTags());
  return new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: options.resourceType,
    serviceTimeout: SERVICE_TIMEOUT,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.DESTROY,
    properties: {
      ...options.properties,
      [Property.REQUEST]: Lazy.string({ produce: () => renderApiRequest(scope, options.request()) }),
      [Property.TAGS]: Lazy.any({ produce: () => options.tags.renderTags() }),
    },
  });
}

/**
 * An IVS API request as one JSON text, the one encoding from the constructs to the functions that call the API (as
 * aws-cdk-lib's `AwsCustomResource` does): references to other resources inside it resolve at deploy time, and
 * numbers and booleans survive CloudFormation, which would turn them into strings anywhere else in a custom
 * resource's properties or a function's environment.
 */
export function renderApiRequest(scope: Construct, request: object): string {
  return Stack.of(scope).toJsonString(request);
}
