import { configFromEnv, cryptoIds, loadConfig, systemClock } from '../../core/index.js';
import { createClientManager, type ClientManager } from '../../oauth/index.js';
import { createDatabase, migrateToLatest } from '../../storage/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { storeFlags, storeLayer } from '../store-flags.js';

async function withClients<T>(values: Record<string, unknown>, fn: (clients: ClientManager) => Promise<T>): Promise<T> {
  const { config } = loadConfig(configFromEnv(process.env), storeLayer(values));
  const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    return await fn(createClientManager({ db: database.db, ids: cryptoIds, clock: systemClock }));
  } finally {
    await database.close();
  }
}

export const list: Command = {
  name: 'client list',
  summary: 'List OAuth clients',
  usage: 'Usage: gatehouse client list [--json] [--data-dir DIR]\n\nPrints every registered OAuth client (never a secret). Honours DATABASE_URL.',
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, json: { type: 'boolean' } }, this.usage);
    return withClients(values, async (clients) => {
      const all = await clients.list();
      if (values.json) console.log(JSON.stringify(all));
      else for (const c of all) console.log(`${c.client_id}  ${c.client_name}  ${c.client_type}  ${c.redirect_uris.join(' ')}`);
      return 0;
    });
  },
};

const oneClient = (name: 'delete' | 'rotate-secret', summary: string, detail: string): Command => {
  const usage = `Usage: gatehouse client ${name} CLIENT_ID [--json] [--data-dir DIR]\n\n${detail} Honours DATABASE_URL.`;
  return {
    name: `client ${name}`,
    summary,
    usage,
    async run(argv) {
      const { values, positionals } = parseFlags(argv, { ...storeFlags, json: { type: 'boolean' } }, usage);
      const clientId = positionals[0];
      if (!clientId) throw new UsageError(`Name the client_id.\n\n${usage}`);
      return withClients(values, async (clients) => {
        if (name === 'delete') {
          await clients.delete(clientId);
          console.log(values.json ? JSON.stringify({ deleted: clientId }) : `deleted ${clientId} and its grants`);
        } else {
          const rotated = await clients.rotateSecret(clientId);
          // Shown once, like at creation: the store keeps it for the provider, this is the operator's only copy.
          console.log(values.json ? JSON.stringify(rotated) : `client_id:     ${rotated.client_id}\nclient_secret: ${rotated.client_secret}`);
        }
        return 0;
      });
    },
  };
};

export const remove = oneClient('delete', 'Delete an OAuth client', 'Deletes the client and every grant (and token) given to it.');
export const rotateSecret = oneClient('rotate-secret', 'Give a client a new secret', 'Prints a new client_secret for a confidential client; the old one stops working.');
