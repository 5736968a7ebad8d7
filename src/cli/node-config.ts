import { layerOf, resolveNodeConfig, type Config, type DeepPartial, type ResolvedConfig } from '../core/index.js';
import { storeLayer } from './store-flags.js';

/** The flags that set a node's configuration keys, by key: `config print` names them as sources. */
const FLAG_OF: Record<string, string> = {
  'server.dataDir': '--data-dir',
  'storage.databaseUrl': '--database-url',
  'storage.redisUrl': '--redis-url',
  'server.port': '--port',
  'server.host': '--host',
  'server.nodeId': '--node-id',
};

/** `--config FILE`: the settings file of `serve`, `up` and `config print`. */
export const configFileFlag = { config: { type: 'string' } } as const;

/**
 * A node's effective configuration as `gatehouse serve` and `gatehouse config print` see it:
 * defaults < file < environment < these flags (store flags, --port, --host, --node-id).
 */
export function nodeConfig(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const layer: DeepPartial<Config> = storeLayer(values);
  layer.server = { ...layer.server };
  if (values.port !== undefined) layer.server.port = Number(values.port);
  if (values.host !== undefined) layer.server.host = String(values.host);
  if (values['node-id'] !== undefined) layer.server.nodeId = String(values['node-id']);
  const file = typeof values.config === 'string' ? values.config : undefined;
  return resolveNodeConfig({ env, flags: layerOf(layer, (path) => `flag ${FLAG_OF[path] ?? path}`), file });
}
