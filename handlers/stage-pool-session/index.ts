import { CreateSessionRequest, CreateSessionResponse } from '../../lib/private/stage-pool-contract';
import { loadConfig } from '../stage-pool/config';
import { poolDependencies } from '../stage-pool/dependencies';
import { createSession } from '../stage-pool/sessions';

let served: { readonly config: ReturnType<typeof loadConfig>; readonly deps: ReturnType<typeof poolDependencies> } | undefined;

/**
 * A `StagePool`'s session function, which the app's backend invokes (`grantCreateSession`) with `{ "sessionKey": … }`: it
 * answers with the session's stage (its ARN and endpoints), made from the pool's settings on the first call with the key.
 * A full pool fails with `StagePoolFullError`.
 */
export async function handler(event: CreateSessionRequest): Promise<CreateSessionResponse> {
  if (!served) {
    const config = loadConfig();
    served = { config, deps: poolDependencies(config) };
  }
  return createSession(served.deps, served.config, event);
}
