import { GatehouseError } from '../../core/index.js';
import type { BalancerConfig } from '../config.js';
import { backendName, header, hostPort, parseHashKey, safeToken, usesWeights, type ExportOptions } from './shared.js';

/** The `balance` lines for an algorithm, plus notes where HAProxy differs (HAProxy 2.6 and later). */
function balanceLines(config: BalancerConfig): string[] {
  const tcp = config.mode !== 'http';
  switch (config.algorithm) {
    case 'round-robin':
      return ['balance roundrobin'];
    case 'weighted-round-robin':
      return [
        '# note: roundrobin is HAProxy\'s weighted, dynamic round robin (weights can change live, as with PATCH /backends/:id);',
        '# note: its interleaving differs slightly from the smooth sequence gatehouse and nginx produce. static-rr is the static variant.',
        'balance roundrobin',
      ];
    case 'least-connections':
      return ['balance leastconn'];
    case 'ip-hash':
      return ['balance source'];
    case 'random-two':
      return ['balance random(2)'];
    case 'least-latency':
      return ['# note: HAProxy has no latency-based algorithm (gatehouse least-latency is a peak EWMA); leastconn is the nearest.', 'balance leastconn'];
    case 'consistent-hash': {
      const key = parseHashKey(config.hashKey);
      const lines: string[] = [];
      if (key.kind === 'ip') lines.push('balance source');
      else if (tcp) lines.push(`# note: a ${key.kind} key needs HTTP; in ${config.mode} mode the client address is hashed instead.`, 'balance source');
      else if (key.kind === 'path') lines.push('balance uri path-only');
      else if (key.kind === 'header') lines.push(`balance hdr(${safeToken(key.name, 'The hash header')})`);
      else lines.push(`balance hash req.cook(${safeToken(key.name, 'The hash cookie')})`);
      // gatehouse's ring has bounded loads (no backend above 1.25 × the mean); HAProxy's factor is the same idea in percent.
      lines.push('hash-type consistent', 'hash-balance-factor 125');
      return lines;
    }
  }
}

const ms = (n: number): string => `${Math.max(0, Math.round(n))}ms`;

