import { join } from 'node:path';
import type { BalancerConfig } from '../config.js';
import { backendName, header, hostPort, parseHashKey, safeToken, usesWeights, type ExportOptions } from './shared.js';

/** The upstream-block directive for an algorithm (nginx 1.22 open source), plus notes where nginx differs. */
function algorithmLines(config: BalancerConfig): string[] {
  const stream = config.mode !== 'http';
  switch (config.algorithm) {
    case 'round-robin':
    case 'weighted-round-robin':
      // nginx's default is the smooth weighted round robin gatehouse implements (5,1,1 → a a b a c a a).
      return [];
    case 'least-connections':
      return ['least_conn;'];
    case 'ip-hash':
      return ['# note: ip_hash keys an IPv4 client on its first three octets only; gatehouse hashes the whole address, as this does.', 'hash $remote_addr;'];
    case 'random-two':
      return ['random two least_conn;'];
    case 'least-latency':
      return ['# note: nginx open source has no latency-based balancing (gatehouse least-latency is a peak EWMA; nginx Plus has least_time); least_conn is the nearest.', 'least_conn;'];
    case 'consistent-hash': {
      const key = parseHashKey(config.hashKey);
      const lines = ['# note: nginx\'s ketama ring has no bounded-load cap (gatehouse keeps every backend under 1.25 × the mean).'];
      let variable = '$remote_addr';
      if (key.kind !== 'ip' && stream) lines.push(`# note: a ${key.kind} key needs HTTP; in ${config.mode} mode the client address is hashed instead.`);
      else if (key.kind === 'path') variable = '$uri';
      else if (key.kind === 'header') variable = `$http_${safeToken(key.name, 'The hash header').toLowerCase().replace(/-/g, '_')}`;
      else if (key.kind === 'cookie') variable = `$cookie_${safeToken(key.name, 'The hash cookie')}`;
      lines.push(`hash ${variable} consistent;`);
      return lines;
    }
  }
}

const ms = (n: number): string => `${Math.max(0, Math.round(n))}ms`;

function upstreamBlock(config: BalancerConfig, indent: string): string[] {
  const out = [`${indent}upstream gatehouse_backends {`];
  for (const line of algorithmLines(config)) out.push(`${indent}  ${line}`);
  const weighted = usesWeights(config);
  // Passive ejection maps onto max_fails/fail_timeout (nginx counts failures within the window, gatehouse counts consecutive ones).
  const passive = config.passive.maxFailures > 0 ? ` max_fails=${config.passive.maxFailures} fail_timeout=${Math.max(1, Math.round(config.passive.ejectMs / 1000))}s` : ' max_fails=0';
  config.backends.forEach((b, i) => {
    const weight = b.weight ?? 1;
    // nginx weights start at 1: a weight-0 backend is written as down.
    const w = !weighted ? '' : weight === 0 ? ' down' : weight !== 1 ? ` weight=${weight}` : '';
    out.push(`${indent}  server ${hostPort(b.host, b.port)}${w}${passive};  # ${backendName(b, i)}`);
  });
  if (config.healthCheck) {
    out.push(`${indent}  # note: nginx open source has no active health checks (gatehouse checks ${config.healthCheck.path ? `GET ${config.healthCheck.path}` : 'TCP connect'} every ${config.healthCheck.intervalMs}ms,`);
    out.push(`${indent}  # note: rise ${config.healthCheck.rise}, fall ${config.healthCheck.fall}; nginx Plus: health_check). Only the passive max_fails above apply.`);
  }
  if (config.slowStartMs > 0) out.push(`${indent}  # note: slow start (${config.slowStartMs}ms in gatehouse) is nginx Plus only (server ... slow_start=).`);
  if (config.mode === 'http') out.push(`${indent}  keepalive 64;`);
  out.push(`${indent}}`);
  return out;
}

