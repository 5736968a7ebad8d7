import type { Kysely } from 'kysely';
import type { Clock, Config, IdSource } from '../core/index.js';
import type { Database, KeyValueStore } from '../storage/index.js';
import { createFederationFlow, type FederationFlow } from './flow.js';
import { createLinkStore, type LinkStore } from './links.js';
import { loadDeclaredProviders } from './providers/declared.js';
import { createProviderRegistry, type ProviderRecord, type ProviderRegistry } from './providers/registry.js';
import { createSecretBox } from './providers/secret-box.js';

export interface FederationModuleDeps {
  federation: Config['federation'];
  db: Kysely<Database>;
  kv: KeyValueStore;
  clock: Clock;
  ids: IdSource;
  /** The instance secret: provider client secrets are sealed at rest under a key derived from it. */
  secret: string;
}

/** Sign-in with other providers, built in one place; the HTTP layer only mounts its routes. */
export interface FederationModule {
  /** Providers declared in configuration (file and environment), validated. */
  declared: readonly ProviderRecord[];
  registry: ProviderRegistry;
  /** Which provider accounts are linked to which users. */
  links: LinkStore;
  /** The code + PKCE flow: start, callback, its one-use state. */
  flow: FederationFlow;
}

/** Reads the declared providers (a bad declaration refuses to start, with GH_CORE_CONFIG_INVALID). */
export async function createFederationModule(deps: FederationModuleDeps): Promise<FederationModule> {
  const declared = await loadDeclaredProviders(deps.federation);
  const registry = createProviderRegistry({ db: deps.db, clock: deps.clock, box: createSecretBox(deps.secret), declared });
  const links = createLinkStore({ db: deps.db, clock: deps.clock, ids: deps.ids });
  const flow = createFederationFlow({ registry, kv: deps.kv, clock: deps.clock, ids: deps.ids, allowInsecureLoopback: true });
  return { declared, registry, links, flow };
}
