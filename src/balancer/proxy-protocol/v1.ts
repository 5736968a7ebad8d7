import { isIPv4, isIPv6 } from 'node:net';
import { GatehouseError } from '../../core/index.js';
import { canonicalIp } from './ip.js';
import type { ProxyEndpoint, ProxyParseResult } from './types.js';

// PROXY protocol v1 (haproxy.org proxy-protocol.txt, section 2.1): one ASCII line of at most 107 bytes,
// "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n".

export const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
export const V1_MAX_LENGTH = 107;
const PORT = /^(0|[1-9][0-9]{0,4})$/;

function invalid(reason: string): GatehouseError {
  return new GatehouseError('GH_BALANCER_PROXY_HEADER_INVALID', { details: { version: 1, reason } });
}

/** Encodes a v1 line; `null` (or mixed-up addresses) gives "PROXY UNKNOWN", which tells the receiver to use the real peer. */
export function encodeProxyV1(endpoints: { source: ProxyEndpoint; destination: ProxyEndpoint } | null): Buffer {
  if (!endpoints) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  const source = canonicalIp(endpoints.source.address);
  const destination = canonicalIp(endpoints.destination.address);
  if (!source || !destination) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  checkPort(endpoints.source.port);
  checkPort(endpoints.destination.port);
  let src = source.address;
  let dst = destination.address;
  // v1 needs both ends in one family: a v4 peer on a v6 listener is sent as its mapped v6 form.
  if (source.family !== destination.family) {
    if (source.family === 'ipv4') src = `::ffff:${src}`;
    else dst = `::ffff:${dst}`;
  }
  const proto = source.family === 'ipv4' && destination.family === 'ipv4' ? 'TCP4' : 'TCP6';
  return Buffer.from(`PROXY ${proto} ${src} ${dst} ${endpoints.source.port} ${endpoints.destination.port}\r\n`, 'latin1');
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A PROXY header port must be an integer 0..65535.' });
  }
}

/** Parses a v1 header at the start of `buf` (which starts with, or is a prefix of, "PROXY "). */
export function parseProxyV1(buf: Buffer): ProxyParseResult {
  const window = buf.subarray(0, V1_MAX_LENGTH);
  const cr = window.indexOf(0x0d);
  if (cr === -1 || cr === window.length - 1) {
    // No complete line yet: reject as soon as a byte that can never appear in a v1 line shows up.
    for (const byte of window) if (byte !== 0x0d && (byte < 0x20 || byte > 0x7e)) throw invalid('non-printable byte');
    if (buf.length >= V1_MAX_LENGTH) throw invalid('line longer than 107 bytes');
    return { done: false };
  }
  if (window[cr + 1] !== 0x0a) throw invalid('CR not followed by LF');
  const line = window.subarray(0, cr);
  for (const byte of line) if (byte < 0x20 || byte > 0x7e) throw invalid('non-printable byte');
  const parts = line.toString('latin1').split(' ');
  const length = cr + 2;
  if (parts[0] !== 'PROXY') throw invalid('missing PROXY keyword');
  if (parts[1] === 'UNKNOWN') {
    return { done: true, length, header: { version: 1, command: 'proxy', family: 'unspec', transport: 'unspec', tlvs: [] } };
  }
  if (parts.length !== 6) throw invalid('wrong number of fields');
  const [, proto, src, dst, sport, dport] = parts as [string, string, string, string, string, string];
  const isFamily = proto === 'TCP4' ? isIPv4 : proto === 'TCP6' ? (a: string) => isIPv6(a) && !a.includes('%') : undefined;
  if (!isFamily) throw invalid('unknown protocol');
  if (!isFamily(src) || !isFamily(dst)) throw invalid('address does not match the protocol');
  if (!PORT.test(sport) || !PORT.test(dport) || Number(sport) > 65535 || Number(dport) > 65535) throw invalid('bad port');
  const canon = (a: string) => (proto === 'TCP4' ? a : canonicalIp(a)!.address);
  return {
    done: true,
    length,
    header: {
      version: 1,
      command: 'proxy',
      family: proto === 'TCP4' ? 'ipv4' : 'ipv6',
      transport: 'stream',
      source: { address: canon(src), port: Number(sport) },
      destination: { address: canon(dst), port: Number(dport) },
      tlvs: [],
    },
  };
}
