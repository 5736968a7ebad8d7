// One node of `gatehouse up` (three nodes, SQLite, IPC cluster adapter) killed with SIGKILL while 50
// authenticated Socket.IO clients chat through the balancer: every acknowledged message reaches every
// client, live or recovered from history after its reconnect; a room join after the death is
// acknowledged with presence from the surviving nodes, without waiting for the dead one; and a node
// frozen (SIGSTOP, which nobody reports) is waited for at most once by each other node.
// Join latencies before and after are printed, not bounded: on a loaded machine they are noise. What
// is asserted is the cause of slow joins, counted by each node (/api/node/stats, crossNode): requests
// that waited out the cross-node timeout for a node that was gone.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { freePort, freePortRange } from '../support/app.js';
import { standaloneEnv, startCli } from '../support/cli.js';
import { TestClient, freshUser } from '../support/client.js';
import { createTempDir } from '../support/services.js';
import { FAULT_WAIT } from './support.js';
import { until } from '../support/wait.js';

const USERS = 10;
const SOCKETS_PER_USER = 5;
/** Cross-node request timeout given to the cluster. */
const CLUSTER_REQUEST_TIMEOUT_MS = 800;
const ROOM = 'faults';

interface NodeStats {
  node: string;
  pid: number;
  crossNode: { uid: string | null; requests: number; partial: number; skipped: number; waitedFor: Record<string, number> };
}

interface Client {
  socket: Socket;
  node: string;
  userId: string;
  live: Set<string>;
  recovered: Set<string>;
  reconnects: number;
}

const seen = (client: Client) => new Set([...client.live, ...client.recovered]);

