// A node's request log as it runs by default: one line per completed request (not an "incoming" line
// and a "completed" line), carrying what an operator needs — request id, method, URL, status, time —
// and never a credential, though the line skips the redaction pass.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, infoLineSink } from '../src/core/index.js';
import { completedFields } from '../src/http/request-log.js';
import { startGatehouse } from './oauth/support.js';

describe("a node's request log", () => {
  it('writes one line per completed request, without the credentials the request carried', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const gh = await startGatehouse({ logger: createLogger({ level: 'info', destination }) });
    try {
      const secretCookie = 'gh_session=SESSION-SECRET-1';
      const responses = [
        await fetch(`${gh.origin}/healthz`),
        await fetch(`${gh.origin}/api/me`, { headers: { cookie: secretCookie, authorization: 'Bearer TOKEN-SECRET-2' } }),
        await fetch(`${gh.origin}/api/no/such/route?access_token=TOKEN-SECRET-3`),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 401, 404]);
      const requestLines = lines.filter((l) => 'req' in l || 'res' in l);
      expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
      const completed = requestLines.filter((l) => l.msg === 'request completed');
      expect(completed).toHaveLength(3);
      for (const [i, status] of [200, 401, 404].entries()) {
        const line = completed[i]!;
        expect(typeof line.reqId).toBe('string');
        expect(typeof line.responseTime).toBe('number');
        expect(line.res).toEqual({ statusCode: status });
        expect((line.req as { method: string }).method).toBe('GET');
        // Who asked: the peer the line names (it was lost once, to the serializer running twice).
        expect((line.req as { remoteAddress: string }).remoteAddress).toBe('127.0.0.1');
        expect(typeof (line.req as { remotePort: number }).remotePort).toBe('number');
      }
      expect((completed[0]!.req as { url: string }).url).toBe('/healthz');
      expect((completed[2]!.req as { url: string }).url).toBe('/api/no/such/route?access_token=[redacted]');
      const log = JSON.stringify(lines);
      for (const secret of ['SESSION-SECRET-1', 'TOKEN-SECRET-2', 'TOKEN-SECRET-3']) expect(log).not.toContain(secret);
    } finally {
      await gh.close();
    }
  });

  describe('the line formatted without pino', () => {
    afterEach(() => vi.useRealTimers());
    const captured = () => {
      const out: string[] = [];
      return { out, destination: { write: (line: string) => void out.push(line) } };
    };
    const requests = [
      { method: 'GET', url: '/healthz', host: 'localhost:8080', remoteAddress: '127.0.0.1', remotePort: 51234 },
      // Quotes, backslashes, line separators and non-ASCII in the URL must be escaped as pino escapes them.
      { method: 'POST', url: '/a?"q"=\\x\u2028\u00e9&code=[redacted]', host: undefined, remoteAddress: '::1', remotePort: undefined },
      { method: 'DELETE', url: '/', host: 'h', remoteAddress: undefined, remotePort: undefined },
    ];

    it("writes byte for byte what pino's own path writes", () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-12-02T08:00:00.123Z'));
      for (const [i, req] of requests.entries()) {
        const { out, destination } = captured();
        const logger = createLogger({ level: 'info', name: 'gatehouse', destination });
        logger.child({}, { redact: [], serializers: { req: (r: unknown) => r } }).info({ reqId: `id-${i}"`, req, res: { statusCode: 200 + i }, responseTime: 1.5 + i / 3 }, 'request completed');
        const sink = infoLineSink(logger);
        expect(sink).not.toBeNull();
        sink!.write(`${sink!.head()}${completedFields(`id-${i}"`, req, 200 + i, 1.5 + i / 3)}`);
        expect(out).toHaveLength(2);
        expect(out[1]).toBe(out[0]);
      }
    });

    it('is not used for a logger whose format gatehouse does not know', () => {
      const { destination } = captured();
      expect(infoLineSink(pino({ formatters: { level: (label) => ({ level: label }) } }, destination))).toBeNull();
      // A child of our logger may carry its own bindings or options: the logger's own path is used.
      expect(infoLineSink(createLogger({ destination }).child({ part: 'x' }))).toBeNull();
    });
  });
});
