import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { withProviderRegistry } from '../provider-store.js';
import { storeFlags } from '../store-flags.js';

const usage = `Usage: gatehouse provider remove --id ID [--data-dir DIR]

Removes a sign-in provider added with \`gatehouse provider add\` or the admin page. One declared in
configuration (providers file, GATEHOUSE_PROVIDER_*) is removed there instead. Accounts keep their
links; they work again if a provider of the same id comes back.`;

export const command: Command = {
  name: 'provider remove',
  summary: 'Remove a sign-in provider',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, id: { type: 'string' } }, usage);
    if (typeof values.id !== 'string') throw new UsageError(`--id is required.\n\n${usage}`);
    return withProviderRegistry(values, async (registry) => {
      await registry.remove(values.id as string);
      console.log(`removed sign-in provider ${values.id as string}`);
      return 0;
    });
  },
};