/** A standalone haproxy.cfg for a gatehouse balancer config. */
export function toHaproxy(config: BalancerConfig, options: ExportOptions = {}): string {
  if (config.mode === 'udp') {
    throw new GatehouseError('GH_BALANCER_EXPORT_UNSUPPORTED', { message: 'HAProxy does not balance UDP; export this config with --format nginx.' });
  }
  const http = config.mode === 'http';
  const out: string[] = [...header('haproxy', config), ''];
  out.push('global');
  // Without a maxconn HAProxy sizes itself from the fd hard limit and refuses to start when it cannot
  // raise the soft limit that far; 4096 (as nginx's worker_connections here) needs ~8.2k fds.
  out.push('  maxconn 4096');
  if (options.haproxyThreads !== undefined) out.push(`  nbthread ${options.haproxyThreads}`);
  if (http && config.limits.maxHeaderBytes > 12 * 1024) {
    // Headers must fit in one buffer with room for rewrites (tune.maxrewrite, 1 KiB by default here).
    out.push(`  tune.bufsize ${Math.max(16384, config.limits.maxHeaderBytes + 1024)}`, '  tune.maxrewrite 1024');
  }
  out.push('', 'defaults', `  mode ${http ? 'http' : 'tcp'}`);
  out.push(`  timeout connect ${ms(config.timeouts.connectMs)}`);
  out.push(`  timeout client ${ms(config.timeouts.idleMs)}`);
  out.push(`  timeout server ${ms(http ? config.timeouts.responseMs : config.timeouts.idleMs)}`);
  if (http) {
    out.push(`  timeout http-request ${ms(config.timeouts.headersMs)}`);
    out.push(`  timeout http-keep-alive ${ms(config.timeouts.keepAliveMs)}`);
    out.push(`  timeout tunnel ${ms(config.timeouts.idleMs)}`, '  # WebSockets: idle limit once upgraded');
  }
  if (config.healthCheck) out.push(`  timeout check ${ms(config.healthCheck.timeoutMs)}`);
  // gatehouse retries connect failures on another backend (and, for HTTP, only idempotent requests).
  out.push(`  retries ${config.retries}`, '  option redispatch');
  // HAProxy's default retry-on is conn-failure: like gatehouse, it never resends a request it already sent.
  out.push('');

  out.push('frontend gatehouse');
  out.push(`  bind ${hostPort(config.listen.host, config.listen.port)}${config.acceptProxyProtocol ? ' accept-proxy' : ''}`);
  if (http) {
    out.push('  option forwardfor');
    out.push('  http-request set-header X-Forwarded-Proto http');
    out.push('  http-request set-header X-Forwarded-Host %[req.hdr(host)]');
    out.push('  http-request set-header Forwarded "for=%[src];proto=http;host=%[req.hdr(host)]"');
    out.push('  # note: RFC 7239 wants IPv6 "for" values quoted and bracketed; gatehouse does that, this line does not.');
    out.push(`  http-request deny deny_status 413 if { req.hdr_val(content-length) gt ${config.limits.maxBodyBytes} }`);
    if (config.socketioPath) {
      out.push('  # note: gatehouse routes Socket.IO long-polling by its sid with no sticky cookie; HAProxy needs stickiness for it,');
      out.push('  # note: e.g. "cookie GH_NODE insert indirect nocache" in the backend plus "cookie <name>" on each server.');
    }
  }
  out.push('  default_backend gatehouse_backends', '');

  out.push('backend gatehouse_backends');
  for (const line of balanceLines(config)) out.push(`  ${line}`);
  const defaults: string[] = [];
  const check = config.healthCheck;
  if (check) {
    if (check.path) {
      out.push('  option httpchk', `  http-check send meth GET uri ${safeToken(check.path, 'The health check path')}`, '  http-check expect status 200-399');
    }
    defaults.push(`inter ${ms(check.intervalMs)}`, `rise ${check.rise}`, `fall ${check.fall}`);
    if (config.passive.maxFailures > 0) {
      // Passive ejection: live traffic errors mark a server down; the active check brings it back.
      defaults.push('observe layer4', `error-limit ${config.passive.maxFailures}`, 'on-error mark-down');
    }
  } else if (config.passive.maxFailures > 0) {
    out.push(`  # note: gatehouse ejects a backend after ${config.passive.maxFailures} consecutive failures for ${config.passive.ejectMs}ms; HAProxy's passive checks (observe) need active checks on.`);
  }
  if (config.slowStartMs > 0) defaults.push(`slowstart ${ms(config.slowStartMs)}`);
  if (config.proxyProtocol) defaults.push(config.proxyProtocol === 'v2' ? 'send-proxy-v2' : 'send-proxy');
  if (config.proxyProtocol && check) defaults.push('check-send-proxy');
  if (defaults.length) out.push(`  default-server ${defaults.join(' ')}`);
  const weighted = usesWeights(config);
  // HAProxy weights stop at 256 (gatehouse allows 1000): scale them down together, keeping the ratios.
  const maxWeight = Math.max(1, ...config.backends.map((b) => b.weight ?? 1));
  const scale = (w: number) => (maxWeight <= 256 || w === 0 ? w : Math.max(1, Math.round((w * 256) / maxWeight)));
  if (weighted && maxWeight > 256) out.push(`  # note: weights scaled by 256/${maxWeight} (HAProxy's maximum weight is 256).`);
  const names = new Set<string>();
  config.backends.forEach((b, i) => {
    let name = backendName(b, i);
    if (names.has(name)) name = `${name}-${i + 1}`;
    names.add(name);
    const w = scale(b.weight ?? 1);
    const weight = weighted && w !== 1 ? ` weight ${w}` : '';
    out.push(`  server ${name} ${hostPort(b.host, b.port)}${weight}${check ? ' check' : ''}`);
  });
  if (config.backends.length === 0) out.push('  # note: no backends configured');
  out.push('');
  return out.join('\n');
}
