import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { setLogKey } from './private/function-log-keys';

/**
 * The log groups of the Lambda functions this library defines in a scope: the custom-resource provider's (one per
 * stack), and those of each `StageComposition` and `ParticipantTokenIssuer`. As aws-cdk-lib's `CustomResourceConfig`,
 * a setting for a scope (an app, a stage or a stack) that holds for every such log group in it, those defined before
 * the call and after it.
 *
 * @example
 * import * as kms from 'aws-cdk-lib/aws-kms';
 * import { FunctionLogs } from 'cdk-ivs-realtime';
 *
 * const key = new kms.Key(this, 'LogsKey', { enableKeyRotation: true });
 * FunctionLogs.of(this).encryptWith(key);
 */
export class FunctionLogs {
  /** The library's function log groups in `scope`. */
  public static of(scope: IConstruct): FunctionLogs {
    return new FunctionLogs(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Encrypts the library's function log groups in the scope with `key`, a customer-managed KMS key, instead of
   * CloudWatch Logs' own encryption (as HIPAA.Security and NIST.800-53.R5 ask: cdk-nag's `CloudWatchLogGroupEncrypted`).
   *
   * The key must be in the log groups' region and let CloudWatch Logs use it (CloudWatch Logs User Guide, "Encrypt log
   * data in CloudWatch Logs using AWS KMS"): for a `kms.Key` of the app, this adds that statement to its key policy
   * (the service principal `logs.<region>.amazonaws.com`, for the log groups of the key's account and region only); an
   * imported key's policy must allow it already. The functions need no KMS permission: CloudWatch Logs encrypts.
   */
  public encryptWith(key: kms.IKey): void {
    setLogKey(this.scope, key);
    const region = Stack.of(key).region;
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${region}:${Stack.of(key).account}:log-group:*` },
      },
    }));
  }
}
