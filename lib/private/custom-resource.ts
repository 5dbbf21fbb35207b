import { CustomResource, Lazy, RemovalPolicy, TagManager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Property } from './contract';
import { IvsRealTimeProvider, SERVICE_TIMEOUT } from './provider';
import { validateRenderedTags } from './validation';

/** What one IVS Real-Time resource construct renders into its custom resource. */
export interface IvsCustomResourceOptions {
  /** `Custom::IvsRealTime…`, from the wire contract. */
  readonly resourceType: string;
  /** Resource name in the ARN, scoping the provider's permissions. */
  readonly arnResource: string;
  /** The IVS actions the handler calls for this resource type. */
  readonly actions: string[];
  /** The API's create request, without tags. */
  readonly config: Record<string, unknown>;
  readonly tags: TagManager;
  readonly removalPolicy?: RemovalPolicy;
  /** Settings of the handler itself, rendered beside `Config` and `Tags` under the wire contract's `Property` keys. */
  readonly properties?: Record<string, unknown>;
}

/**
 * Defines the custom resource behind an IVS Real-Time construct, served by the stack's shared provider.
 *
 * Tags render lazily so that `Tags.of()` applied anywhere above the construct reaches the API.
 */
export function defineIvsCustomResource(scope: Construct, options: IvsCustomResourceOptions): CustomResource {
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
      [Property.CONFIG]: options.config,
      [Property.TAGS]: Lazy.any({ produce: () => options.tags.renderTags() }),
    },
  });
}
