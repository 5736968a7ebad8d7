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

/** The first form on a page whose id is `formId`: its action and hidden fields. */
export function formOf(html: string, formId: string): { action: string; fields: [string, string][] } {
  const form = new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form ${formId} in ${html.replace(/<style>[\s\S]*<\/style>/, "").slice(0, 1500)}`);
  const action = /action="([^"]+)"/.exec(form[0])?.[1] ?? '';
  const fields = [...form[0].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]);
  return { action, fields };
}

/**
 * The user's side of the device flow through the provider's HTML forms: open verification_uri_complete,
 * confirm the code, sign in, consent. Ends on the "device connected" page.
 */
export async function approveDevice(gh: RunningGatehouse, verificationUriComplete: string): Promise<string> {
  const { Browser, parsePage } = await import('../oauth/support.js');
  const browser = new Browser();
  let { response, url } = await browser.follow(verificationUriComplete, gh.origin);
  let html = await response.text();
  if (!html.includes('op.deviceConfirmForm')) {
    // oidc-provider turns the GET with user_code into a self-submitting POST (what a browser's script does).
    const auto = formOf(html.replace('<form method="post"', '<form id="auto" method="post"'), 'auto');
    ({ response, url } = await browser.submit(new URL(auto.action, url), auto.fields, gh.origin));
    html = await response.text();
  }
  const confirm = formOf(html, 'op.deviceConfirmForm');
  ({ response, url } = await browser.submit(new URL(confirm.action, url), confirm.fields, gh.origin));
  for (let step = 0; step < 4; step++) {
    const html = await response.text();
    const page = parsePage(html);
    if (!page.csrf) return html;
    const fields: [string, string][] = page.hasPasswordInput
      ? [['csrf', page.csrf], ['email', EMAIL], ['password', PASSWORD]]
      : [['csrf', page.csrf], ...page.scopes.map((s): [string, string] => ['scope', s])];
    ({ response, url } = await browser.submit(new URL(page.actions[0]!, url), fields, gh.origin));
  }
  throw new Error('the device approval did not finish');
}
