// One node of `gatehouse up` (three nodes, SQLite, IPC cluster adapter) killed with SIGKILL while 50
// authenticated Socket.IO clients chat through the balancer: every acknowledged message reaches every
// client, live or recovered from history after its reconnect; and a room join after the death is
// acknowledged with presence from the surviving nodes, without waiting for the dead one.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { freePort, freePortRange } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { until } from './support.js';

const USERS = 10;
const SOCKETS_PER_USER = 5;
/** Cross-node request timeout given to the cluster; a join must never wait longer than it (plus a loaded machine's slack). */
const CLUSTER_REQUEST_TIMEOUT_MS = 800;
const JOIN_BOUND_MS = CLUSTER_REQUEST_TIMEOUT_MS + 2_500;
const ROOM = 'faults';

interface Client {
  socket: Socket;
  userId: string;
  live: Set<string>;
  recovered: Set<string>;
  reconnects: number;
}

const seen = (client: Client) => new Set([...client.live, ...client.recovered]);

describe('a node dies under chat load', () => {
  let child: ChildProcess;
  let output = '';
  let port: number;
  let nodeBase: number;
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir('gh-faults-');
    port = await freePort();
    const adminPort = await freePort();
    const base = (nodeBase = await freePortRange(3));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GATEHOUSE_SECRET: 'faults-cluster-secret-0123456789abcdefghij',
      GATEHOUSE_CLUSTER_REQUEST_TIMEOUT_MS: String(CLUSTER_REQUEST_TIMEOUT_MS),
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.PORT;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'up', '--nodes', '3', '--port', String(port), '--node-port', String(base), '--admin-port', String(adminPort), '--data-dir', dir.path], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Three tsx processes starting at once: slow on a loaded machine, hence the generous start budget.
    await until(() => output.includes('gatehouse is up'), () => `"gatehouse is up" in:\n${output}`, 200_000);
  }, 220_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await dir?.remove();
  }, 30_000);

  it('delivers every acknowledged message and keeps joins fast after the kill', async () => {
    const url = `http://127.0.0.1:${port}`;
    const origin = `http://localhost:${port}`;
    const clients: Client[] = [];
    try {
      const users = await Promise.all(
        Array.from({ length: USERS }, async (_, i) => {
          const http = new TestClient(url, { origin });
          const who = freshUser(`faults-chat${i}`);
          expect((await http.post('/api/auth/signup', who)).status).toBe(201);
          const login = await http.post('/api/auth/session/login', { email: who.email, password: who.password });
          expect(login.status).toBe(200);
          return { cookie: http.cookieHeader(), userId: String(login.body.user.id) };
        }),
      );

      const catchUp = async (client: Client) => {
        // Whatever was sent while this client was away, from history (the IPC adapter cannot replay).
        // Newest pages first, back to the start of the room: ids from different nodes need not arrive
        // in id order, so "after the last id seen" could skip one.
        let before: string | undefined;
        for (;;) {
          const page = await client.socket.timeout(10_000).emitWithAck('history', { room: ROOM, ...(before ? { before } : {}), limit: 200 });
          const messages = page.messages as { id: string }[];
          for (const m of messages) if (!client.live.has(m.id)) client.recovered.add(m.id);
          if (!page.more || messages.length === 0) return;
          before = messages[0]!.id;
        }
      };

      for (const user of users) {
        for (let k = 0; k < SOCKETS_PER_USER; k += 1) {
          const socket = io(`${url}/chat`, {
            extraHeaders: { cookie: user.cookie, origin },
            transports: ['websocket'],
            reconnectionDelay: 200,
            reconnectionDelayMax: 1_000,
          });
          const client: Client = { socket, userId: user.userId, live: new Set(), recovered: new Set(), reconnects: 0 };
          socket.on('message:new', (m: { id: string; room: string }) => {
            if (m.room !== ROOM) return;
            client.live.add(m.id);
          });
          socket.io.on('reconnect', () => {
            client.reconnects += 1;
            void socket.timeout(10_000).emitWithAck('room:join', ROOM).then(() => catchUp(client)).catch(() => {});
          });
          clients.push(client);
        }
      }
      await until(() => clients.every((c) => c.socket.connected), '50 sockets to connect');

      const join = async (client: Client, room: string) => {
        const began = performance.now();
        const ack = (await client.socket.timeout(10_000).emitWithAck('room:join', room)) as { room?: string; users?: { id: string }[]; error?: string };
        return { ack, ms: performance.now() - began };
      };
      const before = await Promise.all(clients.map((c) => join(c, ROOM)));
      for (const { ack } of before) expect(ack.error).toBeUndefined();

      const acked = new Set<string>();
      let sent = 0;
      let sending = true;
      const sender = (async () => {
        for (let turn = 0; sending; turn += 1) {
          const client = clients[turn % clients.length]!;
          if (client.socket.connected) {
            sent += 1;
            client.socket
              .timeout(5_000)
              .emitWithAck('message:send', { room: ROOM, text: `m${turn}` })
              .then((ack: { id?: string }) => ack.id && acked.add(ack.id), () => {});
          }
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();
      await until(() => acked.size >= 40, 'messages acknowledged before the kill');

      // node-2's own port: its vital signs answer loopback callers only, not through the balancer.
      const stats = (await (await fetch(`http://127.0.0.1:${nodeBase + 1}/api/node/stats`)).json()) as { pid: number };
      process.kill(stats.pid, 'SIGKILL');
      // Sockets held by the dead node notice, reconnect through the balancer and catch up.
      await until(() => clients.some((c) => c.reconnects > 0), 'clients of the dead node to reconnect');
      const after = await Promise.all(clients.filter((c) => c.socket.connected).map(async (c) => ({ c, ...(await join(c, 'after-kill')) })));
      const ackedAtKill = acked.size;
      await until(() => acked.size >= ackedAtKill + 40 && clients.every((c) => c.socket.connected), 'messages acknowledged after the kill, every client back');
      sending = false;
      await sender;

      // Every acknowledged message reached every client, live or from history.
      const missing = () => clients.map((c, i) => ({ i, reconnects: c.reconnects, connected: c.socket.connected, missing: [...acked].filter((id) => !seen(c).has(id)).length })).filter((m) => m.missing > 0);
      await until(() => missing().length === 0, () => `every client to hold every acknowledged message: ${JSON.stringify(missing())}`);
      const live = clients.reduce((n, c) => n + c.live.size, 0);
      const recovered = clients.reduce((n, c) => n + c.recovered.size, 0);
      const moved = clients.filter((c) => c.reconnects > 0).length;

      // Joins after the death are acknowledged with the surviving nodes' presence, within the bound.
      for (const { c, ack, ms } of after) {
        expect(ack.error, `join after the kill: ${JSON.stringify(ack)}`).toBeUndefined();
        expect(ack.users?.map((u) => u.id)).toContain(c.userId);
        expect(ms).toBeLessThan(JOIN_BOUND_MS);
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
      console.info(
        'node-kill report',
        JSON.stringify({
          clients: clients.length,
          moved,
          sent,
          acknowledged: acked.size,
          receivedLive: live,
          recoveredFromHistory: recovered,
          joinBeforeMs: { median: Math.round(median(before.map((j) => j.ms))), max: Math.round(Math.max(...before.map((j) => j.ms))) },
          joinAfterMs: { median: Math.round(median(after.map((j) => j.ms))), max: Math.round(Math.max(...after.map((j) => j.ms))) },
        }),
      );
      expect(moved).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.socket.disconnect();
    }
  }, 150_000);
});