/** A standalone nginx.conf for a gatehouse balancer config. */
export function toNginx(config: BalancerConfig, options: ExportOptions = {}): string {
  const out: string[] = [...header('nginx', config), ''];
  for (const module of options.nginxModules ?? []) out.push(`load_module ${safeToken(module, 'A module path')};`);
  out.push(`worker_processes ${options.nginxWorkers ?? 'auto'};`);
  const dir = options.runtimeDir;
  if (dir) out.push(`pid ${safeToken(join(dir, 'nginx.pid'), 'The runtime directory')};`, `error_log ${join(dir, 'error.log')} warn;`);
  out.push('events {', '  worker_connections 4096;', '}', '');
  const listen = `${hostPort(config.listen.host, config.listen.port)}${config.mode === 'udp' ? ' udp' : ''}${config.acceptProxyProtocol ? ' proxy_protocol' : ''}`;

  if (config.mode === 'http') {
    out.push('http {', '  access_log off;');
    if (dir) for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) out.push(`  ${t}_temp_path ${join(dir, `${t}_temp`)};`);
    out.push(`  client_header_timeout ${ms(config.timeouts.headersMs)};`);
    out.push(`  client_body_timeout ${ms(config.timeouts.idleMs)};`);
    out.push(`  keepalive_timeout ${ms(config.timeouts.keepAliveMs)};`);
    out.push(`  client_max_body_size ${config.limits.maxBodyBytes};`);
    out.push(`  large_client_header_buffers 4 ${Math.max(1024, config.limits.maxHeaderBytes)};`);
    out.push('  # WebSocket upgrades pass through; other requests reuse pooled upstream connections.');
    out.push('  map $http_upgrade $gh_connection {', '    default upgrade;', "    ''      '';", '  }');
    out.push('  # RFC 7239: an IPv6 "for" value is quoted and bracketed.');
    out.push('  map $remote_addr $gh_forwarded_for {', '    ~:      "\\"[$remote_addr]\\"";', '    default $remote_addr;', '  }');
    out.push(...upstreamBlock(config, '  '), '');
    out.push('  server {', `    listen ${listen};`);
    if (config.acceptProxyProtocol) {
      out.push('    # The client address comes from the PROXY header of the balancer in front (narrow these to its addresses).');
      out.push('    set_real_ip_from 0.0.0.0/0;', '    set_real_ip_from ::/0;', '    real_ip_header proxy_protocol;');
    }
    if (config.proxyProtocol) out.push(`    # note: nginx cannot send a PROXY header to HTTP upstreams; X-Forwarded-For and Forwarded carry the client instead.`);
    if (config.socketioPath) out.push('    # note: gatehouse routes Socket.IO long-polling by its sid with no sticky cookie; with nginx use ip-hash or a cookie hash.');
    out.push('    location / {');
    out.push('      proxy_pass http://gatehouse_backends;');
    out.push('      proxy_http_version 1.1;');
    out.push('      proxy_set_header Host $host;');
    out.push('      proxy_set_header Upgrade $http_upgrade;');
    out.push('      proxy_set_header Connection $gh_connection;');
    out.push('      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    out.push('      proxy_set_header X-Forwarded-Proto $scheme;');
    out.push('      proxy_set_header X-Forwarded-Host $host;');
    out.push('      proxy_set_header Forwarded "for=$gh_forwarded_for;proto=$scheme;host=$host";');
    out.push(`      proxy_connect_timeout ${ms(config.timeouts.connectMs)};`);
    out.push(`      proxy_read_timeout ${ms(config.timeouts.responseMs)};`);
    out.push(`      proxy_send_timeout ${ms(config.timeouts.idleMs)};`);
    // nginx never retries a non-idempotent request once sent (non_idempotent is off), as gatehouse.
    out.push('      proxy_next_upstream error timeout;', `      proxy_next_upstream_tries ${config.retries + 1};`);
    out.push('    }', '  }', '}', '');
    return out.join('\n');
  }

  out.push('stream {');
  out.push(...upstreamBlock(config, '  '), '');
  out.push('  server {', `    listen ${listen};`, '    proxy_pass gatehouse_backends;');
  if (config.acceptProxyProtocol) {
    out.push('    # The client address comes from the PROXY header of the balancer in front (narrow these to its addresses).');
    out.push('    set_real_ip_from 0.0.0.0/0;', '    set_real_ip_from ::/0;');
  }
  out.push(`    proxy_connect_timeout ${ms(config.timeouts.connectMs)};`);
  out.push(`    proxy_timeout ${ms(config.mode === 'udp' ? config.udpIdleMs : config.timeouts.idleMs)};`);
  if (config.proxyProtocol) {
    if (config.mode === 'udp') out.push('    # note: nginx sends no PROXY header over UDP; gatehouse prepends a v2 header to each datagram.');
    else {
      if (config.proxyProtocol === 'v2') out.push('    # note: nginx sends PROXY protocol v1 only; gatehouse was set to v2 (backends that accept both are unaffected).');
      out.push('    proxy_protocol on;');
    }
  }
  out.push('    proxy_next_upstream on;', `    proxy_next_upstream_tries ${config.retries + 1};`);
  out.push('  }', '}', '');
  return out.join('\n');
}
