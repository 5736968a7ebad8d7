import { callbackUrlFor } from '../../federation/index.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { originFlags, withProviderRegistry } from '../provider-store.js';
import { storeFlags } from '../store-flags.js';

const usage = `Usage: gatehouse provider list [--public-url URL] [--json] [--data-dir DIR]

Lists the sign-in providers a node offers — those added with \`gatehouse provider add\` or the admin
page (source store) and those declared in configuration (source config) — each with the callback URL
to register at the provider. Client secrets are never printed.`;

export const command: Command = {
  name: 'provider list',
  summary: 'List sign-in providers and their callback URLs',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, ...originFlags, json: { type: 'boolean' } }, usage);
    return withProviderRegistry(values, async (registry, origin) => {
      const providers = (await registry.listForAdmin()).map((p) => ({ ...p, callbackUrl: callbackUrlFor(origin, p.id) }));
      if (values.json) {
        console.log(JSON.stringify({ providers }));
        return 0;
      }
      if (providers.length === 0) console.log('no sign-in providers (add one with: gatehouse provider add --help)');
      for (const p of providers) {
        console.log(`${p.id}  ${p.displayName}  kind=${p.kind}${p.issuer ? ` issuer=${p.issuer}` : ''}  client_id=${p.clientId}  secret=${p.hasClientSecret ? 'yes' : 'no'}  trust-email=${p.trustEmail ? 'yes' : 'no'}  source=${p.source}`);
        console.log(`  callback URL: ${p.callbackUrl}`);
      }
      return 0;
    });
  },
};
