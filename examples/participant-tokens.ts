import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ParticipantTokenCapability, ParticipantTokenIssuer, ParticipantTokenSigningKey, Stage } from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

export interface ParticipantTokensStackProps extends StackProps {
  /** The signing key's generation: raise it to rotate. @default 1 */
  readonly generation?: number;
  /** The oldest generation whose tokens IVS still accepts. @default 1 */
  readonly oldestGeneration?: number;
  /** Whether the generation before the current one may be retired. @default false */
  readonly allowCuttingOffTokens?: boolean;
}

/**
 * Participant tokens with no private key anywhere: a KMS key signs them, IVS holds its public half, and a function
 * issues tokens for one stage to the app's backend, which may ask for at most two hours.
 */
export class ParticipantTokensStack extends Stack {
  public readonly stage: Stage;
  public readonly signingKey: ParticipantTokenSigningKey;
  public readonly issuer: ParticipantTokenIssuer;

  constructor(scope: Construct, id: string, props: ParticipantTokensStackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);
    this.stage = new Stage(this, 'Stage', { stageName: 'classroom' });
    this.signingKey = new ParticipantTokenSigningKey(this, 'TokenSigningKey', {
      generation: props.generation,
      oldestGeneration: props.oldestGeneration,
      allowCuttingOffTokens: props.allowCuttingOffTokens,
    });
    this.issuer = new ParticipantTokenIssuer(this, 'Tokens', {
      signingKey: this.signingKey,
      stages: [this.stage],
      capabilities: [ParticipantTokenCapability.PUBLISH, ParticipantTokenCapability.SUBSCRIBE],
      maxDuration: Duration.hours(2),
    });

    const backend = new iam.Role(this, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.issuer.grantInvoke(backend);
  }
}
