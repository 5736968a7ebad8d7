// The conformance table: one row per profile or feature, the tests that prove it, and how gatehouse
// compares with node-oidc-provider's certified profiles and Keycloak. docs/conformance.md is rendered
// from this list (`npm run docs:conformance`) and a test keeps the page and the proofs in sync.

import { CELLS_KO, PAGE_KO, PROFILE_NAMES_KO, PROFILE_NOTES_KO } from './profiles.ko.js';

export interface Proof {
  /** A file under test/conformance/. */
  file: string;
  /** The exact title of an `it(...)` in that file. */
  test: string;
}

export interface Profile {
  id: string;
  name: string;
  spec: string;
  supported: boolean;
  /** Every supported row is proven with openid-client and, where it has the feature, oauth4webapi. */
  proofs: Proof[];
  /** node-oidc-provider (OpenID Certified: Basic, Config, Dynamic, Form Post, FAPI, Back-Channel, RP-Initiated Logout…). */
  nodeOidcProvider: string;
  keycloak: string;
  note?: string;
}

const oc = (test: string): Proof => ({ file: 'openid-client.test.ts', test });
const o4 = (test: string): Proof => ({ file: 'oauth4webapi.test.ts', test });
const browser = (test: string): Proof => ({ file: 'browser-flows.test.ts', test });
const neg = (test: string): Proof => ({ file: 'negative.test.ts', test });

