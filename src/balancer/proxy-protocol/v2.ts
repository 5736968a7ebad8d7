import { GatehouseError } from '../../core/index.js';
import { crc32c } from './crc32c.js';
import { bytesToIpv4, bytesToIpv6, canonicalIp, ipv4ToBytes, ipv6ToBytes } from './ip.js';
import type { ProxyEndpoint, ProxyFamily, ProxyParseResult, ProxyTlv, ProxyTransport } from './types.js';

// PROXY protocol v2 (haproxy.org proxy-protocol.txt, section 2.2): a 12-byte signature, version+command,
// family+transport, a 16-bit length, the address block, then TLVs that must fill the rest exactly.

export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const FIXED = 16;
/** PP2_TYPE_CRC32C: a checksum of the whole header, computed with this TLV's value zeroed. */
export const PP2_TYPE_CRC32C = 0x03;
const ADDRESS_BYTES = { ipv4: 12, ipv6: 36, unix: 216 } as const;
const UNIX_PATH = 108;
const FAMILIES: Record<number, ProxyFamily> = { 0: 'unspec', 1: 'ipv4', 2: 'ipv6', 3: 'unix' };
const TRANSPORTS: Record<number, ProxyTransport> = { 0: 'unspec', 1: 'stream', 2: 'dgram' };
/** The only family/transport bytes the spec allows; anything else "must be rejected as invalid". */
const VALID_FAMILY_BYTES = new Set([0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32]);
/** Default bound on a whole v2 header: room for addresses and the usual TLVs, far below the 64 KiB the length allows. */
export const V2_DEFAULT_MAX_LENGTH = 4096;

function invalid(reason: string): GatehouseError {
  return new GatehouseError('GH_BALANCER_PROXY_HEADER_INVALID', { details: { version: 2, reason } });
}

export interface ProxyV2Input {
  command?: 'proxy' | 'local';
  transport?: 'stream' | 'dgram';
  /** Both IPv4, both IPv6 (a v4 end next to a v6 end is sent mapped), or both unix paths (`unix: true`). */
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  unix?: boolean;
  tlvs?: ProxyTlv[];
}

/** Encodes a v2 header. Without addresses (or for LOCAL) the family is UNSPEC. */
export function encodeProxyV2(input: ProxyV2Input): Buffer {
  const command = input.command ?? 'proxy';
  const transport = input.transport ?? 'stream';
  let family: ProxyFamily = 'unspec';
  let addresses = Buffer.alloc(0);
  if (command === 'proxy' && input.source && input.destination) {
    const { source, destination } = input;
    for (const p of [source.port, destination.port]) {
      if (!Number.isInteger(p) || p < 0 || p > 65535) {
        throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A PROXY header port must be an integer 0..65535.' });
      }
    }
    if (input.unix) {
      family = 'unix';
      addresses = Buffer.alloc(ADDRESS_BYTES.unix);
      for (const [i, path] of [source.address, destination.address].entries()) {
        const bytes = Buffer.from(path, 'utf8');
        if (bytes.length > UNIX_PATH) throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A unix socket path is longer than 108 bytes.' });
        bytes.copy(addresses, i * UNIX_PATH);
      }
    } else {
      const src = canonicalIp(source.address);
      const dst = canonicalIp(destination.address);
      if (!src || !dst) throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A PROXY header address is not an IP address.' });
      family = src.family === 'ipv4' && dst.family === 'ipv4' ? 'ipv4' : 'ipv6';
      const toBytes = (a: { family: 'ipv4' | 'ipv6'; address: string }) =>
        family === 'ipv4' ? ipv4ToBytes(a.address) : ipv6ToBytes(a.family === 'ipv4' ? `::ffff:${a.address}` : a.address);
      addresses = Buffer.alloc(ADDRESS_BYTES[family]);
      const width = family === 'ipv4' ? 4 : 16;
      toBytes(src).copy(addresses, 0);
      toBytes(dst).copy(addresses, width);
      addresses.writeUInt16BE(source.port, width * 2);
      addresses.writeUInt16BE(destination.port, width * 2 + 2);
    }
  }
  const tlvParts: Buffer[] = [];
  for (const tlv of input.tlvs ?? []) {
    if (!Number.isInteger(tlv.type) || tlv.type < 0 || tlv.type > 255 || tlv.value.length > 0xffff) {
      throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A PROXY v2 TLV has a bad type or is too long.' });
    }
    const head = Buffer.alloc(3);
    head[0] = tlv.type;
    head.writeUInt16BE(tlv.value.length, 1);
    tlvParts.push(head, tlv.value);
  }
  const body = Buffer.concat([addresses, ...tlvParts]);
  if (body.length > 0xffff) throw new GatehouseError('GH_BALANCER_L4_OPTIONS_INVALID', { message: 'A PROXY v2 header is longer than 64 KiB.' });
  const head = Buffer.alloc(FIXED);
  V2_SIGNATURE.copy(head, 0);
  head[12] = 0x20 | (command === 'proxy' ? 1 : 0);
  const familyNibble = { unspec: 0, ipv4: 1, ipv6: 2, unix: 3 }[family];
  head[13] = family === 'unspec' ? 0 : (familyNibble << 4) | (transport === 'stream' ? 1 : 2);
  head.writeUInt16BE(body.length, 14);
  return Buffer.concat([head, body]);
}

