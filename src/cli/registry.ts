import type { Command } from './command.js';

/**
 * Subcommands, loaded lazily so `gatehouse balance` never pays for the auth stack and `--help` loads
 * none of them (each summary is here; a test keeps it equal to the command's own). Keys are the words
 * typed after `gatehouse`; the longest match wins ("user create" before "user").
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  up: { summary: 'Balancer + N app nodes on one machine', load: async () => (await import('./commands/up.js')).command },
  serve: { summary: 'Run one app node', load: async () => (await import('./commands/serve.js')).command },
  balance: { summary: 'Run the L4/L7 load balancer', load: async () => (await import('./commands/balance.js')).command },
  'balance export': { summary: 'Write the equivalent HAProxy or nginx config for a balancer config', load: async () => (await import('./commands/balance-export.js')).command },
  'user create': { summary: 'Create a user', load: async () => (await import('./commands/user-create.js')).command },
  'user list': { summary: 'List or search users', load: async () => (await import('./commands/user-admin.js')).list },
  'user disable': { summary: 'Disable a user', load: async () => (await import('./commands/user-admin.js')).disable },
  'user enable': { summary: 'Enable a disabled user', load: async () => (await import('./commands/user-admin.js')).enable },
  'user logout': { summary: 'End every credential of a user', load: async () => (await import('./commands/user-admin.js')).logout },
  'client create': { summary: 'Register an OAuth client', load: async () => (await import('./commands/client-create.js')).command },
  'client list': { summary: 'List OAuth clients', load: async () => (await import('./commands/client-admin.js')).list },
  'client delete': { summary: 'Delete an OAuth client', load: async () => (await import('./commands/client-admin.js')).remove },
  'client rotate-secret': { summary: 'Give a client a new secret', load: async () => (await import('./commands/client-admin.js')).rotateSecret },
  'provider add': { summary: 'Register a sign-in provider', load: async () => (await import('./commands/provider-add.js')).command },
  'provider list': { summary: 'List sign-in providers and their callback URLs', load: async () => (await import('./commands/provider-list.js')).command },
  'provider remove': { summary: 'Remove a sign-in provider', load: async () => (await import('./commands/provider-remove.js')).command },
  'keys rotate': { summary: 'Rotate the token signing keys', load: async () => (await import('./commands/keys-rotate.js')).command },
  'mail list': { summary: 'Print the mail outbox', load: async () => (await import('./commands/mail-list.js')).command },
  'config print': { summary: 'Show the effective configuration and where each value came from', load: async () => (await import('./commands/config-print.js')).command },
  'lab io': { summary: 'Run the I/O models lab: four ways to wait on slow I/O, measured', load: async () => (await import('./commands/lab-io.js')).command },
  bench: { summary: 'Run every benchmark against its peers and write one report', load: async () => (await import('./commands/bench.js')).command },
};

