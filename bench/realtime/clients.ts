// A client worker for the realtime bench: holds many socket.io-client sockets (one process per few
// thousand, under the per-process file limit), joins some to the fan-out room, and measures delivery
// latency from the sender's timestamp inside each message.
import { importJWK, SignJWT, type JWK } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { FAN_ROOM, wallNow, type WorkerCommand, type WorkerReport } from './protocol.js';

const sockets: Socket[] = [];
const send = (report: WorkerReport) => process.send?.(report);
const MAX_SAMPLES = 50_000;
let deliveries = 0;
let firstAt = 0;
let lastAt = 0;
const latencies: number[] = [];

function onMessage(message: { text: string }) {
  const now = wallNow();
  deliveries += 1;
  if (!firstAt) firstAt = now;
  lastAt = now;
  const sentAt = Number(message.text.slice(0, message.text.indexOf('|')));
  // Reservoir sampling keeps the latency sample unbiased and bounded.
  if (latencies.length < MAX_SAMPLES) latencies.push(now - sentAt);
  else {
    const j = Math.floor(Math.random() * deliveries);
    if (j < MAX_SAMPLES) latencies[j] = now - sentAt;
  }
}

async function connectAll(command: WorkerCommand): Promise<void> {
  const key = command.privateJwk ? await importJWK(command.privateJwk as JWK, 'EdDSA') : null;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  const batch = 200;
  for (let start = 0; start < (command.count ?? 0); start += batch) {
    const group = [];
    for (let i = start; i < Math.min(start + batch, command.count ?? 0); i++) {
      const user = (command.firstUser ?? 0) + i;
      const token = key
        ? await new SignJWT({ sid: `fam-${user}` }).setProtectedHeader({ alg: 'EdDSA' }).setSubject(`user-${user}`).setIssuedAt().setExpirationTime('2h').sign(key)
        : undefined;
      const socket = io(`${command.url}/chat`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(token ? { auth: { token } } : {}) });
      sockets.push(socket);
      group.push(
        new Promise<void>((resolve) => {
          socket.once('connect', () => (connected++, resolve()));
          socket.once('connect_error', (error: Error & { data?: unknown }) => {
            failed++;
            firstError ??= `${error.message} ${JSON.stringify(error.data ?? '')}`;
            resolve();
          });
        }),
      );
    }
    await Promise.all(group);
  }
  send({ connected, failed, ...(firstError ? { firstError } : {}) });
}

async function joinSome(count: number): Promise<void> {
  const joiners = sockets.filter((s) => s.connected).slice(0, count);
  await Promise.all(joiners.map((s) => s.timeout(120_000).emitWithAck('room:join', FAN_ROOM).catch(() => null)));
  for (const s of joiners) s.on('message:new', onMessage);
  send({ joined: joiners.length });
}

process.on('message', (command: WorkerCommand) => {
  if (command.command === 'connect') void connectAll(command);
  if (command.command === 'join') void joinSome(command.joiners ?? 0);
  if (command.command === 'report') {
    send({ deliveries, firstAt, lastAt, latencies, stillConnected: sockets.filter((s) => s.connected).length });
  }
  if (command.command === 'exit') {
    for (const s of sockets) s.disconnect();
    setTimeout(() => process.exit(0), 200);
  }
});
