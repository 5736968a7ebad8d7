// Child-process entry of the slow server: `slow-server-main <dir> <clients> <delayMs>`, driven over IPC.
import { startSlowServer } from './slow-server.js';

const [dir, clients, delayMs] = process.argv.slice(2);
const server = startSlowServer({ dir: dir!, clients: Number(clients), delayMs: Number(delayMs) });
const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};

// Progress comes from here: this process never blocks, whatever the model next door does.
let lastAnswered = -1;
const progress = setInterval(() => {
  const { answered } = server.stats();
  if (answered !== lastAnswered) send({ type: 'progress', answered });
  lastAnswered = answered;
}, 100);

process.on('message', (message: { type?: string }) => {
  if (message.type === 'reset') {
    lastAnswered = -1;
    send({ type: 'stats', ...server.reset() });
  }
});
process.on('disconnect', () => {
  clearInterval(progress);
  server.close();
  process.exit(0);
});
send({ type: 'ready' });
