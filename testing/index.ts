/**
 * The testing kit of cdk-ivs-realtime (`cdk-ivs-realtime/testing`), for TypeScript and JavaScript tests: deploy an
 * app's cloud assembly offline against local IVS Real-Time, Secrets Manager and KMS servers, drive what IVS does at
 * run time, and inject faults. Not part of the construct library: jsii does not see it, no other language has it,
 * and neither the library nor its Lambda bundles load it.
 *
 * `LocalIvs` and `LocalDeployment` are the kit; the classes they are built of are exported for tests that need one
 * piece on its own (a stack deployed from a `Stack` object, a function invoked asynchronously, a scheduled rule fired).
 */
export * from './local-ivs';
export * from './local-deployment';
export { FakeIvsServer } from './fake-ivs-server';
export type {
  DelaySpec, FakeComposition, FakeDestination, FakeEncoderConfiguration, FakeIngestConfiguration, FakeIvsServerOptions,
  FakeParticipant, FakePublicKey, FakeStage, FakeStageSession, FakeStorageConfiguration, FaultSpec, LostAnswerSpec,
  RateLimits, RecordedCall, ServiceQuotas,
} from './fake-ivs-server';
export { FakeSecretsManager } from './fake-secrets-manager';
export type { SecretsManagerCall, SecretsManagerDelay, SecretsManagerFault } from './fake-secrets-manager';
export { FakeKms } from './fake-kms';
export type { FakeKmsKey, KmsCall, KmsFaultSpec } from './fake-kms';
export { FakeDynamoDb } from './fake-dynamodb';
export type { DynamoDbCall, DynamoDbFault, DynamoDbOperation } from './fake-dynamodb';
export { FakeEventBridge } from './fake-eventbridge';
export type { EventBridgeCall, EventBridgeFault, FakeRule } from './fake-eventbridge';
export { LifecycleDriver } from './lifecycle-driver';
export type {
  CustomResourceEvent, DuplicateDelivery, FakeResourceEvent, InvokeResult, LambdaCall, LambdaFaultSpec, LifecycleDriverOptions,
  LifecycleEvent, LifecycleResult, RequestType, SynthesizedStack, Template,
} from './lifecycle-driver';
export { AsyncInvoker } from './async-invocation';
export type { AsyncInvocation, AsyncInvokerOptions } from './async-invocation';
export { fireScheduledRule } from './scheduled-rule';
export { matchesEventPattern } from './event-pattern';
