import { configFromEnv, cryptoIds, loadConfig, loadInstanceSecret, systemClock } from '../../core/index.js';
import { createDatabase, migrateToLatest } from '../../storage/index.js';
import { createKeystore } from '../../tokens/index.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { storeFlags, storeLayer } from '../store-flags.js';

const usage = `Usage: gatehouse keys rotate [--json] [--data-dir DIR] [--database-url URL]

Makes the published next signing key the current one, generates a new next key, and keeps the old
key published (and verifying) until every token it signed has expired. Acts on the store a running
node uses (honours DATABASE_URL and GATEHOUSE_SECRET); running nodes pick the change up within a minute,
and meanwhile still verify tokens from the new key, which they already publish as "next".`;

export const command: Command = {
  name: 'keys rotate',
  summary: 'Rotate the token signing keys',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, json: { type: 'boolean' } }, usage);
    const { config } = loadConfig(configFromEnv(process.env), storeLayer(values));
    const { secret } = await loadInstanceSecret({ dataDir: config.server.dataDir, fromEnv: process.env.GATEHOUSE_SECRET });
    const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir, poolSize: 2 });
    try {
      await migrateToLatest(database.db);
      const keystore = await createKeystore({ db: database.db, secret, clock: systemClock, ids: cryptoIds, config });
      try {
        const result = await keystore.rotate();
        if (values.json) console.log(JSON.stringify(result));
        else {
          console.log(`current key: ${result.current}`);
          console.log(`next key:    ${result.next}`);
          if (result.retired.length) console.log(`retired:     ${result.retired.join(', ')}`);
        }
        return 0;
      } finally {
        keystore.close();
      }
    } finally {
      await database.close();
    }
  },
};
