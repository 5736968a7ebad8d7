#!/usr/bin/env node
import { isGatehouseError } from '../core/index.js';
import { UsageError } from './args.js';
import { COMMANDS } from './registry.js';

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const match = Object.keys(COMMANDS)
    .sort((a, b) => b.split(' ').length - a.split(' ').length)
    .find((name) => name.split(' ').every((word, i) => words[i] === word));
  const asksHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
  if (asksHelp) {
    printHelp();
    return 0;
  }
  if (!match) {
    console.error(unknownCommand(words));
    return 2;
  }
  const { load } = COMMANDS[match]!;
  // Loading a command never loads oidc-provider (the provider loads when a node first serves OAuth),
  // so its warning about the Node.js release comes only from processes that serve OAuth.
  const command = await load();
  const rest = [...argv];
  for (const word of match.split(' ')) rest.splice(rest.indexOf(word), 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}

/** "user" alone names a group: list its commands; anything else is not a command at all. */
function unknownCommand(words: string[]): string {
  const typed = words.slice(0, 2).join(' ');
  const group = Object.keys(COMMANDS).filter((name) => words[0] !== undefined && name.startsWith(`${words[0]} `));
  if (group.length > 0) {
    const known = group.map((name) => `  gatehouse ${name.padEnd(22)} ${COMMANDS[name]!.summary}`).join('\n');
    return `gatehouse ${typed} is not a command. The ${words[0]} commands are:\n${known}\n\nRun gatehouse --help for every command.`;
  }
  return `Unknown command: gatehouse ${typed}. Run gatehouse --help for the list of commands.`;
}

function printHelp(): void {
  console.log('gatehouse — cookies, sessions, JWT, OAuth, realtime chat and a load balancer\n');
  console.log('Usage: gatehouse <command> [flags]   (gatehouse <command> --help for its flags)\n');
  console.log('Commands:');
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  for (const [name, { summary }] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(width)}  ${summary}`);
  console.log('\nnpm start runs `gatehouse up`; then open http://localhost:8080.');
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
