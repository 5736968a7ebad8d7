import { configFromEnv, loadConfig } from '../../core/index.js';
import { listOutbox } from '../../mail/index.js';
import { createDatabase, migrateToLatest } from '../../storage/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { storeFlags, storeLayer } from '../store-flags.js';

const usage = `Usage: gatehouse mail list [--to EMAIL] [--limit N] [--json] [--data-dir DIR]

Prints the mail outbox (newest first): where account mail goes when SMTP_URL is not set, so sign-up,
verification and password reset work on one machine. Honours DATABASE_URL.`;

export const command: Command = {
  name: 'mail list',
  summary: 'Print the mail outbox',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit must be 1–500.\n\n${usage}`);
    const { config } = loadConfig(configFromEnv(process.env), storeLayer(values));
    const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir, poolSize: 2 });
    try {
      await migrateToLatest(database.db);
      const messages = await listOutbox(database.db, { limit, ...(typeof values.to === 'string' ? { to: values.to } : {}) });
      if (values.json) console.log(JSON.stringify(messages));
      else for (const m of messages) console.log(`--- ${new Date(m.createdAt).toISOString()}  to: ${m.to}  [${m.kind}]\nSubject: ${m.subject}\n\n${m.text}`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
