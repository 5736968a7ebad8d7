import { configFromEnv, cryptoIds, loadConfig, systemClock } from '../../core/index.js';
import { ALL_SCOPES, CLIENT_AUTH_METHODS, CLIENT_ID_TOKEN_ALGS, createClientManager, type ClientAuthMethod, type ClientIdTokenAlg } from '../../oauth/index.js';
import { createDatabase, migrateToLatest } from '../../storage/index.js';
import { UsageError, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { storeFlags, storeLayer } from '../store-flags.js';

const usage = `Usage: gatehouse client create --name NAME --redirect-uri URI [--redirect-uri URI ...]
                               --type public|confidential [--scopes "openid profile ..."]
                               [--post-logout-redirect-uri URI ...] [--backchannel-logout-uri URI]
                               [--auth-method ${CLIENT_AUTH_METHODS.join('|')}]
                               [--jwks-uri URI] [--id-token-alg ${CLIENT_ID_TOKEN_ALGS.join('|')}] [--device]
                               [--json] [--data-dir DIR]

Registers an OAuth 2.0 / OpenID Connect client and prints its client_id and, for a confidential client,
its client_secret (shown only now). Redirect URIs are matched exactly; they must be https, or http on a
loopback address. Scopes: ${ALL_SCOPES.join(' ')} (default: all).
--auth-method picks how a confidential client authenticates (private_key_jwt needs --jwks-uri and gets
no secret). --id-token-alg: the ID token signature (default RS256). --device allows the device
authorization grant (RFC 8628); such a client needs no redirect URI.
Honours DATABASE_URL, so it registers the client in the store a running node uses.`;

export const command: Command = {
  name: 'client create',
  summary: 'Register an OAuth client',
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...storeFlags,
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        type: { type: 'string' },
        scopes: { type: 'string' },
        'auth-method': { type: 'string' },
        'jwks-uri': { type: 'string' },
        'id-token-alg': { type: 'string' },
        'backchannel-logout-uri': { type: 'string' },
        device: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (typeof values.name !== 'string') throw new UsageError(`--name is required.\n\n${usage}`);
    const redirectUris = (values['redirect-uri']) ?? [];
    if (redirectUris.length === 0 && !values.device) throw new UsageError(`--redirect-uri is required.\n\n${usage}`);
    const authMethod = values['auth-method'];
    if (authMethod !== undefined && !CLIENT_AUTH_METHODS.includes(authMethod as ClientAuthMethod)) throw new UsageError(`--auth-method must be one of ${CLIENT_AUTH_METHODS.join(', ')}.\n\n${usage}`);
    const idTokenAlg = values['id-token-alg'];
    if (idTokenAlg !== undefined && !CLIENT_ID_TOKEN_ALGS.includes(idTokenAlg as ClientIdTokenAlg)) throw new UsageError(`--id-token-alg must be one of ${CLIENT_ID_TOKEN_ALGS.join(', ')}.\n\n${usage}`);
    if (values.type !== 'public' && values.type !== 'confidential') throw new UsageError(`--type must be public or confidential.\n\n${usage}`);
    const scopes = typeof values.scopes === 'string' ? values.scopes.split(/[\s,]+/).filter(Boolean) : undefined;

    const { config } = loadConfig(configFromEnv(process.env), storeLayer(values));
    const database = createDatabase({ databaseUrl: config.storage.databaseUrl, dataDir: config.server.dataDir, poolSize: 2 });
    try {
      await migrateToLatest(database.db);
      const clients = createClientManager({ db: database.db, ids: cryptoIds, clock: systemClock });
      const created = await clients.create({
        name: values.name,
        redirectUris,
        type: values.type,
        ...(scopes ? { scopes } : {}),
        ...(values['post-logout-redirect-uri'] ? { postLogoutRedirectUris: values['post-logout-redirect-uri'] } : {}),
        ...(authMethod ? { authMethod: authMethod as ClientAuthMethod } : {}),
        ...(typeof values['jwks-uri'] === 'string' ? { jwksUri: values['jwks-uri'] } : {}),
        ...(idTokenAlg ? { idTokenAlg: idTokenAlg as ClientIdTokenAlg } : {}),
        ...(typeof values['backchannel-logout-uri'] === 'string' ? { backchannelLogoutUri: values['backchannel-logout-uri'] } : {}),
        ...(values.device ? { device: true } : {}),
      });
      if (values.json) {
        console.log(JSON.stringify(created));
      } else {
        console.log(`client_id:     ${created.client_id}`);
        if (created.client_secret) console.log(`client_secret: ${created.client_secret}   (shown only now; store it safely)`);
        console.log(`type:          ${created.client_type} (token_endpoint_auth_method ${created.token_endpoint_auth_method})`);
        console.log(`redirect_uris: ${created.redirect_uris.join(' ')}`);
        console.log(`id_token_alg:  ${created.id_token_signed_response_alg}`);
        console.log(`scope:         ${created.scope}`);
      }
      return 0;
    } finally {
      await database.close();
    }
  },
};