describe('a node dies under chat load', () => {
  let child: ChildProcess;
  let port: number;
  let nodeBase: number;
  let dir: Awaited<ReturnType<typeof createTempDir>>;

  beforeAll(async () => {
    dir = await createTempDir('gh-faults-');
    port = await freePort();
    const adminPort = await freePort();
    const base = (nodeBase = await freePortRange(3));
    const env = standaloneEnv({ GATEHOUSE_SECRET: 'faults-cluster-secret-0123456789abcdefghij', GATEHOUSE_CLUSTER_REQUEST_TIMEOUT_MS: String(CLUSTER_REQUEST_TIMEOUT_MS), PORT: undefined });
    const cluster = startCli(['up', '--nodes', '3', '--port', String(port), '--node-port', String(base), '--admin-port', String(adminPort), '--data-dir', dir.path], { env });
    child = cluster.child;
    // Three tsx processes starting at once: slow on a loaded machine, hence the generous hang guard.
    await cluster.printed('gatehouse is up', { timeoutMs: 200_000 });
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
          // Ten sign-ins at once on three processes sharing one SQLite file, on a CI machine running other
          // suites: one may wait out the write lock and be told 503 with Retry-After. Setting up the load is
          // not what this test is about, so the client does what the answer asks and tries again.
          let login = await http.post('/api/auth/session/login', { email: who.email, password: who.password });
          for (let tries = 1; login.status === 503 && tries < 4; tries += 1) {
            await new Promise((resolve) => setTimeout(resolve, Number(login.headers.get('retry-after') ?? 1) * 1000));
            login = await http.post('/api/auth/session/login', { email: who.email, password: who.password });
          }
          expect(login.status, JSON.stringify(login.body)).toBe(200);
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
          const client: Client = { socket, node: '', userId: user.userId, live: new Set(), recovered: new Set(), reconnects: 0 };
          socket.on('node', (n: { id: string }) => (client.node = n.id));
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
      await until(() => clients.every((c) => c.socket.connected), '50 sockets to connect', FAULT_WAIT);

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
      await until(() => acked.size >= 40, 'messages acknowledged before the kill', FAULT_WAIT);

      // Each node's own port: its vital signs answer loopback callers only, not through the balancer.
      const statsOf = async (i: number) => (await (await fetch(`http://127.0.0.1:${nodeBase + i}/api/node/stats`)).json()) as NodeStats;
      const [node1, node2, node3] = await Promise.all([0, 1, 2].map(statsOf));
      const deadUid = node2!.crossNode.uid!;
      expect(deadUid).toMatch(/^[0-9a-f]+$/);
      process.kill(node2!.pid, 'SIGKILL');
      // Sockets held by the dead node notice, reconnect through the balancer and catch up.
      await until(() => clients.some((c) => c.reconnects > 0), 'clients of the dead node to reconnect', FAULT_WAIT);
      const after = await Promise.all(clients.filter((c) => c.socket.connected).map(async (c) => ({ c, ...(await join(c, 'after-kill')) })));
      const ackedAtKill = acked.size;
      await until(() => acked.size >= ackedAtKill + 40 && clients.every((c) => c.socket.connected), 'messages acknowledged after the kill, every client back', FAULT_WAIT);
      sending = false;
      await sender;
      // Once the reconnect storm has passed (every client back and caught up), the same join again.
      const settled = await Promise.all(clients.map((c) => join(c, 'settled')));

      // Every acknowledged message reached every client, live or from history.
      const missing = () => clients.map((c, i) => ({ i, reconnects: c.reconnects, connected: c.socket.connected, missing: [...acked].filter((id) => !seen(c).has(id)).length })).filter((m) => m.missing > 0);
      await until(() => missing().length === 0, () => `every client to hold every acknowledged message: ${JSON.stringify(missing())}`, FAULT_WAIT);
      const live = clients.reduce((n, c) => n + c.live.size, 0);
      const recovered = clients.reduce((n, c) => n + c.recovered.size, 0);
      const moved = clients.filter((c) => c.reconnects > 0).length;

      // Joins after the death are acknowledged with the surviving nodes' presence…
      for (const { c, ack } of after) {
        expect(ack.error, `join after the kill: ${JSON.stringify(ack)}`).toBeUndefined();
        expect(ack.users?.map((u) => u.id)).toContain(c.userId);
      }
      // …and no request waited for the dead node: `gatehouse up` reports its death to the others at
      // once (at most one request per survivor could have been in flight across that moment).
      const [survivor1, survivor3] = await Promise.all([0, 2].map(statsOf));
      for (const s of [survivor1!, survivor3!]) expect(s.crossNode.waitedFor[deadUid] ?? 0, `${s.node} waited for the dead node`).toBeLessThanOrEqual(1);

      // A frozen node is not reported by anyone: node-1 waits for it once, then skips it until it speaks
      // (or, on a slow machine, until the heartbeat timeout forgets it: either way, once).
      const frozenUid = node3!.crossNode.uid!;
      const onNode1 = clients.filter((c) => c.node === node1!.node && c.socket.connected);
      expect(onNode1.length).toBeGreaterThan(1);
      process.kill(node3!.pid, 'SIGSTOP');
      let frozen: { ms: number; ack: { users?: { id: string }[]; error?: string } }[];
      let node1WhileFrozen: NodeStats;
      try {
        frozen = [];
        // One after the other: each join is its own cross-node request.
        for (const c of onNode1) frozen.push(await join(c, 'while-frozen'));
        node1WhileFrozen = await statsOf(0);
      } finally {
        process.kill(node3!.pid, 'SIGCONT');
      }
      for (const { ack } of frozen) expect(ack.error).toBeUndefined();
      const waitedForFrozen = (node1WhileFrozen.crossNode.waitedFor[frozenUid] ?? 0) - (survivor1!.crossNode.waitedFor[frozenUid] ?? 0);
      expect(waitedForFrozen, 'node-1 requests that waited out the timeout for the frozen node').toBeLessThanOrEqual(1);

      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
      const ratio = (a: { ms: number }[], b: { ms: number }[]) => Math.round((median(a.map((j) => j.ms)) / Math.max(1, median(b.map((j) => j.ms)))) * 100) / 100;
      const summary = (joins: { ms: number }[]) => ({ median: Math.round(median(joins.map((j) => j.ms))), max: Math.round(Math.max(...joins.map((j) => j.ms))) });
      console.info(
        'node-kill report',
        JSON.stringify({
          clients: clients.length,
          moved,
          sent,
          acknowledged: acked.size,
          receivedLive: live,
          recoveredFromHistory: recovered,
          joinBeforeMs: summary(before),
          joinAfterKillMs: summary(after),
          joinWhileFrozenMs: summary(frozen),
          joinSettledMs: summary(settled),
          // During the storm the surviving nodes also authenticate the moved sockets and serve their history.
          afterKillOverBefore: ratio(after, before),
          settledOverBefore: ratio(settled, before),
          requestsThatWaitedForTheDeadNode: [survivor1!, survivor3!].map((s) => s.crossNode.waitedFor[deadUid] ?? 0),
          node1WhileFrozen: { waitedOnce: waitedForFrozen, skipped: node1WhileFrozen.crossNode.skipped - survivor1!.crossNode.skipped, joins: frozen.length },
        }),
      );
      expect(moved).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.socket.disconnect();
    }
  }, 150_000);
});
