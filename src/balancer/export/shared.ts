import { GatehouseError } from '../../core/index.js';
import type { BalancerConfig } from '../config.js';
import type { BackendSpec } from '../types.js';

export type ExportFormat = 'haproxy' | 'nginx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['haproxy', 'nginx'];

export interface ExportOptions {
  /** nginx: `load_module` lines to emit first (the stream module is dynamic on Debian). */
  nginxModules?: string[];
  /** nginx: a directory for the pid file, logs and temp files (so it runs unprivileged); absent = nginx's defaults. */
  runtimeDir?: string;
  /** nginx worker_processes; default "auto". */
  nginxWorkers?: number | 'auto';
  /** HAProxy nbthread; absent = HAProxy's default (one per CPU). */
  haproxyThreads?: number;
}

/** The consistent-hash key as the config spells it: ip | path | header:NAME | cookie:NAME. */
export type HashKey = { kind: 'ip' } | { kind: 'path' } | { kind: 'header'; name: string } | { kind: 'cookie'; name: string };

export function parseHashKey(spec: string): HashKey {
  if (spec === 'ip' || spec === 'path') return { kind: spec };
  const [kind, name = ''] = spec.split(':', 2) as [string, string | undefined];
  if ((kind === 'header' || kind === 'cookie') && /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name)) return { kind, name };
  throw new GatehouseError('GH_BALANCER_EXPORT_UNSUPPORTED', { message: `hashKey "${spec.slice(0, 40)}" is not ip, path, header:NAME or cookie:NAME.` });
}

export function backendName(spec: BackendSpec, index: number): string {
  const raw = spec.id ?? `${spec.host}:${spec.port}`;
  const safe = raw.replace(/[^A-Za-z0-9_.:-]/g, '_');
  return safe.length > 0 ? safe : `backend${index + 1}`;
}

/** `host:port`, bracketing IPv6 hosts. */
export function hostPort(host: string, port: number): string {
  if (!/^[A-Za-z0-9._:%-]{1,255}$/.test(host)) {
    throw new GatehouseError('GH_BALANCER_EXPORT_UNSUPPORTED', { message: 'A host is not a hostname or IP address that can be written into the exported config.' });
  }
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Algorithms whose gatehouse implementation reads backend weights. */
export function usesWeights(config: BalancerConfig): boolean {
  return config.algorithm !== 'round-robin';
}

/** Text pasted into a config file: no newlines, no quotes, nothing a config parser would treat as syntax. */
export function safeToken(value: string, what: string): string {
  if (!/^[\x21-\x7e]+$/.test(value) || /["'`;{}#\\$]/.test(value)) {
    throw new GatehouseError('GH_BALANCER_EXPORT_UNSUPPORTED', { message: `${what} contains characters that cannot be written into the exported config.` });
  }
  return value;
}

export function header(format: ExportFormat, config: BalancerConfig): string[] {
  return [
    `# ${format === 'haproxy' ? 'HAProxy' : 'nginx'} equivalent of a gatehouse balancer config, written by \`gatehouse balance export --format ${format}\`.`,
    `# gatehouse: mode ${config.mode}, algorithm ${config.algorithm}${config.algorithm === 'consistent-hash' ? ` (key ${config.hashKey})` : ''}, ${config.backends.length} backend(s).`,
    '# Lines starting with "# note:" mark behaviour this format cannot reproduce exactly.',
  ];
}
