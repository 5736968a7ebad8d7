// Mailed links expire (a reset link within 30 minutes at most) and forgot-password is throttled per
// client IP — time moved with the one allowed mock, the clock; mail through a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, loadConfig } from '../../src/core/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { linkIn, startTestSmtp, tokenOf, type TestSmtp } from '../support/smtp.js';

describe('mailed links expire; reset requests are throttled per IP', () => {
  const clock = createManualClock(Date.now());
  let smtp: TestSmtp;
  let stack: TestStack;
  let node: TestNode;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    stack = await createTestStack({ clock, config: { mail: { smtpUrl: smtp.url, resetPerIp: 6, resetPerEmail: 10 } } });
    node = await stack.startNode();
  });
  afterAll(async () => {
    await stack?.dispose();
    await smtp?.close();
  });

  it('refuses a reset longer than 30 minutes in configuration', () => {
    expect(() => loadConfig({ mail: { resetTtlSec: 31 * 60 } })).toThrow(/resetTtlSec/);
  });

  it('a reset link works for 30 minutes, not one second longer; a newer link cancels the older one', async () => {
    const who = freshUser('expiry');
    await new TestClient(node.url).post('/api/auth/signup', { email: who.email, password: who.password });
    await new TestClient(node.url).post('/api/auth/password/forgot', { email: who.email });
    const first = tokenOf(linkIn(await smtp.waitFor(who.email, (m) => m.subject === 'Reset your password')));
    clock.advance(30 * 60_000 + 1_000);
    const late = await new TestClient(node.url).post('/api/auth/password/reset', { token: first, newPassword: `${who.password} late` });
    expect(late.body.error).toBe('GH_AUTH_LINK_INVALID');

    const before = smtp.received.length;
    await new TestClient(node.url).post('/api/auth/password/forgot', { email: who.email });
    await smtp.waitFor(who.email, (m) => m.subject === 'Reset your password' && smtp.received.indexOf(m) >= before);
    const second = tokenOf(linkIn(smtp.received.filter((m) => m.to.includes(who.email) && m.subject === 'Reset your password').at(-1)!));
    const middle = smtp.received.length;
    await new TestClient(node.url).post('/api/auth/password/forgot', { email: who.email });
    await smtp.waitFor(who.email, (m) => m.subject === 'Reset your password' && smtp.received.indexOf(m) >= middle);
    const third = tokenOf(linkIn(smtp.received.filter((m) => m.to.includes(who.email) && m.subject === 'Reset your password').at(-1)!));
    expect((await new TestClient(node.url).post('/api/auth/password/reset', { token: second, newPassword: `${who.password} 2` })).body.error).toBe('GH_AUTH_LINK_INVALID');
    clock.advance(29 * 60_000);
    expect((await new TestClient(node.url).post('/api/auth/password/reset', { token: third, newPassword: `${who.password} 3` })).status).toBe(204);
  });

  it('a verification link expires after its lifetime', async () => {
    const who = freshUser('verify-expiry');
    await new TestClient(node.url).post('/api/auth/signup', { email: who.email, password: who.password });
    const token = tokenOf(linkIn(await smtp.waitFor(who.email)));
    clock.advance(24 * 3_600_000 + 1_000);
    expect((await new TestClient(node.url).post('/api/auth/email/verify', { token })).body.error).toBe('GH_AUTH_LINK_INVALID');
  });

  it('one client IP asking for many addresses is throttled, with Retry-After', async () => {
    clock.advance(2 * 3_600_000);
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 7; i += 1) {
      const res = await new TestClient(node.url).post('/api/auth/password/forgot', { email: `ip.${i}.${Date.now()}@example.test` });
      statuses.push(res.status);
      if (res.status === 429) last = res as unknown as Response;
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
