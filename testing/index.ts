/**
 * The testing kit of cdk-ivs-realtime (`cdk-ivs-realtime/testing`), for TypeScript and JavaScript tests: deploy an
 * app's cloud assembly offline against local IVS Real-Time, Secrets Manager, KMS and S3 servers, look at what IVS holds,
 * drive what IVS does at run time, inject faults and shorten IVS's timeouts. Not part of the construct library: jsii
 * does not see it, no other language has it, and neither the library nor its Lambda bundles load it.
 *
 * Two values: `LocalIvs` (the local services) and `LocalDeployment` (deploy, update, destroy, run time). Every other
 * export is a type: what those two take and give (the local services' state and fault specs among them).
 * Supported aws-cdk-lib versions: the package's `peerDependencies` range (`^2.276.0`), checked by `LocalIvs.start`
 * and `new LocalDeployment`.
 */
export { LocalIvs } from './local-ivs';
export type { LocalIvsOptions } from './local-ivs';
export type { Clock } from './clock';
export { LocalDeployment } from './local-deployment';
export type {
  DeployedStack, DeploymentResult, DeployOptions, EventDelivery, IvsEvent, LocalDeploymentOptions, Participant,
  ParticipantPublished, RecordingEndOptions, SkippedResource,
} from './local-deployment';
export type {
  DelaySpec, FakeComposition, FakeDestination, FakeEncoderConfiguration, FakeIngestConfiguration, FakeIvsServer,
  FakeParticipant, FakePublicKey, FakeStage, FakeStageSession, FakeStorageConfiguration, FaultSpec, IngestState,
  LostAnswer, LostAnswerSpec, RateLimits, RecordedCall, ServiceQuotas, Tags,
} from './fake-ivs-server';
export type { FakeSecretsManager, SecretsManagerCall, SecretsManagerDelay, SecretsManagerFault, SecretsManagerOperation } from './fake-secrets-manager';
export type { FakeKms, FakeKmsKey, KeySpec, KeyUsage, KmsCall, KmsFaultSpec } from './fake-kms';
export type { DynamoDbCall, DynamoDbFault, DynamoDbOperation, FakeDynamoDb } from './fake-dynamodb';
export type { EventBridgeCall, EventBridgeFault, EventBridgeOperation, FakeEventBridge, FakeRule, PutEvent } from './fake-eventbridge';
export type { FakeS3, FakeS3Object, S3Call, S3Fault, S3Operation } from './fake-s3';
export type {
  CapturedResponse, CustomResourceEvent, DuplicateDelivery, LambdaApi, LambdaCall, LambdaFaultSpec, LifecycleEvent,
  LifecycleResult, RequestType, ResponseServer, Template,
} from './lifecycle-driver';
export type { AsyncInvocation } from './async-invocation';
export type { FunctionError, InvokeOutcome } from './lifecycle/lambda-runtime';
export type { TemplateResource } from './lifecycle/assembly';
export type { LambdaOperation } from './lifecycle/lambda-api';
export type { JsonTargetServer } from './json-target-server';
