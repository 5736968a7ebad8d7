import type { Actor } from '../../http/index.js';
import { GatehouseError } from '../../core/index.js';
import { createContext, type AppContext } from '../../http/index.js';
import type { User } from '../../identity/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { storeFlags, storeLayer } from '../store-flags.js';

// Operator actions on users from the server's shell: the same code path as the admin console, audited
// with `via: cli` (there is no signed-in admin to name).
const CLI: Actor = { id: null, via: 'cli' };

async function withContext<T>(values: Record<string, unknown>, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext({ config: storeLayer(values) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function findUser(ctx: AppContext, who: string): Promise<User> {
  const user = who.includes('@') ? await ctx.identity.findUserByEmail(who) : await ctx.identity.getUser(who);
  if (!user) throw new GatehouseError('GH_AUTH_USER_NOT_FOUND');
  return user;
}

const state = (u: { disabledAt: number | null; emailVerifiedAt: number | null }) => `${u.disabledAt != null ? 'disabled' : 'active'}, ${u.emailVerifiedAt != null ? 'verified' : 'unverified'}`;

export const list: Command = {
  name: 'user list',
  summary: 'List or search users',
  usage: `Usage: gatehouse user list [--search TEXT] [--limit N] [--json] [--data-dir DIR]

Prints users, newest first; --search matches email, name or id. Honours DATABASE_URL.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, search: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } }, this.usage);
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError(`--limit must be 1–200.\n\n${this.usage}`);
    return withContext(values, async (ctx) => {
      const users = await ctx.userAdmin.search(typeof values.search === 'string' ? values.search : '', limit);
      if (values.json) console.log(JSON.stringify(users));
      else for (const u of users) console.log(`${u.id}  ${u.email}  [${u.roles.join(',') || '-'}]  ${state(u)}`);
      return 0;
    });
  },
};

function action(name: 'disable' | 'enable' | 'logout', summary: string, detail: string): Command {
  const usage = `Usage: gatehouse user ${name} EMAIL|ID [--data-dir DIR]

${detail} Audited (via: cli). Honours DATABASE_URL / REDIS_URL.`;
  return {
    name: `user ${name}`,
    summary,
    usage,
    async run(argv) {
      const { values, positionals } = parseFlags(argv, { ...storeFlags }, usage);
      const who = positionals[0];
      if (!who) throw new UsageError(`Name the user (email or id).\n\n${usage}`);
      return withContext(values, async (ctx) => {
        const user = await findUser(ctx, who);
        if (name === 'disable') await ctx.userAdmin.disable(user.id, CLI);
        if (name === 'enable') await ctx.userAdmin.enable(user.id, CLI);
        if (name === 'logout') await ctx.userAdmin.logoutEverywhere(user.id, CLI);
        console.log(`${name}: ${user.email} (${user.id})`);
        return 0;
      });
    },
  };
}

export const disable = action('disable', 'Disable a user', 'Refuses the user’s logins and ends every credential they hold.');
export const enable = action('enable', 'Enable a disabled user', 'Lets a disabled user sign in again.');
export const logout = action('logout', 'End every credential of a user', 'Ends every session, cookie and token of the user.');
