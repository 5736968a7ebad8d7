import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig, type Config, type DeepPartial, type LoadedConfig } from './config.js';
import { GatehouseError } from './errors.js';

/**
 * Where a node's settings come from, later winning: the schema's defaults, a YAML file
 * (`gatehouse.yaml` in the data directory, or `--config FILE`), the environment, then command-line
 * flags. Every key of the schema has an environment variable derived from its path
 * (`sessions.idleTimeoutSec` → `GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC`); the older short names of the
 * interface contract (PORT, DATABASE_URL, REDIS_URL, GATEHOUSE_PUBLIC_URL, …) keep working, and a
 * derived name beats a short one when both are set.
 */

/** The file a node reads from its data directory when no `--config` is given. */
export const CONFIG_FILE = 'gatehouse.yaml';

interface SchemaNode {
  type?: string;
  const?: unknown;
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  /** true: the whole value is secret; 'url': the password and query of a URL are. */
  secret?: boolean | 'url';
}

export interface ConfigKey {
  /** `section.key` */
  path: string;
  schema: SchemaNode;
  /** The variable derived from the path. */
  env: string;
}

const envPart = (name: string): string => name.replace(/KiB/g, 'Kib').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** `sessions.idleTimeoutSec` → `GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC`. */
export const envNameOf = (path: string): string => `GATEHOUSE_${path.split('.').map(envPart).join('_')}`;

/** Every settable key of the schema (each section's properties). */
export function configKeys(): ConfigKey[] {
  const root = ConfigSchema as unknown as SchemaNode;
  return Object.entries(root.properties ?? {}).flatMap(([section, node]) =>
    Object.entries(node.properties ?? {}).map(([key, schema]) => ({ path: `${section}.${key}`, schema, env: envNameOf(`${section}.${key}`) })),
  );
}

/** The short names of the interface contract, older than the derived ones and kept working. */
export const SHORT_ENV: Record<string, string> = {
  PORT: 'server.port',
  GATEHOUSE_PUBLIC_URL: 'server.publicUrl',
  GATEHOUSE_DATA_DIR: 'server.dataDir',
  GATEHOUSE_NODE_ID: 'server.nodeId',
  GATEHOUSE_TRUST_PROXY: 'server.trustProxy',
  GATEHOUSE_PROXY_PROTOCOL: 'server.proxyProtocol',
  GATEHOUSE_METRICS_TOKEN: 'server.metricsToken',
  DATABASE_URL: 'storage.databaseUrl',
  REDIS_URL: 'storage.redisUrl',
  GATEHOUSE_REDIS_COMMAND_TIMEOUT_MS: 'storage.redisCommandTimeoutMs',
  GATEHOUSE_DB_STATEMENT_TIMEOUT_MS: 'storage.databaseStatementTimeoutMs',
  GATEHOUSE_SQLITE_LOCK_WAIT_MS: 'storage.sqliteLockWaitMs',
  GATEHOUSE_DB_CONNECT_TIMEOUT_MS: 'storage.databaseConnectTimeoutMs',
  GATEHOUSE_RETRY_AFTER_SEC: 'storage.retryAfterSec',
  GATEHOUSE_CLUSTER_REQUEST_TIMEOUT_MS: 'realtime.clusterRequestTimeoutMs',
  GATEHOUSE_NODE_TIMEOUT_MS: 'realtime.nodeTimeoutMs',
  GATEHOUSE_PROVIDERS_FILE: 'federation.providersFile',
  SMTP_URL: 'mail.smtpUrl',
  MAIL_FROM: 'mail.from',
};

/**
 * An environment string as the key's type: booleans from true/false/1/0, numbers, a listed literal,
 * JSON for lists. Anything else stays text, and validation then names the key it does not fit.
 */
function fromText(schema: SchemaNode, text: string, name: string): unknown {
  const kinds = schema.anyOf ?? [schema];
  if (kinds.some((k) => k.const === text)) return text;
  if (kinds.some((k) => k.type === 'boolean') && /^(true|false|1|0)$/i.test(text)) return /^(true|1)$/i.test(text);
  if (kinds.some((k) => k.type === 'integer' || k.type === 'number') && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (kinds.some((k) => k.type === 'array' || k.type === 'object')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `${name} is not valid JSON.` });
    }
  }
  return text;
}

/** One source of settings, and the name each of its keys came by (for `gatehouse config print`). */
export interface ConfigLayer {
  layer: DeepPartial<Config>;
  /** `section.key` → where it came from, e.g. `env DATABASE_URL`, `file /etc/gatehouse.yaml`, `flag --port`. */
  sources: Map<string, string>;
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const [section, key] = path.split('.') as [string, string];
  ((target[section] ??= {}) as Record<string, unknown>)[key] = value;
};

const PROVIDER_FIELDS = {
  KIND: 'kind',
  ISSUER: 'issuer',
  CLIENT_ID: 'clientId',
  CLIENT_SECRET: 'clientSecret',
  SCOPE: 'scope',
  DISPLAY_NAME: 'displayName',
  TRUST_EMAIL: 'trustEmail',
} as const;

/**
 * The env form of declared providers: GATEHOUSE_PROVIDER_<ID>_<FIELD>, e.g. GATEHOUSE_PROVIDER_GOOGLE_CLIENT_ID
 * or GATEHOUSE_PROVIDER_CORP_SSO_ISSUER (id `corp-sso`). KIND defaults to the id when that names a preset;
 * the fields join a same-id entry of the providers file (so the secret can live in the environment);
 * TRUST_EMAIL is `true` or `false`. Validation is the schema's, like every other layer.
 */
function providersFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('GATEHOUSE_PROVIDER_') || value === undefined || name === 'GATEHOUSE_PROVIDERS_FILE') continue;
    const rest = name.slice('GATEHOUSE_PROVIDER_'.length);
    const suffix = (Object.keys(PROVIDER_FIELDS) as (keyof typeof PROVIDER_FIELDS)[]).find((f) => rest.endsWith(`_${f}`));
    if (!suffix) continue;
    const id = rest.slice(0, -suffix.length - 1).toLowerCase().replace(/_/g, '-');
    const entry = byId.get(id) ?? { id };
    entry[PROVIDER_FIELDS[suffix]] = suffix === 'TRUST_EMAIL' ? value === 'true' || value === '1' : value;
    byId.set(id, entry);
  }
  return [...byId.values()];
}

/** The environment's settings: short names first, then the derived names over them. */
export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const keys = new Map(configKeys().map((k) => [k.path, k]));
  const providers = providersFromEnv(env);
  if (providers.length > 0) {
    setPath(layer, 'federation.providers', providers);
    sources.set('federation.providers', 'env GATEHOUSE_PROVIDER_*');
  }
  const named: [string, string][] = [...Object.entries(SHORT_ENV), ...[...keys.values()].map((k) => [k.env, k.path] as [string, string])];
  for (const [name, path] of named) {
    const text = env[name];
    // An empty variable is unset: how a caller clears an inherited value (DATABASE_URL='').
    if (text === undefined || text === '') continue;
    setPath(layer, path, fromText(keys.get(path)!.schema, text, name));
    sources.set(path, `env ${name}`);
  }
  return { layer: layer, sources };
}

/** Environment variables of the interface contract and the derived ones, as one configuration layer. */
export function configFromEnv(env: NodeJS.ProcessEnv): DeepPartial<Config> {
  return envLayer(env).layer;
}

/** Names each key a plain layer (flags, an embedding caller's object) sets with `source`. */
export function layerOf(layer: DeepPartial<Config>, source: (path: string) => string): ConfigLayer {
  const sources = new Map<string, string>();
  for (const [section, values] of Object.entries(layer as Record<string, Record<string, unknown> | undefined>)) {
    for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) sources.set(`${section}.${key}`, source(`${section}.${key}`));
  }
  return { layer, sources };
}

/** Reads a YAML (or JSON) settings file; a missing or malformed one refuses to start, naming the file. */
export function readConfigFile(path: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `The config file ${path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.`, cause });
  }
  let parsed: unknown;
  try {
    parsed = parse(text) as unknown;
  } catch (cause) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `The config file ${path} is not valid YAML.`, cause });
  }
  if (parsed === null || parsed === undefined) parsed = {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `The config file ${path} must hold a mapping of sections (server:, sessions:, …).` });
  }
  return layerOf(parsed as DeepPartial<Config>, () => `file ${path}`);
}

/**
 * The file a node reads: `--config FILE` (which must exist), else `gatehouse.yaml` in the data
 * directory when there is one. The data directory is the flags', the environment's or the default.
 */
export function findConfigFile(options: { file?: string | undefined; dataDir?: string | undefined; env: NodeJS.ProcessEnv }): string | null {
  if (options.file) return resolve(options.file);
  const dataDir = options.dataDir ?? options.env[envNameOf('server.dataDir')] ?? options.env.GATEHOUSE_DATA_DIR ?? (ConfigSchema.properties.server.properties.dataDir.default as string);
  const inDataDir = join(dataDir, CONFIG_FILE);
  return existsSync(inDataDir) ? resolve(inDataDir) : null;
}

export interface ResolvedConfig extends LoadedConfig {
  /** `section.key` → where its value came from (`default` when nothing set it). */
  sources: Record<string, string>;
  /** The settings file read, if any. */
  file: string | null;
}

/** Defaults < file < environment < flags: the effective configuration of a node, with the source of each key. */
export function resolveNodeConfig(options: { env: NodeJS.ProcessEnv; flags?: ConfigLayer; file?: string | undefined }): ResolvedConfig {
  const flags: ConfigLayer = options.flags ?? { layer: {}, sources: new Map() };
  const file = findConfigFile({ file: options.file, dataDir: flags.layer.server?.dataDir, env: options.env });
  const layers = [...(file ? [readConfigFile(file)] : []), envLayer(options.env), flags];
  const loaded = loadConfig(...layers.map((l) => l.layer));
  const sources: Record<string, string> = {};
  for (const key of configKeys()) sources[key.path] = layers.findLast((l) => l.sources.has(key.path))?.sources.get(key.path) ?? 'default';
  return { ...loaded, sources, file };
}

/** A value fit to print: secrets replaced, a URL's password and query blanked. */
export function redactValue(schema: SchemaNode, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (schema.secret === true) return '[redacted]';
  if (schema.secret === 'url' && typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.password) url.password = 'redacted';
      if (url.search) url.search = '?redacted';
      return url.toString();
    } catch {
      return '[redacted]';
    }
  }
  if (Array.isArray(value) && schema.items) return value.map((item) => redactValue(schema.items!, item));
  if (schema.properties && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schema.properties![k] ? redactValue(schema.properties![k], v) : v]));
  }
  return value;
}
