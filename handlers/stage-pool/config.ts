import { STAGE_POOL_CONFIG_ENV, StagePoolConfig } from '../../lib/private/stage-pool-contract';

/** The pool's configuration, as the construct rendered it into the function's environment. */
export function loadConfig(): StagePoolConfig {
  const json = process.env[STAGE_POOL_CONFIG_ENV];
  if (!json) {
    throw new Error(`${STAGE_POOL_CONFIG_ENV} is not set: the function runs only as a StagePool defines it`);
  }
  return JSON.parse(json);
}

/** The key of a session's record in the pool's table (beside the stage count's). */
export function sessionRecordKey(sessionKey: string): string {
  return `session:${sessionKey}`;
}
