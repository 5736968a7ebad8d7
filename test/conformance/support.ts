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
