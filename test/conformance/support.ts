// Shared set-up of the conformance suite: a real gatehouse node with dynamic registration behind an
// initial access token, a user, and a small HTTP server a relying party would run (its JWKS for
// private_key_jwt, its back-channel logout endpoint).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGatehouse, type RunningGatehouse } from '../oauth/support.js';

export const EMAIL = 'conformance@example.com';
export const PASSWORD = 'conformance password 123';
export const REDIRECT = 'https://rp.example/callback';
export const INITIAL_ACCESS_TOKEN = 'iat-for-the-conformance-suite-0123456789abcdef';

export async function startProvider(): Promise<RunningGatehouse & { userId: string }> {
  const gh = await startGatehouse({ oauth: { dynamicRegistration: true, initialAccessToken: INITIAL_ACCESS_TOKEN, allowLoopbackFetch: true } });
  const { id } = await gh.signup(EMAIL, PASSWORD, 'Conformance');
  return Object.assign(gh, { userId: id });
}

export interface RelyingPartyServer {
  url: string;
  /** Bodies POSTed to /backchannel, in arrival order. */
  received: URLSearchParams[];
  /** What GET /jwks answers. */
  jwks: { keys: unknown[] };
  close(): Promise<void>;
}

/** A relying party's own HTTP server on a loopback port. */
export async function startRelyingPartyServer(): Promise<RelyingPartyServer> {
  const received: URLSearchParams[] = [];
  const state = { jwks: { keys: [] as unknown[] } };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(state.jwks));
      return;
    }
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/cb'))) {
      res.setHeader('content-type', 'text/html');
      res.end('<!DOCTYPE html><title>relying party</title><p>relying party</p>');
      return;
    }
    if (req.method === 'POST' && req.url === '/backchannel') {
      void readBody(req).then((body) => {
        received.push(new URLSearchParams(body));
        res.statusCode = 200;
        res.end();
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get jwks() {
      return state.jwks;
    },
    set jwks(value) {
      state.jwks = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The JOSE header of a compact JWS. */
export function jwsHeader(jwt: string): { alg: string; typ?: string; kid?: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { alg: string; typ?: string; kid?: string };
}

export const api = (gh: RunningGatehouse, token: string, scheme = 'Bearer') =>
  fetch(`${gh.origin}/api/resources/profile`, { headers: { authorization: `${scheme} ${token}` } });

/**
 * The user's side of the device flow as the web app's device page drives it, over plain HTTP: read the
 * code from verification_uri_complete, ask oidc-provider's endpoint for its form secret and the request
 * (JSON), then post the approval (or the refusal) as the page's form does and sign in on the way.
 * Returns where the browser ends: the device page with `result=approved|denied`.
 */
export async function approveDevice(gh: RunningGatehouse, verificationUriComplete: string, choice: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const { Browser, parsePage } = await import('../oauth/support.js');
  const browser = new Browser();
  const userCode = new URL(verificationUriComplete).searchParams.get('user_code') ?? '';
  const endpoint = `${gh.issuer}/device`;
  const json = { accept: 'application/json' };
  const started = (await (await browser.request(endpoint, { headers: json })).json()) as { xsrf: string };
  const lookup = await browser.request(endpoint, {
    method: 'POST',
    headers: { ...json, origin: gh.origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf: started.xsrf, user_code: userCode }).toString(),
  });
  const confirm = (await lookup.json()) as { step: string; xsrf: string };
  if (confirm.step !== 'confirm') throw new Error(`the code was refused: ${JSON.stringify(confirm)}`);
  const decision: [string, string] = choice === 'approve' ? ['confirm', 'yes'] : ['abort', 'yes'];
  let { response, url } = await browser.submit(endpoint, [['xsrf', confirm.xsrf], ['user_code', userCode], decision], gh.origin);
  for (let step = 0; step < 4 && url.pathname !== '/device'; step++) {
    const html = await response.text();
    const page = parsePage(html);
    if (!page.hasPasswordInput) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 300)}`);
    ({ response, url } = await browser.submit(new URL(page.actions[0]!, url), [['csrf', page.csrf], ['email', EMAIL], ['password', PASSWORD]], gh.origin));
  }
  await response.arrayBuffer();
  return url;
}
