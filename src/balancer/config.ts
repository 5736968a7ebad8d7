import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { GatehouseError } from '../core/index.js';
import { isValidHashKey } from './http/proxy.js';
import { isAlgorithmName, validateSpec } from './pool.js';
import { ALGORITHM_NAMES, type AlgorithmName, type BackendSpec } from './types.js';

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
  timeouts: { connectMs: number; responseMs: number; headersMs: number; requestMs: number; idleMs: number; keepAliveMs: number };
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

export const DEFAULT_CONFIG: BalancerConfig = {
  mode: 'http',
  listen: { host: '127.0.0.1', port: 8080 },
  admin: { host: '127.0.0.1', port: 9090 },
  algorithm: 'round-robin',
  hashKey: 'ip',
  backends: [],
  healthCheck: null,
  passive: { maxFailures: 3, ejectMs: 10_000, failurePercent: 50, minRequests: 20, windowMs: 10_000, maxEjectionPercent: 50 },
  retryBudget: { percent: 20, minPerSecond: 10 },
  slowStartMs: 10_000,
  timeouts: { connectMs: 3_000, responseMs: 60_000, headersMs: 10_000, requestMs: 120_000, idleMs: 120_000, keepAliveMs: 5_000 },
  limits: { maxHeaderBytes: 16 * 1024, maxBodyBytes: 16 * 1024 * 1024 },
  retries: 2,
  trustForwarded: false,
  socketioPath: '/socket.io/',
  wsDrainWindowMs: 10_000,
  fastPath: true,
  workers: 1,
  acceptProxyProtocol: false,
  udpIdleMs: 30_000,
};

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

