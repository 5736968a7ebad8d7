import { readFile } from 'node:fs/promises';
import type { Static } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { GatehouseError } from '../core/index.js';
import { BALANCER_FLAGS, BalancerFileSchema, HealthCheckSchema, type BalancerFlag } from './config-schema.js';
import { isValidHashKey } from './http/proxy.js';
import { validateSpec } from './pool.js';
import type { AlgorithmName, BackendSpec } from './types.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Everything `gatehouse balance` runs from; durations in ms, sizes in bytes. */
export interface BalancerConfig {
  mode: 'http' | 'tcp' | 'udp';
  listen: HostPort;
  /** Admin API address; null turns it off. Loopback by default; elsewhere it needs `token`. */
  admin: (HostPort & { token?: string }) | null;
  algorithm: AlgorithmName;
  /** consistent-hash key: ip | path | header:<name> | cookie:<name>. */
  hashKey: string;
  backends: BackendSpec[];
  /** Active checks; null = passive ejection only. `path` absent = TCP connect. */
  healthCheck: { path?: string; intervalMs: number; timeoutMs: number; rise: number; fall: number } | null;
  /** Passive ejection (Envoy's outlier detection): consecutive failures or a failure rate over a window. */
  passive: { maxFailures: number; ejectMs: number; failurePercent: number; minRequests: number; windowMs: number; maxEjectionPercent: number };
  /** Retries allowed on top of first attempts: `percent` of them, and at least `minPerSecond`. */
  retryBudget: { percent: number; minPerSecond: number };
  slowStartMs: number;
  timeouts: { connectMs: number; responseMs: number; headersMs: number; requestMs: number; idleMs: number; keepAliveMs: number; shutdownMs: number };
  limits: { maxHeaderBytes: number; maxBodyBytes: number };
  retries: number;
  trustForwarded: boolean;
  socketioPath: string | false;
  wsDrainWindowMs: number;
  /** Lean HTTP/1.1 framing for plain bodiless requests (http/fast-path.ts); false = node:http only. */
  fastPath: boolean;
  workers: number;
  /** L4: send a PROXY protocol header to backends. */
  proxyProtocol?: 'v1' | 'v2';
  /** L4: expect a PROXY protocol header from a balancer in front. */
  acceptProxyProtocol: boolean;
  /** UDP: a client's flow is forgotten after this much silence. */
  udpIdleMs: number;
}


const invalid = (message: string): GatehouseError => new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message });

/** "HOST:PORT", ":PORT" or "PORT"; IPv6 as "[::1]:PORT". */
export function parseHostPort(value: string, what: string, defaultHost = '127.0.0.1'): HostPort {
  const text = String(value).trim();
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(text);
  if (!match) throw invalid(`${what} must be HOST:PORT (got "${text.slice(0, 80)}").`);
  const host = match[1] ?? (match[2] || defaultHost);
  const port = Number(match[3]);
  if (port < 0 || port > 65535) throw invalid(`${what}: port must be 0-65535.`);
  return { host, port };
}

/** A `--backend` value: HOST:PORT[,weight=N][,id=NAME]. */
export function parseBackend(value: string): BackendSpec {
  const [address = '', ...options] = String(value).split(',');
  const { host, port } = parseHostPort(address, 'backend');
  const spec: BackendSpec = { host, port };
  for (const option of options) {
    const [key, raw = ''] = option.split('=');
    if (key === 'weight' && /^\d+$/.test(raw)) spec.weight = Number(raw);
    else if (key === 'id' && /^[\w.:-]{1,64}$/.test(raw)) spec.id = raw;
    else throw invalid(`Backend option "${option.slice(0, 40)}" is not weight=N or id=NAME.`);
  }
  validateSpec(spec);
  return spec;
}

/** 1500, "1500ms", "2s", "1m". */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim()) : null;
  if (!match) throw invalid(`${what} must be a duration such as 500ms, 5s or 1m.`);
  const n = Number(match[1]);
  return Math.round(match[2] === 's' ? n * 1000 : match[2] === 'm' ? n * 60_000 : n);
}


type FileConfig = Static<typeof BalancerFileSchema>;

