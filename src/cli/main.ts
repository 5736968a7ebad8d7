#!/usr/bin/env node
import { isGatehouseError } from '../core/index.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';

/**
 * Subcommands, loaded lazily so `gatehouse balance` never pays for the auth stack. Keys are the words
 * typed after `gatehouse`; the longest match wins ("user create" before "user").
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  'lab io': async () => (await import('./commands/lab-io.js')).command,
  bench: async () => (await import('./commands/bench.js')).command,
  serve: async () => (await import('./commands/serve.js')).command,
  up: async () => (await import('./commands/up.js')).command,
  balance: async () => (await import('./commands/balance.js')).command,
  'balance export': async () => (await import('./commands/balance-export.js')).command,
  'user create': async () => (await import('./commands/user-create.js')).command,
  'keys rotate': async () => (await import('./commands/keys-rotate.js')).command,
  'client create': async () => (await import('./commands/client-create.js')).command,
  'provider add': async () => (await import('./commands/provider-add.js')).command,
  'provider list': async () => (await import('./commands/provider-list.js')).command,
  'provider remove': async () => (await import('./commands/provider-remove.js')).command,
  'client list': async () => (await import('./commands/client-admin.js')).list,
  'client delete': async () => (await import('./commands/client-admin.js')).remove,
  'client rotate-secret': async () => (await import('./commands/client-admin.js')).rotateSecret,
  'user list': async () => (await import('./commands/user-admin.js')).list,
  'user disable': async () => (await import('./commands/user-admin.js')).disable,
  'user enable': async () => (await import('./commands/user-admin.js')).enable,
  'user logout': async () => (await import('./commands/user-admin.js')).logout,
  'mail list': async () => (await import('./commands/mail-list.js')).command,
  'config print': async () => (await import('./commands/config-print.js')).command,
};

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const match = Object.keys(COMMANDS)
    .sort((a, b) => b.split(' ').length - a.split(' ').length)
    .find((name) => name.split(' ').every((word, i) => words[i] === word));
  if (!match || argv[0] === '--help' || argv[0] === '-h') {
    printHelp();
    return match || argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' ? 0 : 2;
  }
  const command = await COMMANDS[match]!();
  const rest = [...argv];
  for (const word of match.split(' ')) rest.splice(rest.indexOf(word), 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}

function printHelp(): void {
  console.log('gatehouse — cookies, sessions, JWT, OAuth, realtime chat and a load balancer\n');
  console.log('Usage: gatehouse <command> [flags]   (gatehouse <command> --help for its flags)\n');
  for (const name of Object.keys(COMMANDS).sort()) console.log(`  ${name}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exitCode = 2;
    } else if (isGatehouseError(error)) {
      console.error(`${error.code}: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    }
  },
);
