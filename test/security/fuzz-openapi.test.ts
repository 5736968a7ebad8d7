// Random requests against every route of the OpenAPI document (and the OpenID Provider's endpoints,
// which it does not list): bodies from and beside the schemas, odd path and query spellings, random
// methods, headers, cookies and credentials. Whatever a client sends, the answer is never a 5xx, the
// node keeps answering, and no answer carries a stack trace, a file path or a secret.
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { rawExchange } from './abuse-support.js';
import {
  METHODS, forgedJwtArb, leakIn, fuzzValue, headerNameArb, headerValueArb, mutate, onTheLine, operationsOf, pathSpellingArb, spellPath, stringArb, validValue,
  type Answer, type Operation,
} from './fuzz-support.js';

const SEED = 20_261_202;
const RUNS = 500;
const METRICS_TOKEN = 'fuzz-metrics-token-0123456789abcdef';
const OAUTH_FIELDS = ['grant_type', 'code', 'redirect_uri', 'client_id', 'client_secret', 'refresh_token', 'scope', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'code_verifier', 'token', 'token_type_hint', 'id_token_hint', 'post_logout_redirect_uri', 'logout', 'xsrf', 'prompt', 'device_code', 'user_code', 'resource'] as const;
/** The OpenID Provider's endpoints and the bare node routes, which the document does not list. */
const EXTRA: Operation[] = [
  ...['/oidc/auth', '/oidc/token', '/oidc/token/introspection', '/oidc/token/revocation', '/oidc/session/end', '/oidc/session/end/confirm', '/oidc/me', '/oidc/device/auth', '/oidc/reg', '/oidc/interaction/{uid}', '/oidc/interaction/{uid}/login', '/oidc/interaction/{uid}/confirm', '/oidc/interaction/{uid}/abort'].flatMap((path) =>
    ['GET', 'POST'].map((method) => ({ method, path, pathParams: (path.includes('{uid}') ? { uid: { type: 'string' } } : {}), query: {}, body: null, form: OAUTH_FIELDS })),
  ),
  ...['/healthz', '/readyz', '/metrics', '/openapi.json', '/oidc/jwks', '/oidc/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/socket.io/', '/docs/api'].map((path) => ({ method: 'GET', path, pathParams: {}, query: { EIO: { enum: ['3', '4', '5'] }, transport: { enum: ['polling', 'websocket', 'x'] } }, body: null })),
];

/** The credentials the fuzzer holds (and may send, damage or forge); each must never come back in an answer. */
interface Credentials {
  email: string;
  password: string;
  session: string;
  access: string;
  refresh: string;
  clientId: string;
  clientSecret: string;
}

interface FuzzRequest {
  op: Operation;
  method: string;
  path: string;
  headers: Record<string, string>;
  cookie: 'none' | 'real' | 'mutated' | 'garbage' | 'twice' | 'huge';
  authorization: 'none' | 'bearer' | 'bearer-mutated' | 'bearer-forged' | 'basic-client' | 'basic-random' | 'odd-scheme';
  origin: 'self' | 'none' | 'null' | 'other';
  body: { type: string | null; text: string } | null;
  n: number;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

function requestArb(op: Operation, known: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const paramValues = fc.record(Object.fromEntries(Object.entries(op.pathParams).map(([k, s]) => [k, fc.oneof(validValue(s, known), stringArb(known))])));
  const query = fc.record(Object.fromEntries(Object.entries(op.query).map(([k, s]) => [k, fuzzValue(s, known)])), { requiredKeys: [] });
  const extraQuery = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(op.form ?? ['q', 'limit', 'id'])), fc.string({ maxLength: 8 })), stringArb(known)), { maxLength: 4 });
  const jsonBody = op.body ? fuzzValue(op.body, known) : fc.jsonValue({ maxDepth: 2 });
  const formBody = fc.array(fc.tuple(fc.constantFrom(...(op.form ?? OAUTH_FIELDS)), stringArb(known)), { maxLength: 8 }).map((pairs) => new URLSearchParams(pairs).toString());
  const body = fc.oneof(
    { weight: op.body ? 8 : 1, arbitrary: jsonBody.map((v) => ({ type: 'application/json', text: JSON.stringify(v) ?? 'null' })) },
    { weight: op.form ? 6 : 1, arbitrary: formBody.map((text) => ({ type: 'application/x-www-form-urlencoded', text })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '*/*', ';;;'), fc.string({ maxLength: 60 })).map(([type, text]) => ({ type: type, text })) },
    { weight: 1, arbitrary: jsonBody.map((v) => ({ type: null as string | null, text: JSON.stringify(v) ?? '' })) },
    { weight: 1, arbitrary: fc.constant({ type: 'application/json', text: `${'['.repeat(40)}${']'.repeat(40)}` }) },
  );
  return fc
    .record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      params: paramValues,
      rawParams: fc.boolean(),
      spelling: fc.oneof({ weight: 4, arbitrary: fc.constant('plain' as const) }, { weight: 3, arbitrary: pathSpellingArb }),
      query,
      extraQuery,
      headers: fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 3 }),
      known: fc.record(
        {
          'accept-language': fc.oneof(headerValueArb, fc.constantFrom('ko', 'en-US,en;q=0.9', 'ko-KR;q=x', '*')),
          accept: fc.oneof(headerValueArb, fc.constantFrom('text/html', 'application/json', '*/*')),
          'x-forwarded-for': fc.oneof(headerValueArb, fc.ipV4(), fc.ipV6()),
          'x-forwarded-host': headerValueArb,
          host: fc.oneof(headerValueArb, fc.constantFrom('evil.example', '127.0.0.1:1', '[::1]')),
        },
        { requiredKeys: [] },
      ),
      cookie: fc.constantFrom('none', 'real', 'real', 'mutated', 'garbage', 'twice', 'huge'),
      authorization: fc.constantFrom('none', 'none', 'bearer', 'bearer-mutated', 'bearer-forged', 'basic-client', 'basic-random', 'odd-scheme'),
      origin: fc.constantFrom('self', 'self', 'none', 'null', 'other'),
      body: fc.option(body, { freq: 3 }),
      n: fc.nat(),
    })
    .map((r) => {
      let path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => onTheLine(String(r.params[name] ?? ''), r.rawParams));
      path = spellPath(path, r.spelling, r.n);
      const pairs = [...Object.entries(r.query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']), ...r.extraQuery];
      if (pairs.length) path += `?${pairs.map(([k, v]) => `${onTheLine(k!, r.rawParams)}=${onTheLine(v!, r.rawParams)}`).join('&')}`;
      return {
        op,
        method: r.method,
        path,
        headers: { ...r.headers, ...r.known },
        cookie: r.cookie,
        authorization: r.authorization,
        origin: r.origin,
        body: r.body,
        n: r.n,
      };
    });
}

