import { createContext } from '../../http/index.js';
import { DEFAULT_ROLES } from '../../identity/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { readSecret } from '../read-secret.js';
import { storeFlags, storeLayer } from '../store-flags.js';

const usage = `Usage: gatehouse user create --email EMAIL [--name NAME] [--admin] [--password-stdin] [--json] [--data-dir DIR]

The password is never a flag (every user of the machine can read a command line). It is asked for on a
terminal, or read from the first line of standard input when that is a pipe or --password-stdin is given:

  printf '%s\\n' "$PASSWORD" | gatehouse user create --email alice@example.com --password-stdin

The user gets the same role as a web sign-up (user); --admin adds admin.
Honours DATABASE_URL / REDIS_URL, so it writes to the store a running node uses.`;

export const command: Command = {
  name: 'user create',
  summary: 'Create a user',
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...storeFlags, email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' }, json: { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
      usage,
    );
    if (typeof values.email !== 'string') throw new UsageError(`--email is required.\n\n${usage}`);
    const password = await readSecret('Password: ', { fromStdin: values['password-stdin'] === true });
    // Not the policy's "too short": nothing arrived at all, which is a usage mistake, not a weak password.
    if (password.length === 0) throw new UsageError(`No password was given: type it at the prompt, or pipe it with --password-stdin.\n\n${usage}`);
    const ctx = await createContext({ config: storeLayer(values) });
    try {
      const user = await ctx.identity.signup({
        email: values.email,
        password,
        name: typeof values.name === 'string' ? values.name : null,
        roles: values.admin ? [...DEFAULT_ROLES, 'admin'] : [...DEFAULT_ROLES],
      });
      await ctx.identity.audit.record({ type: 'signup', userId: user.id, data: { via: 'cli' } });
      if (values.json) console.log(JSON.stringify({ id: user.id, email: user.email, name: user.name, roles: user.roles }));
      else console.log(`created user ${user.email} (${user.id}) roles: ${user.roles.join(', ')}`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
