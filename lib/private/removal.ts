import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The deletion policy of a construct's CloudFormation resource (its `node.defaultChild`), if it has one. */
function deletionPolicyOf(construct: IConstruct): CfnDeletionPolicy | undefined {
  return (construct.node.defaultChild as CfnResource | undefined)?.cfnOptions?.deletionPolicy;
}

/** Whether CloudFormation keeps the construct's resource when the stack is deleted, or the resource removed from it. */
export function isRetainedOnDelete(construct: IConstruct): boolean {
  const policy = deletionPolicyOf(construct);
  return policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
}

/**
 * Gives `dependency` the deletion policy of `dependent` when `dependent` is kept and `dependency` would not be: IVS
 * refuses to delete a resource that one it keeps still uses, and the stack's every delete would fail. Only the deletion
 * policy: a replaced `dependency` is no longer used, and is deleted.
 */
export function keepWhileKept(dependency: IConstruct, dependent: IConstruct): void {
  if (isRetainedOnDelete(dependent) && !isRetainedOnDelete(dependency)) {
    (dependency.node.defaultChild as CfnResource).cfnOptions.deletionPolicy = deletionPolicyOf(dependent);
  }
}
