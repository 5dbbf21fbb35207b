import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CompositionDestination, RecordingBucket, StageComposition, StagePool, StorageConfiguration } from '../lib';
import { acknowledgeExampleDefaults } from './compliance';

/**
 * A stage per session: the backend (here a role) asks the pool's session function for a session's stage, each session
 * is recorded to S3 as a composition once someone publishes, and the pool deletes a stage once nobody joined it for two
 * minutes, or a minute after its last participant left.
 */
export class StagePoolStack extends Stack {
  public readonly pool: StagePool;
  public readonly composition: StageComposition;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    acknowledgeExampleDefaults(this);
    this.pool = new StagePool(this, 'Sessions', {
      tags: { app: 'classroom' },
      emptyTimeout: Duration.minutes(2),
      departureTimeout: Duration.minutes(1),
      maxAge: Duration.hours(12),
      maxStages: 100,
    });
    const backend = new iam.Role(this, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.pool.grantCreateSession(backend);

    const storageConfiguration = new StorageConfiguration(this, 'Storage', { bucket: new RecordingBucket(this, 'Recordings') });
    this.composition = new StageComposition(this, 'Recording', {
      stagePool: this.pool,
      destinations: [CompositionDestination.s3(storageConfiguration)],
    });
  }
}
