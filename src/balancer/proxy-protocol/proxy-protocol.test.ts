import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../core/index.js';
import { canonicalIp, crc32c, encodeProxyV1, encodeProxyV2, parseProxyHeader, V2_SIGNATURE, withCrc32c, type ProxyParseResult } from './index.js';

const port = fc.integer({ min: 0, max: 65535 });
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const endpoint = (ip: fc.Arbitrary<string>) => fc.record({ address: ip, port });

/** Parses, and turns any thrown value into something a property can inspect. */
function tryParse(buf: Buffer): ProxyParseResult | GatehouseError {
  try {
    return parseProxyHeader(buf);
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error; // anything but a coded error fails the property
  }
}

function done(buf: Buffer) {
  const result = parseProxyHeader(buf);
  if (!result.done) throw new Error('expected a complete header');
  return result;
}

describe('PROXY protocol v1', () => {
  it('parses the spec example and leaves the payload after it', () => {
    const buf = Buffer.from('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n');
    const result = done(buf);
    expect(result.length).toBe(47);
    expect(buf.subarray(result.length).toString()).toBe('GET / HTTP/1.1\r\n');
    expect(result.header).toMatchObject({ version: 1, family: 'ipv4', source: { address: '192.168.0.1', port: 56324 }, destination: { address: '192.168.0.11', port: 443 } });
  });

  it('round-trips IPv4 and IPv6 endpoints (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(endpoint(ipv4), endpoint(ipv4)), fc.tuple(endpoint(ipv6), endpoint(ipv6))), ([source, destination]) => {
        const buf = encodeProxyV1({ source, destination });
        expect(buf.length).toBeLessThanOrEqual(107);
        const { header, length } = done(Buffer.concat([buf, Buffer.from('payload')]));
        expect(length).toBe(buf.length);
        expect(header.source).toEqual({ address: canonicalIp(source.address)!.address, port: source.port });
        expect(header.destination).toEqual({ address: canonicalIp(destination.address)!.address, port: destination.port });
      }),
    );
  });

  it('says "need more" for every prefix of a valid header (property)', () => {
    fc.assert(
      fc.property(endpoint(ipv6), endpoint(ipv6), (source, destination) => {
        const buf = encodeProxyV1({ source, destination });
        for (let n = 0; n < buf.length; n++) expect(parseProxyHeader(buf.subarray(0, n))).toEqual({ done: false });
      }),
      { numRuns: 50 },
    );
  });

  it('encodes UNKNOWN when there is nothing to say, and the receiver keeps the real peer', () => {
    expect(encodeProxyV1(null).toString()).toBe('PROXY UNKNOWN\r\n');
    expect(done(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')).header).toMatchObject({ family: 'unspec' });
  });

  it.each([
    ['lowercase keyword', 'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['IPv6 in TCP4', 'PROXY TCP4 ::1 ::1 1 2\r\n'],
    ['port out of range', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'],
    ['leading zero port', 'PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n'],
    ['double space', 'PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'],
    ['missing field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'],
    ['bare LF', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'],
    ['zone id', 'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'],
    ['no CRLF within 107 bytes', `PROXY UNKNOWN ${'x'.repeat(100)}`],
    ['control byte', 'PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n'],
    ['UDP4 (not a v1 protocol)', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'],
  ])('rejects %s with a coded error', (_name, text) => {
    const result = tryParse(Buffer.from(text, 'latin1'));
    expect(result).toBeInstanceOf(GatehouseError);
    expect((result as GatehouseError).code).toBe('GH_BALANCER_PROXY_HEADER_INVALID');
  });
});

describe('PROXY protocol v2', () => {
  // Type 3 is the CRC32C TLV, which must hold a matching checksum: tested on its own below.
  const tlv = fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 3), value: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) });

  it('round-trips addresses, transport and TLVs (property)', () => {
    const ip = fc.oneof(fc.tuple(endpoint(ipv4), endpoint(ipv4)), fc.tuple(endpoint(ipv6), endpoint(ipv6)), fc.tuple(endpoint(ipv4), endpoint(ipv6)));
    fc.assert(
      fc.property(ip, fc.constantFrom('stream' as const, 'dgram' as const), fc.array(tlv, { maxLength: 5 }), fc.uint8Array({ maxLength: 32 }), ([source, destination], transport, tlvs, payload) => {
        const buf = encodeProxyV2({ source, destination, transport, tlvs });
        const { header, length } = done(Buffer.concat([buf, payload]));
        expect(length).toBe(buf.length);
        expect(header.version).toBe(2);
        expect(header.transport).toBe(transport);
        const v4 = canonicalIp(source.address)!.family === 'ipv4' && canonicalIp(destination.address)!.family === 'ipv4';
        const asFamily = (a: string) => {
          const c = canonicalIp(a)!;
          return v4 || c.family === 'ipv6' ? c.address : `::ffff:${c.address}`;
        };
        expect(header.source).toEqual({ address: asFamily(source.address), port: source.port });
        expect(header.destination).toEqual({ address: asFamily(destination.address), port: destination.port });
        expect(header.tlvs).toEqual(tlvs);
      }),
    );
  });

  it('round-trips unix socket paths', () => {
    const { header } = done(encodeProxyV2({ unix: true, source: { address: '/run/a.sock', port: 0 }, destination: { address: '/run/b.sock', port: 0 } }));
    expect(header).toMatchObject({ family: 'unix', source: { address: '/run/a.sock' }, destination: { address: '/run/b.sock' } });
  });

  it('parses the LOCAL command as "no addresses" (a front balancer health check)', () => {
    const { header, length } = done(encodeProxyV2({ command: 'local' }));
    expect(length).toBe(16);
    expect(header).toMatchObject({ command: 'local', family: 'unspec' });
    expect(header.source).toBeUndefined();
  });

  it('says "need more" for every prefix, never an error (property)', () => {
    fc.assert(
      fc.property(endpoint(ipv6), endpoint(ipv6), fc.array(tlv, { maxLength: 3 }), (source, destination, tlvs) => {
        const buf = encodeProxyV2({ source, destination, tlvs });
        for (let n = 0; n < buf.length; n++) expect(parseProxyHeader(buf.subarray(0, n))).toEqual({ done: false });
      }),
      { numRuns: 50 },
    );
  });

  it('checks a CRC32C TLV when the sender included one', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    const header = withCrc32c(encodeProxyV2({ source: { address: '10.0.0.1', port: 1000 }, destination: { address: '10.0.0.2', port: 443 } }));
    expect(done(header).header.tlvs.map((t) => t.type)).toEqual([3]);
    const corrupt = Buffer.from(header);
    corrupt[16] = 11; // source address 10.0.0.1 → 11.0.0.1
    expect(tryParse(corrupt)).toBeInstanceOf(GatehouseError);
  });

  it('rejects a declared length above the bound from the first 16 bytes, without waiting for the body', () => {
    const head = Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff])]);
    expect(() => parseProxyHeader(head)).toThrow(GatehouseError);
    expect(parseProxyHeader(head, { maxV2Length: 70_000 })).toEqual({ done: false });
  });

  it.each([
    ['version 1 in the binary form', 0x11, 0x11, 12],
    ['command 2', 0x22, 0x11, 12],
    ['family 4', 0x21, 0x41, 12],
    ['transport 3', 0x21, 0x13, 12],
    ['IPv4 block too short', 0x21, 0x11, 8],
    ['truncated TLV after the address', 0x21, 0x11, 14],
  ])('rejects %s', (_name, verCmd, fam, len) => {
    const head = Buffer.concat([V2_SIGNATURE, Buffer.from([verCmd, fam, 0, len]), Buffer.alloc(len, 1)]);
    expect(tryParse(head)).toBeInstanceOf(GatehouseError);
  });
});

