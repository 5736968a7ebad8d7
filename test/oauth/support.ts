// Helpers for the OAuth end-to-end tests: a real gatehouse node on a free port, a small cookie jar and
// a "browser" that follows redirects and submits the server-rendered forms with fetch.
import type { Config, DeepPartial, Logger } from '../../src/core/index.js';
import { buildApp, type GatehouseApp } from '../../src/http/index.js';
import { createClientManager, type ClientInput } from '../../src/oauth/index.js';
import { createTempDir } from '../support/services.js';
import { freePort } from '../support/app.js';

export { freePort };


export interface RunningGatehouse {
  gh: GatehouseApp;
  /** The port this node listens on (its origin may be a shared public URL). */
  port: number;
  origin: string;
  issuer: string;
  apiResource: string;
  createClient(input: ClientInput): Promise<{ client_id: string; client_secret?: string }>;
  signup(email: string, password: string, name?: string): Promise<{ id: string }>;
  close(): Promise<void>;
}

export async function startGatehouse(
  options: {
    databaseUrl?: string;
    redisUrl?: string;
    keyPrefix?: string;
    dataDir?: string;
    secret?: string;
    port?: number;
    publicUrl?: string;
    /** e.g. a logger writing to memory, to read what the node logged. */
    logger?: Logger;
    /** Extra configuration sections (e.g. `federation`). */
    config?: Pick<DeepPartial<Config>, 'federation'>;
    oauth?: { dynamicRegistration?: boolean; initialAccessToken?: string; allowLoopbackFetch?: boolean };
  } = {},
): Promise<RunningGatehouse> {
  const dir = options.dataDir ? { path: options.dataDir, remove: async () => {} } : await createTempDir('gh-oauth-');
  const port = options.port ?? (await freePort());
  const origin = options.publicUrl ?? `http://127.0.0.1:${port}`;
  const gh = await buildApp({
    env: options.secret ? { GATEHOUSE_SECRET: options.secret } : {},
    ...(options.logger ? { logger: options.logger } : {}),
    config: {
      ...options.config,
      server: { host: '127.0.0.1', port, publicUrl: origin, dataDir: dir.path },
      storage: {
        ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
        ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
        ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      },
      // Cheap hashing keeps the tests quick; the parameters are not what is under test here.
      passwords: { memoryCostKiB: 1024, timeCost: 1 },
      cookies: { secure: false },
      ...(options.oauth ? { oauth: options.oauth } : {}),
    },
  });
  await gh.listen();
  const clients = createClientManager({ db: gh.ctx.database.db, ids: gh.ctx.ids, clock: gh.ctx.clock });
  return {
    gh,
    port,
    origin,
    issuer: `${origin}/oidc`,
    apiResource: `${origin}/api`,
    createClient: (input) => clients.create(input),
    signup: async (email, password, name) => gh.ctx.identity.signup({ email, password, name: name ?? null }),
    async close() {
      await gh.close();
      await dir.remove();
    },
  };
}

interface StoredCookie {
  value: string;
  path: string;
  origin: string;
}

/** Enough of a browser's cookie store for these flows: name, value, path and origin; no expiry games. */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const attr of attrs) {
        const [k, v] = attr.trim().split('=');
        if (k?.toLowerCase() === 'path' && v) path = v;
        if (k?.toLowerCase() === 'expires' && v && new Date(v).getTime() < Date.now()) expired = true;
        if (k?.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${url.origin} ${name} ${path}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { value, path, origin: url.origin });
    }
  }

  header(url: URL): string {
    const out: string[] = [];
    for (const [key, cookie] of this.cookies) {
      if (cookie.origin !== url.origin) continue;
      if (!(url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))) continue;
      out.push(`${key.split(' ')[1]}=${cookie.value}`);
    }
    return out.join('; ');
  }
}

/** A user agent: fetch with a cookie jar, following redirects by hand until it leaves `stopAt`'s origin. */
export class Browser {
  readonly jar = new CookieJar();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.jar.store(target, response);
    return response;
  }

  /** GET `url` and follow redirects while they stay on `origin`; returns the last response and its URL. */
  async follow(url: string | URL, origin: string, init: RequestInit = {}): Promise<{ response: Response; url: URL }> {
    let current = new URL(url);
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get('location')!, current);
      if (next.origin !== origin) return { response, url: next };
      await response.arrayBuffer();
      current = next;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  /** POSTs a form as a browser would (urlencoded, Origin header), then follows redirects on `origin`. */
  async submit(action: string | URL, fields: [string, string][], origin: string): Promise<{ response: Response; url: URL }> {
    const body = new URLSearchParams(fields).toString();
    const response = await this.request(action, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    });
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, action);
      await response.arrayBuffer();
      if (next.origin !== origin) return { response, url: next };
      return this.follow(next, origin);
    }
    return { response, url: new URL(action) };
  }
}

/** The hidden CSRF field, the form actions and the scope checkboxes of an interaction page. */
export function parsePage(html: string): { csrf: string; actions: string[]; scopes: string[]; hasPasswordInput: boolean; allowButton: boolean } {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const actions = [...html.matchAll(/action="([^"]+)"/g)].map((m) => m[1]!);
  const scopes = [...html.matchAll(/type="checkbox"[^>]*name="scope" value="([^"]+)"/g)].map((m) => m[1]!);
  return {
    csrf,
    actions,
    scopes,
    hasPasswordInput: /<input[^>]+name="password"/.test(html) && /<input[^>]+name="email"/.test(html),
    allowButton: /<button[^>]*type="submit"[^>]*>Allow<\/button>/.test(html),
  };
}

/**
 * Drives the user's side of an authorization request: login form (if asked), consent with `keep`
 * scopes ticked (default: all), back to the client. Returns the callback URL the client receives.
 */
export async function authorizeInBrowser(input: {
  authorizationUrl: URL;
  origin: string;
  email: string;
  password: string;
  browser?: Browser;
  keep?: (scope: string) => boolean;
}): Promise<URL> {
  const browser = input.browser ?? new Browser();
  let { response, url } = await browser.follow(input.authorizationUrl, input.origin);
  for (let step = 0; step < 4 && url.origin === input.origin; step++) {
    const html = await response.text();
    const page = parsePage(html);
    if (!page.csrf) throw new Error(`unexpected page ${response.status} at ${url}: ${html.slice(0, 300)}`);
    if (page.hasPasswordInput) {
      ({ response, url } = await browser.submit(new URL(page.actions[0]!, url), [['csrf', page.csrf], ['email', input.email], ['password', input.password]], input.origin));
    } else {
      const keep = page.scopes.filter(input.keep ?? (() => true));
      ({ response, url } = await browser.submit(new URL(page.actions[0]!, url), [['csrf', page.csrf], ...keep.map((s): [string, string] => ['scope', s])], input.origin));
    }
  }
  if (url.origin === input.origin) throw new Error(`the flow did not return to the client (${response.status} at ${url})`);
  return url;
}
