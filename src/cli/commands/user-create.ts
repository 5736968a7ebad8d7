import { createContext } from '../../http/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { readSecret } from '../read-secret.js';
import { storeFlags, storeLayer } from '../store-flags.js';

const usage = `Usage: gatehouse user create --email EMAIL [--name NAME] [--admin] [--json] [--data-dir DIR]

The password is read from standard input (first line) or asked for on a terminal; it is never a flag.
Honours DATABASE_URL / REDIS_URL, so it writes to the store a running node uses.`;

export const command: Command = {
  name: 'user create',
  summary: 'Create a user',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' }, json: { type: 'boolean' } }, usage);
    if (typeof values.email !== 'string') throw new UsageError(`--email is required.\n\n${usage}`);
    const password = await readSecret('Password: ');
    const ctx = await createContext({ config: storeLayer(values) });
    try {
      const user = await ctx.identity.signup({
        email: values.email,
        password,
        name: typeof values.name === 'string' ? values.name : null,
        roles: values.admin ? ['admin'] : [],
      });
      await ctx.identity.audit.record({ type: 'signup', userId: user.id, data: { via: 'cli' } });
      if (values.json) console.log(JSON.stringify({ id: user.id, email: user.email, name: user.name, roles: user.roles }));
      else console.log(`created user ${user.email} (${user.id})${user.roles.length ? ` roles: ${user.roles.join(', ')}` : ''}`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
