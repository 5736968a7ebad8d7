import type { Kysely } from 'kysely';
import type { Clock } from '../../core/index.js';
import type { Database } from '../../storage/index.js';

/**
 * The web origins a client's browser app runs on: those of its redirect URIs (a SPA is served where it
 * receives its code) plus any it registered explicitly as `web_origins`. Browser apps may call the
 * resource server (and the provider's CORS endpoints) from exactly these.
 */
export function clientWebOrigins(metadata: { redirect_uris?: unknown; web_origins?: unknown; redirectUris?: unknown; webOrigins?: unknown }): string[] {
  const out = new Set<string>();
  const uris = [metadata.redirect_uris ?? metadata.redirectUris, metadata.web_origins ?? metadata.webOrigins].flatMap((v) => (Array.isArray(v) ? v : []));
  for (const uri of uris) {
    if (typeof uri !== 'string') continue;
    const url = URL.parse(uri);
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) out.add(url.origin);
  }
  return [...out];
}

export interface WebOriginPolicy {
  allows(origin: string | undefined): Promise<boolean>;
}

const REFRESH_MS = 10_000;

/** Registered clients' web origins, re-read at most every ten seconds (a new client's SPA waits that long). */
export function createWebOriginPolicy(deps: { db: Kysely<Database>; clock: Clock }): WebOriginPolicy {
  let origins = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  const refresh = async () => {
    const rows = await deps.db.selectFrom('oauth_models').select('payload').where('model', '=', 'Client').execute();
    origins = new Set(rows.flatMap((r) => clientWebOrigins(JSON.parse(r.payload) as Record<string, unknown>)));
    readAt = deps.clock.now();
  };
  return {
    async allows(origin) {
      if (!origin || origin === 'null') return false;
      if (deps.clock.now() - readAt >= REFRESH_MS) {
        reading ??= refresh().finally(() => {
          reading = null;
        });
        await reading;
      }
      return origins.has(origin);
    },
  };
}
