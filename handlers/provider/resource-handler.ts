import { Tags } from '../shared/tags';
import { CREATE_REQUEST_TAG } from './create-request';
import { RequestContext } from './request-context';

/** What the service says of a resource (its Get, Create or Update response member). */
export interface DescribedResource {
  readonly arn?: string;
}

interface ResourceHandlerBase<TRequest extends object, TResource extends DescribedResource> {
  /** What the resource is called in messages, such as "stage". */
  readonly noun: string;
  /**
   * Creates the resource from the construct's request (the wire contract's type for this resource type), with its create
   * call sent through `context.send`: the dispatcher learns from it whether an attempt may have created unanswered.
   */
  create(request: TRequest, tags: Tags | undefined, context: RequestContext): Promise<TResource>;
  /**
   * Reads the resource: for the attributes of an update that changes nothing, and to tell whether an update that would
   * replace the resource asks for settings it already has (a rollback's). Throws the service's ResourceNotFoundException.
   */
  get(arn: string): Promise<TResource | undefined>;
  /**
   * The attributes for `Fn::GetAtt` beyond `Arn`, by the wire contract's keys. CloudFormation keeps only the attributes
   * of the latest response, so an update that changes nothing reads the resource to report them. Absent for types whose
   * only attribute is the ARN: their unchanged updates make no call.
   */
  attributes?(resource: TResource): Record<string, string>;
  /**
   * Runs after every successful create and update, changed or not, with the resource as the stack now has it: for
   * state kept outside IVS that must follow it (an ingest configuration's stream key in Secrets Manager).
   */
  afterDeploy?(resource: TResource, context: RequestContext): Promise<void>;
  /** Deletes the resource; may throw the service's ResourceNotFoundException, which counts as success. */
  delete(arn: string, context: RequestContext): Promise<void>;
  /**
   * The ARNs of the resources of the type whose create request tag holds `token` (the request's earlier attempts).
   * Absent for a type with nothing in IVS behind it, whose every delivery answers the same: its creates need no lookup.
   */
  findCreated?(token: string, request: TRequest): Promise<string[]>;
}

/** A type with no update call: a change to any request member but tags replaces the resource. */
export interface ReplacedOnChange<TRequest extends object, TResource extends DescribedResource>
  extends ResourceHandlerBase<TRequest, TResource> {
  readonly updatableKeys?: undefined;
}

/** A resource as the service lists it (a List response's summary). */
export interface ResourceSummary {
  readonly arn?: string;
  readonly tags?: Tags;
}

/**
 * A type with no update call that IVS refuses to delete while a composition uses it (ConflictException): its deletes
 * wait for the composition, or are deferred until it ends (deferred-deletes.ts).
 */
export interface HeldByCompositions<TRequest extends object, TResource extends DescribedResource>
  extends ReplacedOnChange<TRequest, TResource> {
  /** The account's resources of the type, with their tags: where the deletes deferred are found again. */
  listResources(): Promise<ResourceSummary[]>;
  /** Needs no event: deferred deletes are made again outside any stack operation. */
  delete(arn: string): Promise<void>;
}

/** A type that the API changes in place, for some request members at least. */
export interface UpdatedInPlace<TRequest extends object, TResource extends DescribedResource>
  extends ResourceHandlerBase<TRequest, TResource> {
  /** Request members the API can change in place. A change to any other member replaces the resource. */
  readonly updatableKeys: readonly (keyof TRequest & string)[];
  /** Changes `changedKeys` (all of them updatable) in place. */
  update(arn: string, request: TRequest, changedKeys: (keyof TRequest & string)[], context: RequestContext): Promise<TResource>;
}

/**
 * Create, read, update and delete for one IVS Real-Time resource type. The type requires `update` exactly when a
 * resource has members the API can change in place.
 */
export type ResourceHandler<TRequest extends object = any, TResource extends DescribedResource = any> =
  | ReplacedOnChange<TRequest, TResource>
  | UpdatedInPlace<TRequest, TResource>;

/** Every item of a List operation's pages. */
export async function listAll<TPage>(pages: AsyncIterable<TPage>, items: (page: TPage) => ResourceSummary[] | undefined): Promise<ResourceSummary[]> {
  const all: ResourceSummary[] = [];
  for await (const page of pages) {
    all.push(...items(page) ?? []);
  }
  return all;
}

/** The ARNs of `resources` created by the request of `token` (by their create request tag). */
export function createdBy(resources: readonly ResourceSummary[], token: string): string[] {
  return resources.filter((resource) => resource.tags?.[CREATE_REQUEST_TAG] === token).map((resource) => resource.arn!);
}
