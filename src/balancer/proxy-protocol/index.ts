// PROXY protocol v1 (text) and v2 (binary), as HAProxy specifies it: encode a header to tell a backend
// who the real client is, and parse one — strictly, with bounded buffering — from a balancer in front.
export { encodeProxyV1, parseProxyV1, V1_MAX_LENGTH } from './v1.js';
export { encodeProxyV2, parseProxyV2, PP2_TYPE_CRC32C, V2_DEFAULT_MAX_LENGTH, V2_SIGNATURE, withCrc32c } from './v2.js';
export { crc32c } from './crc32c.js';
export type { ProxyV2Input } from './v2.js';
export { parseProxyHeader } from './parse.js';
export { readProxyHeader } from './read.js';
export type { ReadProxyHeaderOptions } from './read.js';
export { canonicalIp, unmapIpv4 } from './ip.js';
export type { ProxyEndpoint, ProxyFamily, ProxyHeader, ProxyParseResult, ProxyTlv, ProxyTransport } from './types.js';