/** The first schema error, worded for a person: the key's path and what it must be. */
function describeError(error: ValueError): string {
  const path = error.path.replace(/^\//, '').replace(/\//g, '.') || '(the config)';
  const hint = (error.schema as { hint?: string }).hint;
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return `Unknown config key at ${path}.`;
  return hint ? `${path} must be ${hint}.` : `${path}: ${error.message}.`;
}

/**
 * Validates a config (parsed YAML, flags laid over it, or an object built in code) against the one
 * schema, fills its defaults and turns it into BalancerConfig. Unknown keys are refused so a typo is not
 * silently ignored.
 */
export function parseBalancerConfig(raw: unknown): BalancerConfig {
  const input = raw === null || raw === undefined ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid('The config must be a mapping.');
  const value: unknown = Value.Default(BalancerFileSchema, structuredClone(input));
  const error = Value.Errors(BalancerFileSchema, value).First();
  if (error) throw invalid(describeError(error));
  const f = value as FileConfig;
  const config: BalancerConfig = {
    mode: f.mode,
    listen: parseHostPort(f.listen, 'listen'),
    admin: f.admin === false || f.admin === null ? null : parseHostPort(f.admin, 'admin'),
    algorithm: f.algorithm,
    hashKey: f.hashKey,
    backends: f.backends.map(toBackend),
    healthCheck: toHealthCheck(f.healthCheck),
    passive: {
      maxFailures: f.passive.maxFailures,
      ejectMs: parseDuration(f.passive.eject, 'passive.eject'),
      failurePercent: f.passive.failurePercent,
      minRequests: f.passive.minRequests,
      windowMs: parseDuration(f.passive.window, 'passive.window'),
      maxEjectionPercent: f.passive.maxEjectionPercent,
    },
    retryBudget: { percent: f.retryBudget.percent, minPerSecond: f.retryBudget.minPerSecond },
    slowStartMs: parseDuration(f.slowStart, 'slowStart'),
    timeouts: {
      connectMs: parseDuration(f.timeouts.connect, 'timeouts.connect'),
      responseMs: parseDuration(f.timeouts.response, 'timeouts.response'),
      headersMs: parseDuration(f.timeouts.headers, 'timeouts.headers'),
      requestMs: parseDuration(f.timeouts.request, 'timeouts.request'),
      idleMs: parseDuration(f.timeouts.idle, 'timeouts.idle'),
      keepAliveMs: parseDuration(f.timeouts.keepAlive, 'timeouts.keepAlive'),
      shutdownMs: parseDuration(f.timeouts.shutdown, 'timeouts.shutdown'),
    },
    limits: { maxHeaderBytes: f.limits.maxHeaderBytes, maxBodyBytes: f.limits.maxBodyBytes },
    retries: f.retries,
    trustForwarded: f.trustForwarded,
    socketioPath: f.socketioPath === false ? false : f.socketioPath.endsWith('/') ? f.socketioPath : `${f.socketioPath}/`,
    wsDrainWindowMs: parseDuration(f.wsDrainWindow, 'wsDrainWindow'),
    fastPath: f.fastPath,
    workers: f.workers,
    acceptProxyProtocol: f.acceptProxyProtocol,
    udpIdleMs: parseDuration(f.udpIdleTimeout, 'udpIdleTimeout'),
  };
  if (f.proxyProtocol !== undefined) config.proxyProtocol = f.proxyProtocol;
  if (config.admin && f.adminToken !== undefined) config.admin.token = f.adminToken;
  if (!isValidHashKey(config.hashKey)) throw invalid('hashKey must be ip, path, header:<name> or cookie:<name>.');
  checkConsistency(config);
  return config;
}

function toBackend(b: FileConfig['backends'][number]): BackendSpec {
  if (typeof b === 'string') return parseBackend(b);
  const spec: BackendSpec = { ...parseHostPort(b.address ?? `${b.host ?? ''}:${String(b.port ?? '')}`, 'backend') };
  if (b.weight !== undefined) spec.weight = b.weight;
  if (b.id !== undefined) spec.id = b.id;
  validateSpec(spec);
  return spec;
}

function toHealthCheck(h: FileConfig['healthCheck']): BalancerConfig['healthCheck'] {
  if (h === null || h === false) return null;
  const filled = Value.Default(HealthCheckSchema, typeof h === 'string' ? { path: h } : h) as Static<typeof HealthCheckSchema>;
  const check: NonNullable<BalancerConfig['healthCheck']> = {
    intervalMs: parseDuration(filled.interval, 'healthCheck.interval'),
    timeoutMs: parseDuration(filled.timeout, 'healthCheck.timeout'),
    rise: filled.rise,
    fall: filled.fall,
  };
  if (filled.path !== undefined && filled.path !== 'tcp') {
    if (!/^\/[\x21-\x7e]*$/.test(filled.path)) throw invalid('healthCheck.path must start with / (or be "tcp").');
    check.path = filled.path;
  }
  if (check.intervalMs < 50) throw invalid('healthCheck.interval must be at least 50ms.');
  return check;
}

/** Settings that contradict each other refuse to start. */
export function checkConsistency(config: BalancerConfig): void {
  const ids = new Set<string>();
  for (const b of config.backends) {
    const id = b.id ?? `${b.host}:${b.port}`;
    if (ids.has(id)) throw invalid(`Backend ${id} is listed twice.`);
    ids.add(id);
  }
  if (config.admin && !isLoopback(config.admin.host) && !config.admin.token) {
    throw invalid('An admin API off loopback needs a bearer token (adminToken, --admin-token or GATEHOUSE_ADMIN_TOKEN).');
  }
  if (config.healthCheck && config.healthCheck.timeoutMs >= config.healthCheck.intervalMs) {
    throw invalid('healthCheck.timeout must be shorter than healthCheck.interval.');
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** A config file's YAML, parsed but not yet validated (flags are laid over it first). */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Cannot read config file ${path}.`, cause: error });
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, cause: error });
  }
}