/** Parses a v2 header at the start of `buf` (which starts with, or is a prefix of, the signature). */
export function parseProxyV2(buf: Buffer, maxLength = V2_DEFAULT_MAX_LENGTH): ProxyParseResult {
  if (buf.length < FIXED) return { done: false };
  const versionCommand = buf[12]!;
  if (versionCommand >> 4 !== 2) throw invalid('unsupported version');
  const commandBits = versionCommand & 0x0f;
  if (commandBits > 1) throw invalid('unknown command');
  const familyByte = buf[13]!;
  if (!VALID_FAMILY_BYTES.has(familyByte)) throw invalid('unknown family or transport');
  const bodyLength = buf.readUInt16BE(14);
  const length = FIXED + bodyLength;
  if (length > maxLength) throw invalid('header longer than allowed');
  if (buf.length < length) return { done: false };
  const body = buf.subarray(FIXED, length);
  const family = FAMILIES[familyByte >> 4]!;
  const transport = TRANSPORTS[familyByte & 0x0f]!;
  const command = commandBits === 1 ? 'proxy' : 'local';
  // LOCAL and UNSPEC carry nothing the receiver may use: it keeps the real connection's endpoints.
  if (command === 'local' || family === 'unspec') {
    return { done: true, length, header: { version: 2, command, family, transport, tlvs: [] } };
  }
  const need = ADDRESS_BYTES[family];
  if (bodyLength < need) throw invalid('address block shorter than its family needs');
  let source: ProxyEndpoint;
  let destination: ProxyEndpoint;
  if (family === 'unix') {
    const path = (at: number) => {
      const raw = body.subarray(at, at + UNIX_PATH);
      const nul = raw.indexOf(0);
      return raw.subarray(0, nul === -1 ? UNIX_PATH : nul).toString('utf8');
    };
    source = { address: path(0), port: 0 };
    destination = { address: path(UNIX_PATH), port: 0 };
  } else {
    const width = family === 'ipv4' ? 4 : 16;
    const text = family === 'ipv4' ? bytesToIpv4 : bytesToIpv6;
    source = { address: text(body.subarray(0, width)), port: body.readUInt16BE(width * 2) };
    destination = { address: text(body.subarray(width, width * 2)), port: body.readUInt16BE(width * 2 + 2) };
  }
  const tlvs = parseTlvs(body.subarray(need));
  verifyChecksum(buf.subarray(0, length), need, tlvs);
  return { done: true, length, header: { version: 2, command, family, transport, source, destination, tlvs } };
}

/** A header that carries a CRC32C TLV must match it: the sender asked for corruption to be caught. */
function verifyChecksum(header: Buffer, addressBytes: number, tlvs: ProxyTlv[]): void {
  const tlv = tlvs.find((t) => t.type === PP2_TYPE_CRC32C);
  if (!tlv) return;
  if (tlv.value.length !== 4) throw invalid('CRC32C TLV is not 4 bytes');
  // Find the TLV's value in the header and zero it for the computation.
  const copy = Buffer.from(header);
  let at = FIXED + addressBytes;
  while (at + 3 <= copy.length) {
    const len = copy.readUInt16BE(at + 1);
    if (copy[at] === PP2_TYPE_CRC32C) {
      copy.fill(0, at + 3, at + 3 + len);
      break;
    }
    at += 3 + len;
  }
  if (crc32c(copy) !== tlv.value.readUInt32BE(0)) throw invalid('CRC32C mismatch');
}

/** Appends a CRC32C TLV to a v2 header built by encodeProxyV2 (with its length field updated). */
export function withCrc32c(header: Buffer): Buffer {
  const tlv = Buffer.from([PP2_TYPE_CRC32C, 0, 4, 0, 0, 0, 0]);
  const out = Buffer.concat([header, tlv]);
  out.writeUInt16BE(out.length - FIXED, 14);
  out.writeUInt32BE(crc32c(out), out.length - 4);
  return out;
}

function parseTlvs(bytes: Buffer): ProxyTlv[] {
  const tlvs: ProxyTlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) throw invalid('truncated TLV');
    const type = bytes[at]!;
    const len = bytes.readUInt16BE(at + 1);
    if (at + 3 + len > bytes.length) throw invalid('TLV overruns the header');
    // Copied so a caller keeping a TLV does not pin the connection's whole read buffer.
    tlvs.push({ type, value: Buffer.from(bytes.subarray(at + 3, at + 3 + len)) });
    at += 3 + len;
  }
  return tlvs;
}
