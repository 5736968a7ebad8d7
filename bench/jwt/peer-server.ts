// The @fastify/jwt peer of the distinct-token rows of `npm run bench -- jwt`, in its own process: a
// Fastify route guarded by @fastify/jwt with the public key a `gatehouse serve` node publishes (its
// JWKS), so the very tokens that node issues verify here too, and answering from the node's own SQLite
// user table. argv: <node base URL> <node data dir> <alg> [floor]. Prints one JSON line {port, path}.
// With `floor` it is instead the least any implementation of this route can cost: a bare Fastify route
// (no plugins, no logging) that checks the token's signature with node:crypto — the very call
// @fastify/jwt (fast-jwt) and gatehouse both end in — and answers a small fixed body, with no claim
// checks and no user read.
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import { createPublicKey, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createContext } from '../../src/http/index.js';
import { SERVE_SECRET, SERVE_PUBLIC_URL } from '../lib/serve-node.js';

const [base, dataDir, alg = 'EdDSA', mode] = process.argv.slice(2) as [string, string, string?, string?];
const ctx = await createContext({
  env: { GATEHOUSE_SECRET: SERVE_SECRET, GATEHOUSE_PUBLIC_URL: SERVE_PUBLIC_URL },
  config: { server: { dataDir } },
  skipMigrations: true,
});
const { keys } = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
const key = keys.find((k) => k.alg === alg) ?? keys[0]!;
const publicPem = await exportSPKI((await importJWK(key, alg)) as CryptoKey);

const app = Fastify({ logger: false });
if (mode === 'floor') {
  if (alg !== 'EdDSA') throw new Error('the floor route checks EdDSA only');
  const publicKey = createPublicKey(publicPem);
  app.get('/api/me', async (request, reply) => {
    const token = (request.headers.authorization ?? '').slice('Bearer '.length);
    const dot = token.lastIndexOf('.');
    const valid = dot > 0 && verify(null, Buffer.from(token.slice(0, dot), 'ascii'), publicKey, Buffer.from(token.slice(dot + 1), 'base64url'));
    return valid ? { ok: true } : reply.status(401).send({ error: 'invalid' });
  });
} else {
  // @fastify/jwt's defaults (fast-jwt without a verification cache), the same checks of iss and aud.
  await app.register(fastifyJwt, { secret: { public: publicPem }, verify: { algorithms: [alg as 'EdDSA'], allowedIss: SERVE_PUBLIC_URL, allowedAud: `${SERVE_PUBLIC_URL}/api` } });
  app.get('/api/me', async (request, reply) => {
    let sub: string;
    try {
      ({ sub } = await request.jwtVerify<{ sub: string }>());
    } catch {
      return reply.status(401).send({ error: 'invalid' });
    }
    const u = await ctx.identity.getUser(sub);
    return u ? { user: { id: u.id, email: u.email, name: u.name, roles: u.roles, createdAt: u.createdAt } } : reply.status(401).send({ error: 'invalid' });
  });
}
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: (app.server.address() as AddressInfo).port, path: '/api/me' })}\n`);

const stop = async () => {
  await app.close();
  await ctx.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
