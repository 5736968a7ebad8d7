import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from './support/services.js';
import { createDatabase, migrateToLatest } from '../src/storage/index.js';
import { chatClient, eventMatching, nextEvent, open, request, type ChatClient } from './support/realtime.js';
import { CLUSTER_ENV, createClusterRelay } from '../src/realtime/adapter.js';
import { MessageType } from '../src/realtime/socketio-internals.js';

// Two nodes as separate processes with no Redis: the cluster adapter talks over IPC through this
// process, which plays the primary (`gatehouse up`) and relays with createClusterRelay.
const script = fileURLToPath(new URL('./support/realtime-cluster-node.ts', import.meta.url));
let dir: Awaited<ReturnType<typeof createTempDir>>;
const children: ChildProcess[] = [];
const urls: string[] = [];
const clients: ChatClient[] = [];
const relay = createClusterRelay();

const client = (url: string, token: string, options = {}) => {
  const c = chatClient(url, { token }, options);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  dir = await createTempDir();
  // Migrate once up front, so the two nodes do not race to create the tables in the shared file.
  const handle = createDatabase({ dataDir: dir.path });
  await migrateToLatest(handle.db);
  await handle.close();
  const ready: Promise<string>[] = [];
  for (let i = 0; i < 2; i++) {
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [CLUSTER_ENV]: '1', CHAT_DATA_DIR: dir.path },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    relay.add(child);
    ready.push(
      new Promise<string>((resolve, reject) => {
        child.on('message', (m: { ready?: string }) => m?.ready && resolve(m.ready));
        child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
      }),
    );
  }
  urls.push(...(await Promise.all(ready)));
}, 120_000);
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await Promise.all(
    children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send({ command: 'exit' });
      setTimeout(() => child.kill(), 10_000).unref();
    })),
  );
  await dir?.remove();
});

describe('across node processes on the cluster adapter (IPC, no Redis)', () => {
  it('carries room messages, presence, direct messages and long-polling between processes', async () => {
    const alice = await open(client(urls[0]!, 'tok-alice'));
    const bob = await open(client(urls[1]!, 'tok-bob', { transports: ['polling'] }));
    await request(alice, 'room:join', 'ipc');
    const presence = eventMatching<{ users: { id: string }[] }>(alice, 'presence', (p) => p.users.length === 2);
    await request(bob, 'room:join', 'ipc');
    expect((await presence).users.map((u) => u.id)).toEqual(['alice', 'bob']);

    const atBob = nextEvent<{ text: string; user: { id: string } }>(bob, 'message:new');
    await request(alice, 'message:send', { room: 'ipc', text: 'over IPC' });
    expect(await atBob).toMatchObject({ text: 'over IPC', user: { id: 'alice' } });
    const history = await request<{ messages: { text: string }[] }>(bob, 'history', { room: 'ipc' });
    expect(history.messages.map((m) => m.text)).toContain('over IPC');

    bob.on('message:direct', (_m: unknown, ack: (ok: boolean) => void) => ack(true));
    expect(await request(alice, 'message:direct', { to: 'bob', text: 'hi' })).toMatchObject({ delivered: 1 });
  });

  it('asks the other process for presence with the users only, never the sockets and their handshakes', async () => {
    const relayed: { type?: number; data?: unknown }[] = [];
    const listen = (message: unknown) => relayed.push(message as { type?: number });
    for (const child of children) child.on('message', listen);
    try {
      const alice = await open(client(urls[0]!, 'tok-alice'));
      const carol = await open(client(urls[1]!, 'tok-carol'));
      await request(carol, 'room:join', 'lean');
      const both = await request<{ users: { id: string }[] }>(alice, 'room:join', 'lean');
      expect(both.users.map((u) => u.id)).toEqual(['alice', 'carol']);
    } finally {
      for (const child of children) child.off('message', listen);
    }
    const types = new Set(relayed.map((m) => m.type));
    expect(types.has(MessageType.SERVER_SIDE_EMIT_RESPONSE)).toBe(true);
    expect(types.has(MessageType.FETCH_SOCKETS_RESPONSE)).toBe(false);
    expect(JSON.stringify(relayed)).not.toContain('handshake');
  });

  it('disconnects a user on the other process', async () => {
    const bob = await open(client(urls[1]!, 'tok-bob'));
    const carol = await open(client(urls[1]!, 'tok-carol'));
    const gone = nextEvent<string>(bob, 'disconnect');
    children[0]!.send({ command: 'disconnectUser', userId: 'bob' });
    expect(await gone).toBe('io server disconnect');
    expect(carol.connected).toBe(true);
  });
});
