import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/** The key each scope's library log groups are encrypted with (set by `FunctionLogs.encryptWith`). */
const LOG_KEYS = new WeakMap<IConstruct, kms.IKey>();
/** The log groups of the library's functions. */
const LIBRARY_LOG_GROUPS = new WeakSet<IConstruct>();

/**
 * Registers `logGroup` as one of the library's, and encrypts it with the key set for its nearest scope, if any. Set in
 * the template as it is defined, not lazily, so that checks that read the construct tree (cdk-nag) see it.
 */
export function encryptWithConfiguredKey(logGroup: logs.LogGroup): void {
  LIBRARY_LOG_GROUPS.add(logGroup);
  applyConfiguredKey(logGroup);
}

/** Sets `key` for the library's log groups in `scope`, those already defined included. */
export function setLogKey(scope: IConstruct, key: kms.IKey): void {
  LOG_KEYS.set(scope, key);
  scope.node.findAll().filter((construct) => LIBRARY_LOG_GROUPS.has(construct)).forEach(applyConfiguredKey);
}

function applyConfiguredKey(logGroup: IConstruct): void {
  const key = logGroup.node.scopes.reverse().map((scope) => LOG_KEYS.get(scope)).find((candidate) => candidate);
  if (key) {
    (logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = key.keyArn;
  }
}
