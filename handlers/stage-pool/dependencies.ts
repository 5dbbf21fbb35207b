import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { StagePoolConfig } from '../../lib/private/stage-pool-contract';
import { CreateRequests } from '../provider/create-requests';
import { SweepArming } from '../provider/deferred-deletes';
import { ivsClient } from '../shared/client';
import { invokeIssuer } from './first-token';
import { StageCount } from './stage-count';

/**
 * The clients and stores of a pool's function, made on the first event (not at load, so that the clients read their
 * endpoints from the environment the invocation runs with) and kept while Lambda keeps the container.
 */
export function poolDependencies(config: StagePoolConfig) {
  const db = new DynamoDBClient({});
  return {
    ivs: ivsClient(),
    requests: new CreateRequests(db, config.tableName),
    count: new StageCount(db, config.tableName),
    // the rule's name is in the configuration: the key `arm` and `disarm` are given is the name itself.
    arming: new SweepArming(new EventBridgeClient({}), (ruleName) => ruleName),
    issueToken: config.tokenIssuerFunctionArn ? invokeIssuer(new LambdaClient({}), config.tokenIssuerFunctionArn) : undefined,
  };
}
