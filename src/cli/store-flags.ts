import { layerOf, resolveNodeConfig, type Config, type DeepPartial, type ResolvedConfig } from '../core/index.js';

/**
 * Flags every store-touching subcommand takes, so it acts on the store a running node uses: the same
 * data directory, settings file (`--config`, else gatehouse.yaml in the data directory) and environment.
 */
export const storeFlags = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'redis-url': { type: 'string' },
  config: { type: 'string' },
} as const;

/** The flags that set configuration keys, by key: `config print` names them as sources. */
const FLAG_OF: Record<string, string> = {
  'server.dataDir': '--data-dir',
  'storage.databaseUrl': '--database-url',
  'storage.redisUrl': '--redis-url',
  'server.port': '--port',
  'server.host': '--host',
  'server.nodeId': '--node-id',
};

/**
 * A node's effective configuration as every subcommand sees it: defaults < file < environment < flags
 * (the store flags, and --port, --host, --node-id where a command takes them).
 */
export function nodeConfig(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const layer: DeepPartial<Config> = { server: {}, storage: {} };
  if (typeof values['data-dir'] === 'string') layer.server!.dataDir = values['data-dir'];
  if (typeof values['database-url'] === 'string') layer.storage!.databaseUrl = values['database-url'];
  if (typeof values['redis-url'] === 'string') layer.storage!.redisUrl = values['redis-url'];
  if (values.port !== undefined) layer.server!.port = Number(values.port);
  if (values.host !== undefined) layer.server!.host = String(values.host);
  if (values['node-id'] !== undefined) layer.server!.nodeId = String(values['node-id']);
  const file = typeof values.config === 'string' ? values.config : undefined;
  return resolveNodeConfig({ env, flags: layerOf(layer, (path) => `flag ${FLAG_OF[path] ?? path}`), file });
}

/** The resolved configuration as a layer for `createContext` / `loadConfig`. */
export function storeLayer(values: Record<string, unknown>): DeepPartial<Config> {
  return nodeConfig(values).config;
}
