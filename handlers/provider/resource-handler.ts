import { ScalarPaths } from '../shared/coerce';
import { Tags } from '../shared/tags';
import { CustomResourceEvent } from './event';

/** A resource's configuration: the API's create request without tags, as the construct rendered it. */
export type Config = Record<string, any>;

/** What a handler reports about the resource it created, changed or read. */
export interface Outcome {
  /** The resource's ARN, which is also its physical resource ID. */
  readonly arn: string;
  /** Attributes for `Fn::GetAtt`, by the wire contract's keys (`Arn` is added for every resource). */
  readonly attributes?: Record<string, string>;
}

/**
 * Create, update and delete for one IVS Real-Time resource type.
 *
 * Each method also gets the event, for the handler settings rendered beside `Config` and `Tags` (such as where to
 * store a secret the API returns); most handlers need only what comes before it.
 */
export interface ResourceHandler {
  /** What the resource is called in messages, such as "stage". */
  readonly noun: string;
  /** The non-string scalars of the create request, to undo CloudFormation's stringification. */
  readonly scalars: ScalarPaths;
  /** Config keys the API can change in place. A change to any other key replaces the resource. */
  readonly updatableKeys: readonly string[];
  create(config: Config, tags: Tags | undefined, event: CustomResourceEvent): Promise<Outcome>;
  /** Changes `changedKeys` (all of them updatable) in place. Required when `updatableKeys` is not empty. */
  update?(arn: string, config: Config, changedKeys: string[], event: CustomResourceEvent): Promise<Outcome>;
  /**
   * The attributes of a resource whose configuration did not change. CloudFormation replaces a custom
   * resource's attributes with every response, so an update must report them even when it changes nothing.
   */
  describe(arn: string, config: Config, event: CustomResourceEvent): Promise<Outcome>;
  /**
   * The resource as the service describes it (its Get response), for types an update may replace: an update to
   * settings it already has (a rollback's) then replaces nothing.
   */
  read?(arn: string): Promise<object | undefined>;
  /** Deletes the resource; may throw the service's ResourceNotFoundException, which counts as success. */
  delete(arn: string, event: CustomResourceEvent): Promise<void>;
}