describe('fuzzed garbage', () => {
  const assertNeverCrashes = (buf: Buffer) => {
    const result = tryParse(buf);
    if (result instanceof GatehouseError) expect(result.code).toBe('GH_BALANCER_PROXY_HEADER_INVALID');
    else if (result.done) expect(result.length).toBeLessThanOrEqual(buf.length);
  };

  it('random bytes give a result or a coded error, never a crash (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => assertNeverCrashes(Buffer.from(bytes))), { numRuns: 2000 });
  });

  it('garbage after a valid prefix reaches the deep parsers without crashing (property)', () => {
    const prefix = fc.constantFrom(V2_SIGNATURE, Buffer.from('PROXY '), Buffer.from('PROXY TCP4 '), Buffer.from('PROXY TCP6 '), Buffer.concat([V2_SIGNATURE, Buffer.from([0x21])]));
    fc.assert(fc.property(prefix, fc.uint8Array({ maxLength: 300 }), (p, bytes) => assertNeverCrashes(Buffer.concat([p, bytes]))), { numRuns: 3000 });
  });

  it('single-byte mutations of valid headers never crash (property)', () => {
    const valid = fc.oneof(
      fc.tuple(endpoint(ipv4), endpoint(ipv4)).map(([s, d]) => encodeProxyV1({ source: s, destination: d })),
      fc.tuple(endpoint(ipv6), endpoint(ipv6)).map(([s, d]) => encodeProxyV2({ source: s, destination: d, tlvs: [{ type: 1, value: Buffer.from('h2') }] })),
    );
    fc.assert(
      fc.property(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), (buf, at, byte) => {
        const copy = Buffer.from(buf);
        copy[at % copy.length] = byte;
        assertNeverCrashes(copy);
      }),
      { numRuns: 3000 },
    );
  });
});
