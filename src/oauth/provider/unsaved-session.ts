import type Provider from 'oidc-provider';

/**
 * oidc-provider 9 renders a device-flow error (an unknown or expired `/device/:uid`) by giving the
 * browser session a fresh xsrf secret after the session middleware has finished, then "persists" the
 * session; for a visitor without a session that one was never stored, and persisting it threw, so any
 * request to a made-up device URL was a 500. A session never stored has nothing to keep in sync, and
 * storing one for an anonymous error page would let requests grow the store: it is skipped.
 */
export function skipPersistOfUnsavedSessions(provider: Provider): void {
  type WithPersist = { exp?: unknown; persist(): Promise<unknown> };
  const proto = provider.Session.prototype as unknown as WithPersist;
  const original = proto.persist;
  proto.persist = async function persist(this: WithPersist) {
    if (typeof this.exp !== 'number') return undefined;
    return original.call(this);
  };
}