export async function loadConfigFile(path: string): Promise<BalancerConfig> {
  return parseBalancerConfig(await readConfigFile(path));
}

/** The values of BALANCER_FLAGS as the command line gave them. */
export type BalancerFlagValues = Partial<Record<BalancerFlag, string | string[] | undefined>>;

/**
 * The config file (if any) with the flags laid over it key by key, validated once: what `gatehouse
 * balance` runs and `gatehouse balance export` writes out are the same config. `--health-check` sets
 * only the path, keeping the file's interval and thresholds; GATEHOUSE_ADMIN_TOKEN stands in for
 * --admin-token.
 */
export async function resolveBalancerConfig(configPath: string | undefined, flags: BalancerFlagValues, env: NodeJS.ProcessEnv = process.env): Promise<BalancerConfig> {
  // The cheap checks first, before the file is read, so the message names the flag.
  if (typeof flags.listen === 'string') parseHostPort(flags.listen, '--listen');
  for (const b of [flags.backend ?? []].flat()) parseBackend(b);
  const file = configPath ? await readConfigFile(configPath) : {};
  if (file !== null && (typeof file !== 'object' || Array.isArray(file))) throw invalid(`Config file ${configPath ?? ''} must hold a mapping.`);
  const layered: Record<string, unknown> = { ...(file as Record<string, unknown> | null) };
  const values: BalancerFlagValues = { ...flags };
  if (values['admin-token'] === undefined && env.GATEHOUSE_ADMIN_TOKEN !== undefined) values['admin-token'] = env.GATEHOUSE_ADMIN_TOKEN;
  for (const [flag, key] of Object.entries(BALANCER_FLAGS) as [BalancerFlag, string][]) {
    const value = values[flag];
    if (value === undefined) continue;
    if (key === 'healthCheck.path') {
      const prior = layered.healthCheck;
      layered.healthCheck = prior !== null && typeof prior === 'object' ? { ...prior, path: value } : value;
    } else if (key === 'admin') layered.admin = value === 'off' ? false : value;
    else if (key === 'workers') layered.workers = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value;
    else layered[key] = value;
  }
  return parseBalancerConfig(layered);
}

export const DEFAULT_CONFIG: BalancerConfig = parseBalancerConfig({});
