import { POOL_METRIC_DIMENSION, POOL_METRIC_NAMESPACE, POOL_METRIC_STAGES } from '../../lib/private/stage-pool-contract';

/**
 * Writes the pool's stage count as a CloudWatch metric, in the embedded metric format: one log line, which CloudWatch
 * Logs turns into the metric (no PutMetricData call, no permission beyond writing the function's logs).
 */
export function emitStageCount(poolId: string, stages: number): void {
  console.log(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: POOL_METRIC_NAMESPACE,
        Dimensions: [[POOL_METRIC_DIMENSION]],
        Metrics: [{ Name: POOL_METRIC_STAGES, Unit: 'Count' }],
      }],
    },
    [POOL_METRIC_DIMENSION]: poolId,
    [POOL_METRIC_STAGES]: stages,
  }));
}
