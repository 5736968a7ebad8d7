import { configFromEnv, loadConfig, loadInstanceSecret, publicOrigin, systemClock, type Config } from '../core/index.js';
import { createProviderRegistry, createSecretBox, loadDeclaredProviders, type ProviderRegistry } from '../federation/index.js';
import { createDatabase, migrateToLatest } from '../storage/index.js';
import { storeLayer } from './store-flags.js';

/** Flags of the `gatehouse provider` commands besides the store's: the origin callback URLs are printed for. */
export const originFlags = { 'public-url': { type: 'string' } } as const;

/**
 * The provider registry a running node uses: the same database (DATABASE_URL / --data-dir), the same
 * instance secret (GATEHOUSE_SECRET or the data directory's) to seal client secrets, the same declared
 * providers (GATEHOUSE_PROVIDERS_FILE, GATEHOUSE_PROVIDER_*), and the public origin of the callback URLs.
 */
export async function withProviderRegistry<T>(values: Record<string, unknown>, use: (registry: ProviderRegistry, origin: string, config: Config) => Promise<T>): Promise<T> {
  const layer = storeLayer(values);
  if (typeof values['public-url'] === 'string') layer.server = { ...layer.server, publicUrl: values['public-url'] };
  const { config } = loadConfig(configFromEnv(process.env), layer);
  const { secret } = await loadInstanceSecret({ dataDir: config.server.dataDir, fromEnv: process.env.GATEHOUSE_SECRET });
  const declared = await loadDeclaredProviders(config.federation);
  const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const registry = createProviderRegistry({ db: database.db, clock: systemClock, box: createSecretBox(secret), declared });
    return await use(registry, publicOrigin(config), config);
  } finally {
    await database.close();
  }
}
