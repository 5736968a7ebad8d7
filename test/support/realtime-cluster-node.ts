// One chat node in a child process, for the cluster-adapter test: forked with an IPC channel and
// GATEHOUSE_REALTIME_IPC=1 (as `gatehouse up` does), sharing one SQLite file with its siblings.
// Reports { ready: url } to the parent and obeys { command: 'disconnectUser', userId }.
import { createDatabase, migrateToLatest } from '../../src/storage/index.js';
import { systemClock } from '../../src/core/index.js';
import { createCredentialTable, principal, startChatNode } from './realtime.js';

const dataDir = process.env.CHAT_DATA_DIR;
if (!dataDir || !process.send) throw new Error('run me forked, with CHAT_DATA_DIR');

const table = createCredentialTable();
for (const u of ['alice', 'bob', 'carol']) table.tokens.set(`tok-${u}`, principal(u, 'jwt', `fam-${u}`, null));

const handle = createDatabase({ dataDir });
await migrateToLatest(handle.db);
const node = await startChatNode({ db: handle.db, clock: systemClock, table, adapter: 'cluster' });

process.on('message', (message: { command?: string; userId?: string }) => {
  if (message?.command === 'disconnectUser' && message.userId) {
    void node.realtime.disconnectUser(message.userId, 'admin').then(() => process.send?.({ done: 'disconnectUser' }));
  }
  if (message?.command === 'exit') {
    void node.close().then(() => handle.close()).then(() => process.exit(0));
  }
});
process.send({ ready: node.url });
