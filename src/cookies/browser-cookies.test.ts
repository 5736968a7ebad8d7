import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookiePolicy, type CookieKind } from './index.js';

/**
 * Does a real Chromium keep `__Host-` / `__Secure-` cookies (Secure, HttpOnly) set
 * over plain http://localhost, and send them back? createCookiePolicy must decide as the browser does:
 * prefixed names where the browser keeps them, plain names where it would drop them. A hostname that
 * is not local (gatehouse.test) is mapped to 127.0.0.1 inside Chromium, so all traffic stays on loopback.
 */
const NON_LOCAL_HOST = 'gatehouse.test';

function serialize(name: string, value: string, o: ReturnType<ReturnType<typeof createCookiePolicy>['options']>): string {
  const parts = [`${name}=${value}`, `Path=${o.path ?? '/'}`];
  if (o.secure === true) parts.push('Secure');
  if (o.httpOnly) parts.push('HttpOnly');
  if (typeof o.sameSite === 'string') parts.push(`SameSite=${o.sameSite[0]!.toUpperCase()}${o.sameSite.slice(1)}`);
  if (o.maxAge !== undefined) parts.push(`Max-Age=${o.maxAge}`);
  return parts.join('; ');
}

function handler(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname === '/probe') {
    // Prefixed cookies exactly as the contract wants them: Secure, HttpOnly, Path=/, no Domain.
    response.setHeader('Set-Cookie', [
      '__Host-probe=1; Secure; HttpOnly; Path=/; SameSite=Lax',
      '__Secure-probe=1; Secure; HttpOnly; Path=/; SameSite=Lax',
      'plain-probe=1; HttpOnly; Path=/; SameSite=Lax',
    ]);
  } else if (url.pathname === '/policy') {
    // What gatehouse itself would set for this origin.
    const policy = createCookiePolicy({ origin: `http://${request.headers.host}`, secure: 'auto' });
    const set = (kind: CookieKind, name: string) => serialize(name, 'v', policy.options(kind, 600));
    response.setHeader('Set-Cookie', [set('session', policy.names.session), set('auth', policy.names.auth), set('preference', policy.names.theme)]);
  }
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify({ cookie: request.headers.cookie ?? '' }));
}

describe('Chromium and prefixed cookies over plain HTTP', () => {
  let server: Server;
  let port: number;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--host-resolver-rules=MAP ${NON_LOCAL_HOST} 127.0.0.1`],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Visits `path` (the cookies get set), then /echo: what Chromium kept and what it sends back. */
  async function visit(host: string, path: string): Promise<{ kept: string[]; sent: string }> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const origin = `http://${host}:${port}`;
      await page.goto(`${origin}${path}`);
      await page.goto(`${origin}/echo`);
      const sent = (JSON.parse((await page.locator('body').innerText()) || '{}') as { cookie: string }).cookie;
      const kept = (await context.cookies(origin)).map((c) => c.name).sort();
      return { kept, sent };
    } finally {
      await context.close();
    }
  }

  it.each(['localhost', '127.0.0.1'])('keeps __Host- and __Secure- cookies on http://%s and sends them back', async (host) => {
    const { kept, sent } = await visit(host, '/probe');
    expect(kept).toEqual(['__Host-probe', '__Secure-probe', 'plain-probe']);
    expect(sent).toContain('__Host-probe=1');
    expect(sent).toContain('__Secure-probe=1');
    // …so the policy keeps the prefixed names there.
    expect(createCookiePolicy({ origin: `http://${host}:${port}`, secure: 'auto' }).names.session).toBe('__Host-gh.sid');
  });

  it('drops Secure cookies on a plain-HTTP host that is not local, where the policy falls back', async () => {
    const { kept, sent } = await visit(NON_LOCAL_HOST, '/probe');
    expect(kept).toEqual(['plain-probe']);
    expect(sent).toBe('plain-probe=1');
    const policy = createCookiePolicy({ origin: `http://${NON_LOCAL_HOST}:${port}`, secure: 'auto' });
    expect(policy.names.session).toBe('gh.sid');
    expect(policy.warning).not.toBeNull();
  });

  it.each(['localhost', NON_LOCAL_HOST])('gets back every cookie gatehouse sets on http://%s', async (host) => {
    const { kept, sent } = await visit(host, '/policy');
    const names = createCookiePolicy({ origin: `http://${host}:${port}`, secure: 'auto' }).names;
    expect(kept).toEqual([names.session, names.auth, names.theme].sort());
    for (const name of [names.session, names.auth, names.theme]) expect(sent).toContain(`${name}=v`);
  });
});
