import { callbackUrlFor, isProviderKind, PRESETS } from '../../federation/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { originFlags, withProviderRegistry } from '../provider-store.js';
import { readSecret } from '../read-secret.js';
import { storeFlags } from '../store-flags.js';

const usage = `Usage: gatehouse provider add --id ID --kind google|kakao|naver|github|oidc --client-id ID
                              [--issuer URL] [--client-secret-stdin] [--scope "openid email profile"]
                              [--name "Display name"] [--trust-email] [--public-url URL] [--json] [--data-dir DIR]

Registers a "sign in with" provider. Presets (google, kakao, naver, github) bring their endpoints and
scopes; --kind oidc takes any OpenID Connect issuer by URL (--issuer, discovered at first use).
The client secret is read from standard input (first line) or asked for on a terminal with
--client-secret-stdin; it is never a flag, and it is stored sealed under the instance secret.
--trust-email lets a verified email this provider asserts join an existing account whose own address
is verified; without it, people link the provider while signed in.
Prints the callback URL to register at the provider (from GATEHOUSE_PUBLIC_URL or --public-url).
Honours DATABASE_URL, so it writes to the store a running node uses.`;

export const command: Command = {
  name: 'provider add',
  summary: 'Register a sign-in provider',
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...storeFlags,
        ...originFlags,
        id: { type: 'string' },
        kind: { type: 'string' },
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret-stdin': { type: 'boolean' },
        scope: { type: 'string' },
        name: { type: 'string' },
        'trust-email': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (typeof values.id !== 'string') throw new UsageError(`--id is required.\n\n${usage}`);
    if (!isProviderKind(values.kind)) throw new UsageError(`--kind must be one of ${[...Object.keys(PRESETS), 'oidc'].join(', ')}.\n\n${usage}`);
    if (typeof values['client-id'] !== 'string') throw new UsageError(`--client-id is required.\n\n${usage}`);
    if (values.kind === 'oidc' && typeof values.issuer !== 'string') throw new UsageError(`--kind oidc needs --issuer URL.\n\n${usage}`);
    const clientSecret = values['client-secret-stdin'] ? await readSecret('Client secret: ') : undefined;
    const kind = values.kind;
    const clientId = values['client-id'];
    return withProviderRegistry(values, async (registry, origin) => {
      const added = await registry.add({
        id: values.id as string,
        kind,
        clientId,
        ...(typeof values.issuer === 'string' ? { issuer: values.issuer } : {}),
        ...(clientSecret ? { clientSecret } : {}),
        ...(typeof values.scope === 'string' ? { scope: values.scope } : {}),
        ...(typeof values.name === 'string' ? { displayName: values.name } : {}),
        trustEmail: values['trust-email'] === true,
      });
      const callbackUrl = callbackUrlFor(origin, added.id);
      if (values.json) {
        console.log(JSON.stringify({ ...added, callbackUrl }));
      } else {
        console.log(`added sign-in provider ${added.id} (${added.displayName}, ${added.kind}${added.issuer ? ` ${added.issuer}` : ''})`);
        console.log(`client secret: ${added.hasClientSecret ? 'stored (sealed)' : 'none'}; trusted for email: ${added.trustEmail ? 'yes' : 'no'}`);
        console.log(`register this callback (redirect) URL at the provider, exactly:`);
        console.log(`  ${callbackUrl}`);
      }
      return 0;
    });
  },
};
