// Two real gatehouse nodes for the federation attacks: A (the site under attack, on SQLite or on
// PostgreSQL + Redis) signs its users in through B (a real OpenID provider, "any OIDC issuer by URL").
import { expect } from 'vitest';
import { authorizeInBrowser, Browser, startGatehouse, type RunningGatehouse } from '../oauth/support.js';
import { createTestPostgres, REDIS_URL } from '../support/services.js';
import type { TestDialect } from '../support/services.js';

export { Browser };

export interface FederationPair {
  a: RunningGatehouse;
  b: RunningGatehouse;
  adminCookie: string;
  /** Registers B at A under `id` (a client of B per id), through A's admin API. */
  addProvider(id: string, options: { trustEmail: boolean }): Promise<void>;
  /** A user of B whose address B proved (B asserts `email_verified: true` for it). */
  verifiedAtB(email: string, password: string): Promise<void>;
  /** Browser: start at A, sign in at B (login + consent), back to A's callback; A's answer to it. */
  signInThroughB(browser: Browser, provider: string, email: string, password: string, start?: string): Promise<Response>;
  /** Browser: POST …/link while signed in to A, then through B; A's answer to the callback. */
  linkThroughB(browser: Browser, provider: string, email: string, password: string): Promise<Response>;
  /** Signs `browser` in to A with a password (session mode). */
  passwordLogin(browser: Browser, email: string, password: string): Promise<void>;
  me(browser: Browser): Promise<{ status: number; email: string | null; roles: string[] }>;
  close(): Promise<void>;
}

export async function startFederationPair(dialect: TestDialect): Promise<FederationPair> {
  const pg = dialect === 'postgres' ? await createTestPostgres() : null;
  const [a, b] = await Promise.all([
    startGatehouse(pg ? { databaseUrl: pg.url, redisUrl: REDIS_URL, keyPrefix: `ghfed:${Math.random().toString(36).slice(2)}:` } : {}),
    startGatehouse(),
  ]);
  const admin = await a.gh.ctx.identity.signup({ email: 'operator@a.example', password: 'operator password 123', roles: ['admin'] });
  const session = await a.gh.ctx.sessions.create({ userId: admin.id, ip: '127.0.0.1', userAgent: 'test' });
  const adminCookie = `${a.gh.ctx.cookies.names.session}=${session.token}`;

  async function continueAtB(browser: Browser, start: Response, email: string, password: string): Promise<Response> {
    const toB = new URL(start.headers.get('location') ?? (await start.clone().json() as { authorizationUrl: string }).authorizationUrl);
    expect(toB.origin).toBe(b.origin);
    const callback = await authorizeInBrowser({ authorizationUrl: toB, origin: b.origin, email, password, browser });
    expect(callback.origin).toBe(a.origin);
    return browser.request(callback);
  }

  return {
    a,
    b,
    adminCookie,
    async addProvider(id, options) {
      const registered = await b.createClient({ name: `A (${id})`, type: 'confidential', redirectUris: [`${a.origin}/api/auth/federation/${id}/callback`], scopes: ['openid', 'email', 'profile'] });
      const added = await fetch(`${a.origin}/api/auth/federation/providers`, {
        method: 'POST',
        headers: { cookie: adminCookie, origin: a.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ id, kind: 'oidc', issuer: b.issuer, clientId: registered.client_id, clientSecret: registered.client_secret, scope: 'openid email profile', trustEmail: options.trustEmail }),
      });
      expect(added.status).toBe(201);
    },
    async verifiedAtB(email, password) {
      await b.gh.ctx.identity.signup({ email, password, emailVerifiedVia: 'email-link' });
    },
    async signInThroughB(browser, provider, email, password, start = `/api/auth/federation/${provider}/start`) {
      const response = await browser.request(`${a.origin}${start}`);
      expect(response.status).toBe(302);
      return continueAtB(browser, response, email, password);
    },
    async linkThroughB(browser, provider, email, password) {
      const response = await browser.request(`${a.origin}/api/auth/federation/${provider}/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: a.origin },
        body: JSON.stringify({ returnTo: '/account' }),
      });
      expect(response.status).toBe(200);
      return continueAtB(browser, response, email, password);
    },
    async passwordLogin(browser, email, password) {
      const login = await browser.request(`${a.origin}/api/auth/session/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: a.origin },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
    },
    async me(browser) {
      const response = await browser.request(`${a.origin}/api/me`);
      const body = (await response.json()) as { user?: { email: string; roles: string[] } };
      return { status: response.status, email: body.user?.email ?? null, roles: body.user?.roles ?? [] };
    },
    async close() {
      await a.close();
      await b.close();
      await pg?.drop();
    },
  };
}

/** The page A sends a refused sign-in to: the web app's, never a JSON body. */
export function expectProblemPage(response: Response, code: string, provider: string): URL {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location')!, 'http://a.invalid');
  expect(location.pathname).toBe('/federation/problem');
  expect(location.searchParams.get('code')).toBe(code);
  expect(location.searchParams.get('provider')).toBe(provider);
  return location;
}
