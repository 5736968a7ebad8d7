import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNKED_GARBAGE, CHUNKED_MORE, ChunkedScanner } from './chunked.js';
import { framingOf, parseRequestHead } from './request-head.js';
import { bodyEndFinder, parseResponseHead } from './response-head.js';

const SEED = 4242;
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

function encodeChunked(parts: string[], trailer: string[]): string {
  return `${parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('')}0\r\n${trailer.map((t) => `${t}\r\n`).join('')}\r\n`;
}

describe('chunked scanner (property)', () => {
  it('finds the exact end of any chunked body however it is split, and reports every data byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
        fc.array(fc.stringMatching(/^X-[a-z]{1,5}: [ -~]{0,10}$/), { maxLength: 2 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.string({ maxLength: 10 }),
        (parts, trailer, cuts, after) => {
          const body = latin1(encodeChunked(parts, trailer));
          const all = Buffer.concat([body, latin1(after)]);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const scanner = new ChunkedScanner();
          let data = '';
          let end = CHUNKED_MORE;
          let offset = 0;
          for (const piece of [...points, all.length].map((p, i, arr) => all.subarray(i === 0 ? 0 : arr[i - 1], p))) {
            if (end !== CHUNKED_MORE) break;
            const at = scanner.feed(piece, 0, (s, e) => (data += piece.toString('latin1', s, e)));
            if (at >= 0) end = offset + at;
            offset += piece.length;
          }
          expect(end).toBe(body.length);
          expect(data).toBe(parts.join(''));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses what two parsers could read two ways: bare LF, sizes with junk, data longer than its size', () => {
    for (const bad of ['3\nabc\r\n0\r\n\r\n', '3 \r\nabc\r\n0\r\n\r\n', '0x3\r\nabc\r\n0\r\n\r\n', '3\r\nabcd\r\n0\r\n\r\n', 'FFFFFFFFFFFFFFFF\r\n', '3;a\x00\r\nabc\r\n', '0\r\nX: a\nb\r\n\r\n']) {
      expect(new ChunkedScanner().feed(latin1(bad))).toBe(CHUNKED_GARBAGE);
    }
  });
});

describe('request head parser (property)', () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
  it('reads back any well-formed head: method, target, framing and the forwarded fields', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'),
        fc.stringMatching(/^\/[!-~]{0,30}$/),
        fc.array(fc.tuple(token, fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/)), { maxLength: 8 }),
        fc.oneof(fc.constant<string | null>(null), fc.nat({ max: 99999 }).map(String), fc.constant('chunked')),
        (method, target, fields, framing) => {
          const safe = fields.filter(([n]) => !/^(host|content-length|transfer-encoding|connection|te|trailer|upgrade|keep-alive|expect|proxy-.*|x-forwarded-.*|forwarded)$/i.test(n));
          const lines = [`${method} ${target} HTTP/1.1`, 'Host: app', ...safe.map(([n, v]) => `${n}: ${v}`)];
          if (framing === 'chunked') lines.push('Transfer-Encoding: chunked');
          else if (framing !== null) lines.push(`Content-Length: ${framing}`);
          const head = parseRequestHead(lines.join('\r\n'), 'fallback');
          if (typeof head === 'string') throw new Error(head);
          expect(head.method).toBe(method);
          expect(head.target).toBe(target);
          expect(head.host).toBe('app');
          expect(head.lines.filter((l) => !/^content-length:/i.test(l))).toEqual(safe.map(([n, v]) => `${n}: ${v}`));
          const want = framing === null || framing === '0' || Number(framing) === 0 ? 'none' : framing === 'chunked' ? 'chunked' : 'length';
          expect(head.framing.kind).toBe(want);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never throws on arbitrary text, and never accepts both lengths at once', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (junk, both) => {
        const text = both ? `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n${junk}\r\nTransfer-Encoding: chunked` : junk;
        const result = parseRequestHead(text, 'fallback');
        if (both) expect(typeof result === 'string').toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('framing rules: one plain length or exactly chunked in HTTP/1.1, nothing else', () => {
    expect(framingOf('1.1', ['5'], [])).toEqual({ kind: 'length', length: 5 });
    expect(framingOf('1.1', [], ['chunked'])).toEqual({ kind: 'chunked' });
    for (const [v, cl, te] of [
      ['1.1', ['5'], ['chunked']],
      ['1.1', ['5', '5'], []],
      ['1.1', ['+5'], []],
      ['1.1', [], ['gzip, chunked']],
      ['1.1', [], ['chunked', 'chunked']],
      ['1.0', [], ['chunked']],
    ] as const) {
      expect(framingOf(v, cl, te)).toBe('GH_BALANCER_AMBIGUOUS_LENGTH');
    }
  });
});

describe('response head parser (property)', () => {
  it('frames by status, method, chunked and Content-Length as RFC 9112 §6.3 says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.constantFrom('GET', 'HEAD'), fc.constantFrom('none', 'cl', 'te', 'both'), fc.nat({ max: 1000 }), (status, method, kind, length) => {
        const lines = [`HTTP/1.1 ${status} X`];
        if (kind === 'cl' || kind === 'both') lines.push(`Content-Length: ${length}`);
        if (kind === 'te' || kind === 'both') lines.push('Transfer-Encoding: chunked');
        const head = parseResponseHead(lines.join('\r\n'), method);
        expect(head).toBeDefined();
        const bodiless = status < 200 || status === 204 || status === 304 || method === 'HEAD';
        const want = bodiless ? 'none' : kind === 'te' || kind === 'both' ? 'chunked' : kind === 'cl' ? 'length' : 'close';
        expect(head!.mode).toBe(want);
        // A Content-Length beside chunked never reaches the client.
        if (kind === 'both') expect(head!.lines.some((l) => /^content-length/i.test(l))).toBe(false);
        if (want === 'length') expect(bodyEndFinder(head!)(Buffer.alloc(length + 3))).toBe(length);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('drops hop-by-hop fields and every field Connection names, keeping the rest in order', () => {
    const text = ['HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'Connection: X-Private, keep-alive', 'X-Private: hop', 'Keep-Alive: timeout=5', 'Set-Cookie: b=2', 'Content-Length: 0'].join('\r\n');
    expect(parseResponseHead(text, 'GET')?.lines).toEqual(['Set-Cookie: a=1', 'Set-Cookie: b=2', 'Content-Length: 0']);
    const closing = parseResponseHead(['HTTP/1.1 200 OK', 'Connection: close', 'Close: named-by-connection', 'Content-Length: 0'].join('\r\n'), 'GET');
    expect(closing?.upstreamClose).toBe(true);
    expect(closing?.lines).toEqual(['Content-Length: 0']);
    expect(parseResponseHead('HTTP/1.1 204 No Content\r\nX-A: 1', 'GET')?.lines).toEqual(['X-A: 1']);
  });

  it('calls a malformed head malformed (the caller answers 502)', () => {
    for (const bad of ['HTTP/1.1 ???? nonsense', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip', 'HTTP/1.1 200 OK\r\nBad Name: x', 'HTTP/1.1 200 OK\r\nX: a\x00b', 'ICY 200 OK']) {
      expect(parseResponseHead(bad, 'GET')).toBeUndefined();
    }
  });
});