function int(value: unknown, what: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw invalid(`${what} must be an integer ${min}-${max}.`);
  return n;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} must be a mapping.`);
  return value as Record<string, unknown>;
}

const KNOWN = new Set([
  'mode', 'listen', 'admin', 'adminToken', 'algorithm', 'hashKey', 'backends', 'healthCheck', 'passive', 'slowStart',
  'timeouts', 'limits', 'retries', 'retryBudget', 'trustForwarded', 'socketioPath', 'wsDrainWindow', 'workers', 'proxyProtocol',
  'acceptProxyProtocol', 'udpIdleTimeout', 'fastPath',
]);

/**
 * Validates a config object (parsed YAML, or built in code) over the defaults. Unknown keys are
 * refused so a typo is not silently ignored.
 */
export function parseBalancerConfig(raw: unknown, base: BalancerConfig = DEFAULT_CONFIG): BalancerConfig {
  const input = raw === null || raw === undefined ? {} : record(raw, 'The config');
  for (const key of Object.keys(input)) if (!KNOWN.has(key)) throw invalid(`Unknown config key "${key.slice(0, 40)}".`);
  const config: BalancerConfig = structuredClone(base);
  if (input.mode !== undefined) {
    if (input.mode !== 'http' && input.mode !== 'tcp' && input.mode !== 'udp') throw invalid('mode must be http, tcp or udp.');
    config.mode = input.mode;
  }
  if (input.listen !== undefined) config.listen = parseHostPort(String(input.listen), 'listen');
  if (input.admin !== undefined) config.admin = input.admin === false || input.admin === null ? null : { ...parseHostPort(String(input.admin), 'admin') };
  if (input.adminToken !== undefined && config.admin) {
    if (typeof input.adminToken !== 'string' || input.adminToken.length < 16) throw invalid('adminToken must be at least 16 characters.');
    config.admin.token = input.adminToken;
  }
  if (input.algorithm !== undefined) {
    if (typeof input.algorithm !== 'string' || !isAlgorithmName(input.algorithm)) throw invalid(`algorithm must be one of: ${ALGORITHM_NAMES.join(', ')}.`);
    config.algorithm = input.algorithm;
  }
  if (input.hashKey !== undefined) {
    if (typeof input.hashKey !== 'string' || !isValidHashKey(input.hashKey)) throw invalid('hashKey must be ip, path, header:<name> or cookie:<name>.');
    config.hashKey = input.hashKey;
  }
  if (input.backends !== undefined) {
    if (!Array.isArray(input.backends)) throw invalid('backends must be a list.');
    config.backends = input.backends.map((b: unknown) => {
      if (typeof b === 'string') return parseBackend(b);
      const r = record(b, 'A backend');
      const spec: BackendSpec = { ...parseHostPort(String(r.address ?? `${String(r.host ?? '')}:${String(r.port ?? '')}`), 'backend') };
      if (r.weight !== undefined) spec.weight = int(r.weight, 'backend weight', 0, 1000);
      if (r.id !== undefined) spec.id = String(r.id);
      validateSpec(spec);
      return spec;
    });
  }
  if (input.healthCheck !== undefined) {
    if (input.healthCheck === null || input.healthCheck === false) config.healthCheck = null;
    else {
      const h = typeof input.healthCheck === 'string' ? { path: input.healthCheck } : record(input.healthCheck, 'healthCheck');
      const check: NonNullable<BalancerConfig['healthCheck']> = {
        intervalMs: h.interval === undefined ? 2_000 : parseDuration(h.interval, 'healthCheck.interval'),
        timeoutMs: h.timeout === undefined ? 1_000 : parseDuration(h.timeout, 'healthCheck.timeout'),
        rise: h.rise === undefined ? 2 : int(h.rise, 'healthCheck.rise', 1, 100),
        fall: h.fall === undefined ? 3 : int(h.fall, 'healthCheck.fall', 1, 100),
      };
      if (h.path !== undefined && h.path !== 'tcp') {
        if (typeof h.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(h.path)) throw invalid('healthCheck.path must start with / (or be "tcp").');
        check.path = h.path;
      }
      if (check.intervalMs < 50) throw invalid('healthCheck.interval must be at least 50ms.');
      config.healthCheck = check;
    }
  }
  if (input.passive !== undefined) {
    const p = record(input.passive, 'passive');
    if (p.maxFailures !== undefined) config.passive.maxFailures = int(p.maxFailures, 'passive.maxFailures', 0, 1000);
    if (p.eject !== undefined) config.passive.ejectMs = parseDuration(p.eject, 'passive.eject');
    if (p.failurePercent !== undefined) config.passive.failurePercent = int(p.failurePercent, 'passive.failurePercent', 0, 100);
    if (p.minRequests !== undefined) config.passive.minRequests = int(p.minRequests, 'passive.minRequests', 1, 100_000);
    if (p.window !== undefined) config.passive.windowMs = parseDuration(p.window, 'passive.window');
    if (p.maxEjectionPercent !== undefined) config.passive.maxEjectionPercent = int(p.maxEjectionPercent, 'passive.maxEjectionPercent', 0, 100);
  }
  if (input.retryBudget !== undefined) {
    const r = record(input.retryBudget, 'retryBudget');
    if (r.percent !== undefined) config.retryBudget.percent = int(r.percent, 'retryBudget.percent', 0, 100);
    if (r.minPerSecond !== undefined) config.retryBudget.minPerSecond = int(r.minPerSecond, 'retryBudget.minPerSecond', 0, 10_000);
  }
  if (input.slowStart !== undefined) config.slowStartMs = parseDuration(input.slowStart, 'slowStart');
  if (input.timeouts !== undefined) {
    const t = record(input.timeouts, 'timeouts');
    const keys = { connect: 'connectMs', response: 'responseMs', headers: 'headersMs', request: 'requestMs', idle: 'idleMs', keepAlive: 'keepAliveMs' } as const;
    for (const [key, value] of Object.entries(t)) {
      const target = keys[key as keyof typeof keys];
      if (!target) throw invalid(`Unknown timeout "${key.slice(0, 40)}".`);
      config.timeouts[target] = parseDuration(value, `timeouts.${key}`);
    }
  }
  if (input.limits !== undefined) {
    const l = record(input.limits, 'limits');
    if (l.maxHeaderBytes !== undefined) config.limits.maxHeaderBytes = int(l.maxHeaderBytes, 'limits.maxHeaderBytes', 1024, 1024 * 1024);
    if (l.maxBodyBytes !== undefined) config.limits.maxBodyBytes = int(l.maxBodyBytes, 'limits.maxBodyBytes', 0, 2 ** 40);
  }
  if (input.retries !== undefined) config.retries = int(input.retries, 'retries', 0, 10);
  if (input.trustForwarded !== undefined) config.trustForwarded = input.trustForwarded === true;
  if (input.socketioPath !== undefined) {
    if (input.socketioPath === false) config.socketioPath = false;
    else if (typeof input.socketioPath === 'string' && input.socketioPath.startsWith('/')) config.socketioPath = input.socketioPath.endsWith('/') ? input.socketioPath : `${input.socketioPath}/`;
    else throw invalid('socketioPath must start with / (or be false).');
  }
  if (input.wsDrainWindow !== undefined) config.wsDrainWindowMs = parseDuration(input.wsDrainWindow, 'wsDrainWindow');
  if (input.fastPath !== undefined) config.fastPath = input.fastPath !== false;
  if (input.workers !== undefined) config.workers = int(input.workers, 'workers', 1, 256);
  if (input.proxyProtocol !== undefined) {
    if (input.proxyProtocol !== 'v1' && input.proxyProtocol !== 'v2') throw invalid('proxyProtocol must be v1 or v2.');
    config.proxyProtocol = input.proxyProtocol;
  }
  if (input.acceptProxyProtocol !== undefined) config.acceptProxyProtocol = input.acceptProxyProtocol === true;
  if (input.udpIdleTimeout !== undefined) config.udpIdleMs = parseDuration(input.udpIdleTimeout, 'udpIdleTimeout');
  checkConsistency(config);
  return config;
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

export async function loadConfigFile(path: string, base: BalancerConfig = DEFAULT_CONFIG): Promise<BalancerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Cannot read config file ${path}.`, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new GatehouseError('GH_BALANCER_CONFIG_INVALID', { message: `Config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, cause: error });
  }
  return parseBalancerConfig(parsed, base);
}