/**
 * Against PostgreSQL and Redis, the strictest stores: PostgreSQL refuses text SQLite keeps (a NUL), and
 * the Redis session, throttle and rate-limit paths differ from the SQL ones.
 */
const STORES = { dialect: 'postgres' as const, redis: true };

describe('fuzzing every route', () => {
  let stack: TestStack;
  let node: TestNode;
  let admin: TestClient;
  let creds: Credentials;
  let cookieName: string;
  const secrets = new Set<string>([TEST_SECRET, METRICS_TOKEN]);
  let forgedJwts: string[];

  async function signIn(): Promise<void> {
    const user = freshUser('fuzz');
    await node.node.ctx.identity.signup({ email: user.email, password: user.password, roles: ['user', 'admin'] });
    admin = new TestClient(node.url);
    const login = await admin.post('/api/auth/session/login', { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    cookieName = [...admin.cookies.keys()].find((k) => k.endsWith('.sid'))!;
    const jwt = await new TestClient(node.url).post('/api/auth/jwt/login', { email: user.email, password: user.password, refresh_token_in_body: true });
    expect(jwt.status).toBe(200);
    const client = await admin.post('/api/oauth/clients', { name: 'Fuzzed RP', redirect_uris: ['https://rp.example/cb'], type: 'confidential' });
    expect(client.status).toBe(201);
    creds = {
      email: user.email,
      password: user.password,
      session: admin.cookies.get(cookieName)!,
      access: jwt.body.access_token,
      refresh: jwt.body.refresh_token,
      clientId: client.body.client_id,
      clientSecret: client.body.client_secret,
    };
    for (const key of ['password', 'session', 'access', 'refresh', 'clientSecret'] as const) secrets.add(creds[key]);
  }

  /** The fuzzer may log itself out, change its password or delete its account: then it starts again. */
  async function stillSignedIn(): Promise<void> {
    if ((await admin.get('/api/me')).status !== 200) await signIn();
  }

  beforeAll(async () => {
    stack = await createTestStack({ ...STORES, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false }, server: { metricsToken: METRICS_TOKEN } } });
    node = await stack.startNode();
    await signIn();
    expect(creds.access).toBeTruthy();
    expect(creds.refresh).toBeTruthy();
    forgedJwts = fc.sample(forgedJwtArb, { seed: SEED, numRuns: 20 });
  }, 60_000);
  afterAll(() => stack?.dispose());

  function headersOf(r: FuzzRequest): Record<string, string> {
    const headers = { ...r.headers };
    const cookie = {
      none: null,
      real: `${cookieName}=${creds.session}`,
      mutated: `${cookieName}=${mutate(creds.session, r.n)}`,
      garbage: `${cookieName}=${r.headers['x-forwarded-host'] ?? '%%%'}; =; ;;a==b`,
      twice: `${cookieName}=${mutate(creds.session, r.n)}; ${cookieName}=${creds.session}; gh.auth=x; gh.rt=${creds.refresh}`,
      huge: `${cookieName}=${'A'.repeat(7000)}`,
    }[r.cookie];
    if (cookie) headers.cookie = cookie;
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const authorization = {
      none: null,
      bearer: `Bearer ${creds.access}`,
      'bearer-mutated': `Bearer ${mutate(creds.access, r.n)}`,
      'bearer-forged': `Bearer ${forgedJwts[r.n % forgedJwts.length]}`,
      'basic-client': basic(encodeURIComponent(creds.clientId), r.n % 2 ? encodeURIComponent(creds.clientSecret) : mutate(creds.clientSecret, r.n)),
      'basic-random': `Basic ${(r.headers['x-forwarded-host'] ?? '').replace(/[^\x21-\x7e]/g, '')}`,
      'odd-scheme': ['Bearer', 'bearer  ', 'DPoP x', 'Negotiate =', `Bearer ${'a'.repeat(9000)}`][r.n % 5]!,
    }[r.authorization];
    if (authorization) headers.authorization = authorization;
    const origin = { self: node.url, none: null, null: 'null', other: 'https://evil.example' }[r.origin];
    if (origin) headers.origin = origin;
    if (r.body?.type) headers['content-type'] = r.body.type;
    return headers;
  }

  it(`${RUNS} random requests: no 5xx, no leak, the node keeps answering`, async () => {
    const known = [creds.email, creds.clientId, 'google', 'oidc', 'admin', 'user', 'me'];
    const operations = [...operationsOf((await (await fetch(`${node.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0]), ...EXTRA];
    // Every route in the document is fuzzed, not a sample of them.
    expect(operations.length).toBeGreaterThan(50);
    const arbitrary = fc.constantFrom(...operations).chain((op) => requestArb(op, known));
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        seen.add(`${r.op.method} ${r.op.path}`);
        const answer = await send(node.port, r.method, r.path, headersOf(r), r.body ? r.body.text : null);
        const what = `${r.method} ${r.path} → ${answer.status} ${answer.body.slice(0, 300)}`;
        expect(answer.status, what).toBeLessThan(500);
        expect(leakIn(answer, secrets), what).toBeNull();
        if (r.method !== 'GET' && r.method !== 'HEAD') await stillSignedIn();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(seen.size).toBeGreaterThan(operations.length * 0.9);
    const health = await fetch(`${node.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);

  it('a NUL character in an id, a search term or a form field is a coded 400 (PostgreSQL cannot store it)', async () => {
    const requests = [
      () => admin.get('/api/admin/users?q=a%00b'),
      () => admin.get('/api/admin/users/a%00b'),
      () => admin.delete('/api/oauth/clients/a%00b'),
      () => admin.delete('/api/oauth/grants/a%00b'),
    ];
    for (const send of requests) {
      const response = await send();
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
      if (response.status >= 400) expect(response.body.error).toMatch(/^GH_/);
    }
    const token = await fetch(`${node.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=a%00b&client_id=a%00',
    });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.status).toBeLessThan(500);
  });

  it('a request node cannot parse is refused with a code, and a HEAD request gets no body', async () => {
    const get = await rawExchange(node.port, Buffer.from('GET /api/me\xbd HTTP/1.1\r\nhost: x\r\n\r\n', 'latin1'));
    expect(get).toMatch(/^HTTP\/1\.1 400 /);
    expect(get).toContain('"error":"GH_CORE_VALIDATION"');
    const head = await rawExchange(node.port, Buffer.from('HEAD /api/me\xbd HTTP/1.1\r\nhost: x\r\n\r\n', 'latin1'));
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-length: 0\r\n/i);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    const headers = await rawExchange(node.port, Buffer.from(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 'latin1'));
    expect(headers).toMatch(/^HTTP\/1\.1 431 /);
    expect(headers).toContain('"error":"GH_CORE_HEADERS_TOO_LARGE"');
  });

  it('the leak check itself recognises a stack trace, a source path and each secret', () => {
    const answer = (body: string, headers: http.IncomingHttpHeaders = {}): Answer => ({ status: 400, headers, body });
    expect(leakIn(answer('TypeError: x\n    at Proxy.persist (file:///srv/app/session.js:103:13)'), secrets)).toBe('a stack trace');
    expect(leakIn(answer('{"message":"failed in /srv/app/dist/http/app.js:12"}'), secrets)).toBe('a source path');
    for (const secret of secrets) {
      expect(leakIn(answer(`{"message":"bad ${secret}"}`), secrets)).toMatch(/^a secret/);
      expect(leakIn(answer('{}', { 'x-echo': secret }), secrets)).toMatch(/^a secret/);
    }
    expect(leakIn(answer('{"error":"GH_AUTH_INVALID_CREDENTIALS","message":"at most 5 attempts"}'), secrets)).toBeNull();
  });
});