export const PROFILES: Profile[] = [
  {
    id: 'discovery',
    name: 'OpenID Provider discovery',
    spec: 'OIDC Discovery 1.0',
    supported: true,
    proofs: [oc('discovers the provider with OpenID discovery'), o4('discovers the provider with OpenID discovery')],
    nodeOidcProvider: 'yes (certified Config OP)',
    keycloak: 'yes',
  },
  {
    id: 'rfc8414',
    name: 'Authorization server metadata, path-aware',
    spec: 'RFC 8414',
    supported: true,
    proofs: [oc('discovers the server with RFC 8414 metadata'), o4('discovers the server with RFC 8414 metadata')],
    nodeOidcProvider: 'yes (issuer-relative /.well-known/oauth-authorization-server)',
    keycloak: 'yes',
  },
  {
    id: 'code-pkce-confidential',
    name: 'Authorization code + PKCE, confidential client, RS256 ID token',
    spec: 'RFC 6749 §4.1, RFC 7636, OIDC Core §3.1',
    supported: true,
    proofs: [oc('code flow with PKCE for a confidential client, RS256 ID token by default'), o4('code flow with PKCE for a confidential client, RS256 ID token by default')],
    nodeOidcProvider: 'yes (certified Basic OP)',
    keycloak: 'yes',
  },
  {
    id: 'code-pkce-public',
    name: 'Authorization code + PKCE, public client',
    spec: 'RFC 6749 §4.1, RFC 7636, RFC 8252',
    supported: true,
    proofs: [oc('code flow with PKCE for a public client'), o4('code flow with PKCE for a public client')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'id-token-alg',
    name: 'ID token algorithm per client (ES256, EdDSA)',
    spec: 'OIDC Registration §2 id_token_signed_response_alg',
    supported: true,
    proofs: [oc('signs ID tokens with the algorithm the client registered')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes (per client)',
  },
  {
    id: 'api-scope-default-resource',
    name: 'API scopes without a resource parameter',
    spec: 'RFC 8707 (default resource), RFC 9068',
    supported: true,
    proofs: [oc('API scopes without resource give a JWT access token the API accepts'), o4('API scopes without resource give a JWT access token the API accepts')],
    nodeOidcProvider: 'configurable (defaultResource)',
    keycloak: 'yes (audience mappers)',
  },
  {
    id: 'resource-indicators',
    name: 'Resource indicators',
    spec: 'RFC 8707',
    supported: true,
    proofs: [oc('a named resource still gets its at+jwt, and the userinfo token stays opaque')],
    nodeOidcProvider: 'yes',
    keycloak: 'partly (audience, not RFC 8707)',
  },
  {
    id: 'refresh',
    name: 'Refresh token with rotation and replay detection',
    spec: 'RFC 6749 §6, RFC 9700 §4.14',
    supported: true,
    proofs: [oc('rotates refresh tokens and kills the grant on replay'), o4('rotates refresh tokens')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'client-credentials',
    name: 'Client credentials',
    spec: 'RFC 6749 §4.4',
    supported: true,
    proofs: [oc('client credentials for a confidential client'), o4('client credentials for a confidential client')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'par',
    name: 'Pushed authorization requests',
    spec: 'RFC 9126',
    supported: true,
    proofs: [oc('pushed authorization request'), o4('pushed authorization request')],
    nodeOidcProvider: 'yes (FAPI 2.0)',
    keycloak: 'yes',
  },
  {
    id: 'dpop',
    name: 'DPoP sender-constrained tokens',
    spec: 'RFC 9449',
    supported: true,
    proofs: [oc('DPoP-bound tokens work at the API only with a proof'), o4('DPoP-bound tokens work at the API only with a proof')],
    nodeOidcProvider: 'yes (FAPI 2.0)',
    keycloak: 'yes',
  },
  {
    id: 'device',
    name: 'Device authorization grant',
    spec: 'RFC 8628',
    supported: true,
    proofs: [browser("device flow: openid-client polls while the user approves on the web app's device page in Chromium (EN), and a refusal ends in access_denied (KO)"), o4('device authorization grant'), neg('bounds user-code guessing at the device verification endpoint (RFC 8628 §5.1)')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'introspection',
    name: 'Token introspection of opaque and JWT access tokens',
    spec: 'RFC 7662',
    supported: true,
    proofs: [oc('introspects opaque and JWT access tokens'), o4('introspects and revokes a JWT access token')],
    nodeOidcProvider: 'opaque only (JWT access tokens are refused)',
    keycloak: 'yes',
  },
  {
    id: 'revocation',
    name: 'Token revocation of opaque and JWT access tokens',
    spec: 'RFC 7009',
    supported: true,
    proofs: [oc('revoking a JWT access token makes it inactive everywhere'), oc('revoking an opaque access token also ends its sibling JWT'), o4('introspects and revokes a JWT access token')],
    nodeOidcProvider: 'opaque only',
    keycloak: 'yes',
  },
  {
    id: 'rp-initiated-logout',
    name: 'RP-initiated logout (ends the gatehouse session too)',
    spec: 'OIDC RP-Initiated Logout 1.0',
    supported: true,
    proofs: [browser('RP-initiated logout in Chromium ends the provider and web sessions and notifies back-channel')],
    nodeOidcProvider: 'yes (certified RP-Initiated OP)',
    keycloak: 'yes',
  },
  {
    id: 'backchannel-logout',
    name: 'Back-channel logout',
    spec: 'OIDC Back-Channel Logout 1.0',
    supported: true,
    proofs: [browser('RP-initiated logout in Chromium ends the provider and web sessions and notifies back-channel')],
    nodeOidcProvider: 'yes (certified Back-Channel OP)',
    keycloak: 'yes',
  },
  {
    id: 'dcr',
    name: 'Dynamic client registration with an initial access token, and management',
    spec: 'RFC 7591, RFC 7592',
    supported: true,
    proofs: [oc('dynamic client registration needs the initial access token'), o4('dynamic client registration needs the initial access token')],
    nodeOidcProvider: 'yes (certified Dynamic OP)',
    keycloak: 'yes',
  },
  {
    id: 'private-key-jwt',
    name: 'private_key_jwt client authentication',
    spec: 'RFC 7523, OIDC Core §9',
    supported: true,
    proofs: [oc('private_key_jwt client authenticates with its own key'), o4('private_key_jwt client authenticates with its own key')],
    nodeOidcProvider: 'yes (FAPI)',
    keycloak: 'yes',
  },
  {
    id: 'client-secret-jwt',
    name: 'client_secret_jwt client authentication',
    spec: 'RFC 7523, OIDC Core §9',
    supported: true,
    proofs: [oc('client_secret_jwt client authenticates')],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'cors',
    name: 'CORS for browser apps at the resource server',
    spec: 'Fetch standard (CORS)',
    supported: true,
    proofs: [browser('a registered SPA origin calls the API from Chromium, preflight included; others cannot')],
    nodeOidcProvider: 'provider endpoints only (clientBasedCORS)',
    keycloak: 'yes (web origins)',
  },
  {
    id: 'ui-locales',
    name: 'Provider pages in the user language, login_hint, prompt=create',
    spec: 'OIDC Core §3.1.2.1, OIDC Prompt Create 1.0',
    supported: true,
    proofs: [browser('pages follow ui_locales and gh.lang, login_hint fills the email, prompt=create signs up')],
    nodeOidcProvider: 'hooks only (pages are the integrator’s)',
    keycloak: 'yes',
  },
  {
    id: 'negative',
    name: 'RFC 6749 / RFC 9700 negative cases',
    spec: 'RFC 6749 §4.1.2.1, §5.2; RFC 9700 §2.1, §4.5',
    supported: true,
    proofs: [
      neg('refuses implicit and hybrid response types'),
      neg('refuses the password grant'),
      neg('refuses an authorization request without PKCE'),
      neg('refuses a code with the wrong verifier, and a code used twice'),
      neg('refuses an unregistered redirect_uri without redirecting'),
      neg('refuses a client with the wrong secret'),
    ],
    nodeOidcProvider: 'yes',
    keycloak: 'yes',
  },
  {
    id: 'implicit',
    name: 'Implicit and hybrid flows',
    spec: 'OIDC Core §3.2, §3.3',
    supported: false,
    proofs: [neg('refuses implicit and hybrid response types')],
    nodeOidcProvider: 'yes (certified Implicit, Hybrid OP)',
    keycloak: 'yes (off by default)',
    note: 'Refused on purpose: RFC 9700 §2.1.2 advises against them.',
  },
  {
    id: 'password',
    name: 'Resource owner password credentials',
    spec: 'RFC 6749 §4.3',
    supported: false,
    proofs: [neg('refuses the password grant')],
    nodeOidcProvider: 'no',
    keycloak: 'yes (direct access grants)',
    note: 'Refused on purpose: RFC 9700 §2.4 says it must not be used.',
  },
  {
    id: 'ciba',
    name: 'Client-initiated backchannel authentication',
    spec: 'OIDC CIBA',
    supported: false,
    proofs: [],
    nodeOidcProvider: 'yes (certified CIBA OP)',
    keycloak: 'yes',
  },
  {
    id: 'jar-jarm',
    name: 'Signed request objects (JAR) and JWT responses (JARM)',
    spec: 'RFC 9101, JARM',
    supported: false,
    proofs: [],
    nodeOidcProvider: 'yes (FAPI)',
    keycloak: 'yes',
  },
  {
    id: 'mtls',
    name: 'Mutual-TLS client authentication and bound tokens',
    spec: 'RFC 8705',
    supported: false,
    proofs: [],
    nodeOidcProvider: 'yes (FAPI)',
    keycloak: 'yes',
  },
];

/** docs/conformance.md, from PROFILES. */
/** docs/conformance.md (English) or docs/conformance.ko.md (Korean), from the same rows. */
export function renderConformancePage(profiles: Profile[] = PROFILES, lang: 'en' | 'ko' = 'en'): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const ko = lang === 'ko';
  // A missing translation renders visibly (and the page test names it) instead of falling back silently.
  const say = (table: Record<string, string>, key: string, english: string) => (ko ? (table[key] ?? `?? ${english}`) : english);
  const rows = profiles.map((p) => {
    const proofs = p.proofs.map((proof) => `\`${proof.file}\` › ${cell(proof.test)}`).join('<br>') || '—';
    const note = p.note ? say(PROFILE_NOTES_KO, p.id, p.note) : null;
    const status = p.supported ? (ko ? PAGE_KO.supported : 'supported') : `${ko ? PAGE_KO.notSupported : 'not supported'}${note ? ` — ${cell(note)}` : ''}`;
    const compared = [p.nodeOidcProvider, p.keycloak].map((text) => cell(say(CELLS_KO, text, text)));
    return `| ${cell(say(PROFILE_NAMES_KO, p.id, p.name))} | ${cell(p.spec)} | ${status} | ${proofs} | ${compared.join(' | ')} |`;
  });
  if (ko) {
    return `# ${PAGE_KO.title}

${PAGE_KO.generated}

${PAGE_KO.intro}

${PAGE_KO.header}
|---|---|---|---|---|---|
${rows.join('\n')}

## ${PAGE_KO.notesTitle}

${PAGE_KO.notes}
`;
  }
  return `# OAuth 2.0 / OpenID Connect conformance

<!-- Generated from test/conformance/profiles.ts by npm run docs:conformance; a test keeps it in sync. -->

gatehouse's authorization server (issuer \`<origin>/oidc\`) is driven by two independent, certified
relying-party libraries — [openid-client](https://github.com/panva/openid-client) and
[oauth4webapi](https://github.com/panva/oauth4webapi) — with their **default settings**, against a real
running node, with the user's part done in Chromium or through the provider's own HTML forms over HTTP.
The suite lives in \`test/conformance/\` and runs with \`npm test\`.

Defaults a relying party can rely on without reading further: discovery at
\`/oidc/.well-known/openid-configuration\` and RFC 8414 metadata at
\`/.well-known/oauth-authorization-server/oidc\`; authorization code with PKCE S256 (required for every
client); ID tokens in RS256 unless the client registered \`id_token_signed_response_alg\` (ES256, EdDSA);
API scopes (\`profile:read\`, \`messages:read\`, \`messages:write\`) give an RFC 9068 \`at+jwt\` for
\`<origin>/api\` even without the \`resource\` parameter.

| Profile / feature | Specification | gatehouse | Proven by | node-oidc-provider | Keycloak |
|---|---|---|---|---|---|
${rows.join('\n')}

## Notes

- When a grant holds API scopes whose resource was defaulted, its access tokens are for the API; the
  claims of \`profile\` and \`email\` are then read from the ID token or with a separate request that names
  no API scope. A client that sends \`resource\` itself keeps RFC 8707's behaviour (the token endpoint
  without \`resource\` returns the opaque userinfo token).
- Revoking an opaque access token ends the JWT access tokens its grant issued up to that second; the
  refresh token lives on (revoke it to end the grant).
- node-oidc-provider is the library gatehouse's provider is built on; its column says what the library
  can do (and was certified for), not what gatehouse switches on.
`;
}
