// The server side of `npm run bench -- jwt`, run in its own process so the load generator does not
// share its event loop. Prints one JSON line {ports, token, refreshTokens, credentials} on stdout.
//   apps: the real gatehouse app (every hook), and a bench server with three equal routes that differ
//   only in how they authenticate: none (baseline), gatehouse's guard (deny-list on), @fastify/jwt.
import cookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { decodeProtectedHeader, exportSPKI, importJWK, type CryptoKey } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, createContext, requestCredentials } from '../src/http/index.js';

const alg = (process.argv[2] ?? 'EdDSA') as 'EdDSA' | 'ES256' | 'RS256';
const refreshCount = Number(process.argv[3] ?? 64);

const dir = await mkdtemp(join(tmpdir(), 'gh-bench-jwt-'));
const ctx = await createContext({
  env: { GATEHOUSE_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
  config: { server: { host: '127.0.0.1', port: 0, dataDir: dir, publicUrl: 'http://127.0.0.1:1' }, tokens: { algorithm: alg } },
});
const credentials = { email: `bench-${alg.toLowerCase()}@example.test`, password: 'correct horse battery staple bench' };
const user = await ctx.identity.signup({ ...credentials, name: 'Bench' });
const first = await ctx.tokens.signIn({ userId: user.id, ip: '127.0.0.1', userAgent: 'bench' });
const refreshTokens: string[] = [];
for (let i = 0; i < refreshCount; i++) refreshTokens.push((await ctx.tokens.signIn({ userId: user.id, ip: '127.0.0.1', userAgent: 'bench' })).refreshToken);

const full = await buildApp({ context: ctx });
const fullPort = await full.listen();

// The same handler body everywhere: read the user, answer its public view.
const view = async (id: string) => {
  const u = await ctx.identity.getUser(id);
  return u ? { user: { id: u.id, email: u.email, name: u.name, roles: u.roles, createdAt: u.createdAt } } : null;
};
const bench = Fastify({ logger: false });
await bench.register(cookie);
const { kid } = decodeProtectedHeader(first.accessToken);
const signing = (await ctx.tokens.keystore.jwks()).keys.find((k) => k.kid === kid)!;
const publicPem = await exportSPKI((await importJWK(signing, alg)) as CryptoKey);
await bench.register(fastifyJwt, {
  secret: { public: publicPem },
  verify: { algorithms: [alg], allowedIss: first.claims.iss, allowedAud: first.claims.aud },
});
bench.get('/baseline/me', async () => view(user.id));
bench.get('/gatehouse/me', async (request, reply) => {
  try {
    const principal = await ctx.authenticate(requestCredentials(request, ctx.origin));
    if (!principal) return reply.status(401).send({ error: 'GH_AUTH_UNAUTHENTICATED' });
    // The resolver already read the user (the one store read the other routes make in view()).
    return { user: { id: principal.userId, email: principal.email, name: principal.name, roles: principal.roles } };
  } catch {
    return reply.status(401).send({ error: 'GH_TOKEN_INVALID' });
  }
});
bench.get('/fastify-jwt/me', async (request, reply) => {
  try {
    const payload = await request.jwtVerify<{ sub: string }>();
    return view(payload.sub);
  } catch {
    return reply.status(401).send({ error: 'invalid' });
  }
});
await bench.listen({ host: '127.0.0.1', port: 0 });
const address = bench.server.address();
const benchPort = typeof address === 'object' && address ? address.port : 0;

process.stdout.write(`${JSON.stringify({ fullPort, benchPort, token: first.accessToken, refreshTokens, credentials })}\n`);

const stop = async () => {
  await bench.close();
  await full.close();
  await ctx.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
