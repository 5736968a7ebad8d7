// The request log of a real node: a callback's code and state, or a token in a link, never reach it
// (the URL is logged on every request).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/index.js';
import { startGatehouse } from '../oauth/support.js';

describe("a node's request log", () => {
  it('never carries the code or state of a callback URL', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const gh = await startGatehouse({ logger: createLogger({ level: 'info', destination }) });
    try {
      await fetch(`${gh.origin}/api/auth/federation/nowhere/callback?code=AUTHCODE-SECRET-1&state=STATE-SECRET-2`, { redirect: 'manual' });
      await fetch(`${gh.origin}/healthz?token=TOKEN-SECRET-3`);
      const log = lines.join('');
      expect(log).toContain('/api/auth/federation/nowhere/callback');
      expect(log).toContain('[redacted]');
      for (const secret of ['AUTHCODE-SECRET-1', 'STATE-SECRET-2', 'TOKEN-SECRET-3']) expect(log).not.toContain(secret);
    } finally {
      await gh.close();
    }
  });
});
