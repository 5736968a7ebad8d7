import type { Identity } from '../../identity/index.js';
import type { AuthorizationServerDeps } from '../provider/server.js';

/**
 * Client secrets are guessed like passwords: every comparison first reserves an attempt in the shared
 * login throttle (keyed by client id and address), and a failure is audited. What a `serve` node wires
 * into the provider, and what the benchmark runs beside it.
 */
export function throttledClientSecretCheck(identity: Pick<Identity, 'throttle' | 'audit'>): NonNullable<AuthorizationServerDeps['checkClientSecret']> {
  return async ({ clientId, ip }, compare) => {
    const attempt = await identity.throttle.reserve({ email: clientId, ip, kind: 'client-secret' });
    if (await compare()) {
      await attempt.succeed();
      return true;
    }
    await attempt.fail();
    await identity.audit.record({ type: 'oauth.client-auth.failure', userId: null, ip, data: { clientId } });
    return false;
  };
}
