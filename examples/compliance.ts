import { Stack, Validations } from 'aws-cdk-lib';

/**
 * What the examples leave at its default although cdk-nag's HIPAA.Security and NIST.800-53.R5 packs ask for more, and
 * why: an app under those rules sets the options named here instead of acknowledging the findings.
 */
const EXAMPLE_DEFAULTS: Record<string, string> = {
  CloudWatchLogGroupEncrypted: 'An example: the log groups of the library\'s functions keep CloudWatch Logs\' own encryption; '
    + 'an app under these rules encrypts them with its key, FunctionLogs.of(stack).encryptWith(key)',
  S3BucketVersioningEnabled: 'An example: its recordings are not versioned; an app under these rules sets versioned: true '
    + 'on its RecordingBucket (or StageRecording\'s bucketProps)',
  IAMNoInlinePolicy: 'An example: the grants (stage.grantRead, issuer.grantInvoke, ...) add their statements to the '
    + 'backend roles\' own policies, as aws-cdk-lib\'s grants do',
};

/** Acknowledges `EXAMPLE_DEFAULTS` on an example stack. */
export function acknowledgeExampleDefaults(stack: Stack): void {
  for (const [rule, reason] of Object.entries(EXAMPLE_DEFAULTS)) {
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(stack).acknowledge({ id: `${pack}-${rule}`, reason });
    }
  }
}
