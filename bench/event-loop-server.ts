// The server side of `npm run bench -- event-loop`: one real gatehouse node (buildApp, every plugin),
// with argon2 off the event loop (the default) or on it (`lab.syncHashOnLoop`, lab only), in its own
// process so the load generator does not share its loop. Prints one JSON line {port, email, password}.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/http/index.js';

const onLoop = process.argv[2] === 'on';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'gh-bench-loop-'));
// A known port first, so the node's public origin (CSRF, cookies) is the one the load generator uses.
const port = await freePort();
const node = await buildApp({
  env: { GATEHOUSE_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
  config: {
    server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, dataDir: dir },
    lab: { syncHashOnLoop: onLoop },
  },
});
const credentials = { email: 'bench-loop@example.test', password: 'correct horse battery staple loop' };
await node.ctx.identity.signup({ ...credentials, name: 'Bench' });
await node.listen();
console.log(JSON.stringify({ port, ...credentials }));

async function stop(): Promise<void> {
  await node.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
