// A node's request log as it runs by default: one line per completed request (not an "incoming" line
// and a "completed" line), carrying what an operator needs — request id, method, URL, status, time —
// and never a credential, though the line skips the redaction pass.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/index.js';
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
      }
      expect((completed[0]!.req as { url: string }).url).toBe('/healthz');
      expect((completed[2]!.req as { url: string }).url).toBe('/api/no/such/route?access_token=[redacted]');
      const log = JSON.stringify(lines);
      for (const secret of ['SESSION-SECRET-1', 'TOKEN-SECRET-2', 'TOKEN-SECRET-3']) expect(log).not.toContain(secret);
    } finally {
      await gh.close();
    }
  });
});
