import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
// Starts real gatehouse nodes on ephemeral ports for integration tests.
import type { Clock, Config, DeepPartial } from '../../src/core/index.js';
import { readProxyHeader } from '../../src/balancer/index.js';
import { buildApp, type GatehouseApp } from '../../src/http/index.js';
import { createTempDir, createTestPostgres, createTestRedis, type TestDialect } from './services.js';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface TestNode {
  node: GatehouseApp;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface TestStack {
  /** Starts another node on the same stores (a second machine behind the balancer). */
  startNode(overrides?: DeepPartial<Config>): Promise<TestNode>;
  dispose(): Promise<void>;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
}

/**
 * A store set-up (SQLite file, or a fresh PostgreSQL database, optionally Redis with a private key
 * prefix) that any number of nodes can share, each a real HTTP server.
 */
export async function createTestStack(options: { dialect?: TestDialect; redis?: boolean; clock?: Clock; config?: DeepPartial<Config> } = {}): Promise<TestStack> {
  const dir = await createTempDir();
  const pg = options.dialect === 'postgres' ? await createTestPostgres() : null;
  const redis = options.redis ? await createTestRedis() : null;
  const nodes: TestNode[] = [];
  let counter = 0;
  const stack: TestStack = {
    dataDir: dir.path,
    ...(pg ? { databaseUrl: pg.url } : {}),
    ...(redis ? { redisUrl: redis.url, redisPrefix: redis.prefix } : {}),
    async startNode(overrides = {}) {
      counter += 1;
      // A known port up front, so the node's public origin (cookies, issuer, CSRF) is its real one.
      const port = await freePort();
      const layer: DeepPartial<Config> = {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, dataDir: dir.path, nodeId: `test-${counter}` },
        storage: { ...(pg ? { databaseUrl: pg.url } : {}), ...(redis ? { redisUrl: redis.url, keyPrefix: redis.prefix } : {}) },
      };
      const node = await buildApp({
        env: { GATEHOUSE_SECRET: TEST_SECRET },
        readProxyHeader,
        config: merge(merge(layer, options.config ?? {}), overrides),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      await node.listen();
      const handle: TestNode = { node, port, url: `http://127.0.0.1:${port}`, close: () => node.close() };
      nodes.push(handle);
      return handle;
    },
    async dispose() {
      for (const n of nodes) await n.close().catch(() => {});
      await redis?.dispose();
      await pg?.drop();
      await dir.remove();
    },
  };
  return stack;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` consecutive free ports (for `gatehouse up --node-port`), picked below the kernel's ephemeral
 * range (32768+) so an outgoing connection cannot take one between the check and the listen.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(canListen))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function merge<T>(a: T, b: DeepPartial<T>): T {
  const out = structuredClone(a) as Record<string, unknown>;
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? merge(out[k], v as never) : v;
  }
  return out as T;
}

/** Fast hashing and plain-HTTP cookies: the stack the security suite's single-node tests attack. */
export const ATTACK_STACK = { config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false } } } as const;

/**
 * One stack with one node for the enclosing describe block: started before its tests, disposed after.
 * Read `stack` and `node` from the handle inside tests (they are set once `beforeAll` has run).
 */
export function useTestNode(options: Parameters<typeof createTestStack>[0] = {}): { readonly stack: TestStack; readonly node: TestNode } {
  const handle = {} as { stack: TestStack; node: TestNode };
  beforeAll(async () => {
    handle.stack = await createTestStack(options);
    handle.node = await handle.stack.startNode();
  }, 60_000);
  afterAll(async () => {
    await handle.stack?.dispose();
  });
  return handle;
}
