/** One end of a proxied connection as a PROXY header names it (a unix path has port 0). */
export interface ProxyEndpoint {
  address: string;
  port: number;
}

/** A type-length-value extension of a v2 header (ALPN, authority, unique id, SSL info, …). */
export interface ProxyTlv {
  type: number;
  value: Buffer;
}

export type ProxyFamily = 'ipv4' | 'ipv6' | 'unix' | 'unspec';
export type ProxyTransport = 'stream' | 'dgram' | 'unspec';

/**
 * A parsed PROXY protocol header (v1 text or v2 binary). `source`/`destination` are present only for a
 * PROXY command with a known family: a LOCAL command (the front balancer's own health check) and an
 * UNKNOWN/UNSPEC family mean "use the real connection's addresses".
 */
export interface ProxyHeader {
  version: 1 | 2;
  command: 'proxy' | 'local';
  family: ProxyFamily;
  transport: ProxyTransport;
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  tlvs: ProxyTlv[];
}

/** The result of looking at the first bytes of a connection: need more, or a header of `length` bytes. */
export type ProxyParseResult = { done: false } | { done: true; header: ProxyHeader; length: number };
