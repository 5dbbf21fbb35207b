import { CfnDeletionPolicy, CfnResource, Lazy, RemovalPolicy, Stack, TagManager, Token } from 'aws-cdk-lib';
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
  /**
   * Whether IVS refuses the resource's delete while a composition uses it (storage and encoder configurations): the
   * handler then defers the delete until the composition ends, and the stack gets the sweep of deferred deletes.
   * @default false
   */
  readonly heldByCompositions?: boolean;
  /** Settings of the handler itself, rendered beside `Request` and `Tags` under the wire contract's `Property` keys. */
  readonly properties?: Record<string, unknown>;
}

/** A library custom resource: a `CfnResource` with the attribute reader `CustomResource` has. */
export class IvsCustomResource extends CfnResource {
  /** The attribute `name` of the handler's response `Data`, as a string. */
  public getAttString(name: string): string {
    return Token.asString(this.getAtt(name));
  }
}

/**
 * Defines the custom resource behind an IVS Real-Time construct, served by the stack's shared provider.
 *
 * A plain `CfnResource` rather than aws-cdk-lib's `CustomResource`, which renders the default deletion policies
 * explicitly: at three custom resources per stage, those were a tenth of a stage's template bytes. Its construct ID
 * is `Resource` (the logical ID is the one `CustomResource`'s `Resource/Default` had: `Default` does not count).
 * Tags render lazily so that `Tags.of()` applied anywhere above the construct reaches the API.
 */
export function defineIvsCustomResource<TRequest extends object>(scope: Construct, options: IvsCustomResourceOptions<TRequest>): IvsCustomResource {
  const provider = IvsRealTimeProvider.getOrCreate(scope);
  provider.allowIvs(options.arnResource, options.actions);
  validateRenderedTags(scope, () => options.tags.renderTags());
  const resource = new IvsCustomResource(scope, 'Resource', {
    type: options.resourceType,
    properties: {
      ServiceToken: provider.serviceToken,
      // what aws-cdk-lib's CustomResource renders for serviceTimeout: CloudFormation fails the request after it.
      ServiceTimeout: SERVICE_TIMEOUT.toSeconds().toString(),
      ...options.properties,
      [Property.REQUEST]: Lazy.string({ produce: () => renderApiRequest(scope, options.request()) }),
      [Property.TAGS]: Lazy.any({ produce: () => options.tags.renderTags() }),
    },
  });
  if (options.removalPolicy) {
    resource.applyRemovalPolicy(options.removalPolicy);
  }
  refuseSnapshot(scope, resource);
  provider.addIvsResource(resource, options.heldByCompositions);
  return resource;
}

/**
 * Refuses `RemovalPolicy.SNAPSHOT`, at synth so that `applyRemovalPolicy` after construction counts too: IVS keeps no
 * snapshot of anything, and CloudFormation would treat a custom resource's `Snapshot` policy as `Delete`.
 */
function refuseSnapshot(scope: Construct, resource: CfnResource): void {
  scope.node.addValidation({
    validate: () => [resource.cfnOptions.deletionPolicy, resource.cfnOptions.updateReplacePolicy]
      .includes(CfnDeletionPolicy.SNAPSHOT)
      ? ['`removalPolicy` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN (IVS keeps no snapshot: CloudFormation '
        + 'would delete the resource), got RemovalPolicy.SNAPSHOT']
      : [],
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
