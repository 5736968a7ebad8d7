import { Type, type Static } from '@sinclair/typebox';

// The HTTP response shapes the browser reads. Each schema is the route's response validator and its
// OpenAPI description, and its Static type is what web/ imports (type-only): one source, so the page
// cannot read a field the server stopped sending. This file imports nothing but TypeBox, because the
// web build typechecks it.

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  createdAt: Type.Number({ description: 'epoch ms' }),
});
export type UserView = Static<typeof UserView>;

export const PrincipalView = Type.Object({
  user: UserView,
  credential: Type.Object({
    kind: Type.Union([Type.Literal('cookie'), Type.Literal('session'), Type.Literal('jwt'), Type.Literal('oauth')]),
    id: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Type.Number(), Type.Null()]),
    scopes: Type.Array(Type.String()),
    clientId: Type.Optional(Type.String()),
  }),
});
export type PrincipalView = Static<typeof PrincipalView>;

export const SessionView = Type.Object({
  id: Type.String(),
  /** A device is a server session, or a JWT sign-in (its refresh family). */
  kind: Type.Union([Type.Literal('session'), Type.Literal('jwt')]),
  createdAt: Type.Number(),
  lastSeenAt: Type.Number(),
  idleExpiresAt: Type.Number(),
  absoluteExpiresAt: Type.Number(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});
export type SessionView = Static<typeof SessionView>;

export const AuditEventView = Type.Object({
  id: Type.String(),
  at: Type.Number(),
  type: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  userEmail: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "admin only: the address of the event's user, null once the account is gone" })),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEventView = Static<typeof AuditEventView>;

/** One app the user allowed (every provider grant of one OAuth client, folded together). */
export const AppView = Type.Object({
  clientId: Type.String(),
  clientName: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  firstGrantedAt: Type.Number({ description: 'epoch ms' }),
  lastGrantedAt: Type.Number({ description: 'epoch ms' }),
  grants: Type.Integer({ description: 'how many provider grants the client holds for the user' }),
});
export type AppView = Static<typeof AppView>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'seconds' }),
  refresh_token: Type.Optional(Type.String({ description: 'Only for clients that asked for it (refresh_token_in_body, or sent their token in the body)' })),
});
export type TokenResponse = Static<typeof TokenResponse>;

/** The password step's answer when a second factor is owed: no credential, only the pending ticket. */
export const SecondFactorRequired = Type.Object({
  secondFactorRequired: Type.Literal(true),
  ticket: Type.String({ description: 'Single use, 5 minutes; not a credential (no route accepts it)' }),
  expiresAt: Type.Number({ description: 'epoch ms' }),
  methods: Type.Array(Type.String(), { description: '`totp`, `recovery`' }),
});
export type SecondFactorRequired = Static<typeof SecondFactorRequired>;

/** One provider grant of an OAuth client (GET /api/oauth/grants). */
export const GrantView = Type.Object({
  id: Type.String(),
  clientId: Type.String(),
  clientName: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  createdAt: Type.Number({ description: 'epoch ms' }),
  expiresAt: Type.Union([Type.Number(), Type.Null()]),
});
export type GrantView = Static<typeof GrantView>;

export const FactorStatus = Type.Object({ totp: Type.Boolean(), totpPending: Type.Boolean(), recoveryCodesLeft: Type.Integer(), passkeys: Type.Integer() });
export type FactorStatus = Static<typeof FactorStatus>;

export const PasskeyView = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.Number(), lastUsedAt: Type.Union([Type.Number(), Type.Null()]), backedUp: Type.Boolean() });
export type PasskeyView = Static<typeof PasskeyView>;

export const AccountStatus = Type.Object({
  email: Type.String(),
  emailVerifiedAt: Type.Union([Type.Number(), Type.Null()]),
  emailVerifiedVia: Type.Union([Type.String(), Type.Null()]),
  mailDelivery: Type.Union([Type.Literal('smtp'), Type.Literal('outbox')]),
});
export type AccountStatus = Static<typeof AccountStatus>;

/** Theme and language, from their plain (script-readable) cookies. */
export const Preferences = Type.Object({
  theme: Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')]),
  lang: Type.Union([Type.Literal('en'), Type.Literal('ko')]),
});
export type Preferences = Static<typeof Preferences>;

/** A sign-in provider as anyone may see it (GET /api/auth/federation/providers). */
export const ProviderView = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  kind: Type.String(),
  issuer: Type.Union([Type.String(), Type.Null()]),
});
export type ProviderView = Static<typeof ProviderView>;

/** A provider identity linked to the caller's account (GET /api/auth/federation/links). */
export const LinkView = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  displayName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  emailVerified: Type.Boolean(),
  createdAt: Type.Number(),
  lastLoginAt: Type.Union([Type.Number(), Type.Null()]),
});
export type LinkView = Static<typeof LinkView>;

/** A user as the admin console sees them (GET /api/admin/users and every admin action's answer). */
export const AdminUserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  createdAt: Type.Number(),
  emailVerifiedAt: Type.Union([Type.Number(), Type.Null()]),
  disabledAt: Type.Union([Type.Number(), Type.Null()]),
});
export type AdminUserView = Static<typeof AdminUserView>;

/** One user's page in the admin console (GET /api/admin/users/:id). */
export const AdminUserDetail = Type.Object({
  user: AdminUserView,
  sessions: Type.Number({ description: 'live server sessions' }),
  devices: Type.Number({ description: 'live JWT sign-ins (refresh-token families)' }),
  events: Type.Array(
    Type.Object({
      at: Type.Number(),
      type: Type.String(),
      ip: Type.Union([Type.String(), Type.Null()]),
      actorId: Type.Union([Type.String(), Type.Null()], { description: 'the admin who acted, for operator actions' }),
    }),
  ),
});
export type AdminUserDetail = Static<typeof AdminUserDetail>;

/** A mail kept in the store when no SMTP server is configured (GET /api/admin/outbox). */
export const OutboxMessageView = Type.Object({ id: Type.String(), createdAt: Type.Number(), to: Type.String(), kind: Type.String(), subject: Type.String(), text: Type.String(), html: Type.String() });
export type OutboxMessageView = Static<typeof OutboxMessageView>;

/** A registered OAuth client (GET /api/oauth/clients, and the registration's answer). */
export const OauthClientView = Type.Object({
  client_id: Type.String(),
  client_secret: Type.Optional(Type.String({ description: 'Only in the creation response' })),
  client_name: Type.String(),
  client_type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  scope: Type.String(),
  token_endpoint_auth_method: Type.String(),
  created_at: Type.Number(),
});
export type OauthClientView = Static<typeof OauthClientView>;

/** A sign-in provider as an admin sees it, with the callback URL to register upstream. */
export const ProviderAdminView = Type.Composite([
  ProviderView,
  Type.Object({
    clientId: Type.String(),
    hasClientSecret: Type.Boolean(),
    scope: Type.String(),
    trustEmail: Type.Boolean(),
    source: Type.Union([Type.Literal('store'), Type.Literal('config')]),
    createdAt: Type.Union([Type.Number(), Type.Null()]),
    /** Register exactly this redirect URI at the provider. */
    callbackUrl: Type.String(),
  }),
]);
export type ProviderAdminView = Static<typeof ProviderAdminView>;

/** One sample of the balancer's request counters (GET /api/cluster/history). */
export const CounterSample = Type.Object({
  at: Type.Number({ description: 'epoch ms' }),
  counters: Type.Record(Type.String(), Type.Number(), { description: 'requests served so far, by backend id' }),
});
export type CounterSample = Static<typeof CounterSample>;

/** One backend as the balancer's admin API describes it, relayed by GET /api/cluster/backends. */
export const BackendView = Type.Object({
  id: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  state: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('draining'), Type.Literal('slow-start')]),
  weight: Type.Number(),
  effectiveWeight: Type.Number({ description: 'the weight the algorithms use, ramped up during slow start' }),
  activeConnections: Type.Integer(),
  requests: Type.Integer(),
  failures: Type.Integer(),
  latencyMs: Type.Number(),
});
export type BackendView = Static<typeof BackendView>;

/** The balancer's pool and the algorithms it offers (GET /api/cluster/backends). */
export const ClusterBackends = Type.Object({
  algorithm: Type.String(),
  available: Type.Array(Type.String()),
  backends: Type.Array(BackendView),
});
export type ClusterBackends = Static<typeof ClusterBackends>;

/** One node's vital signs (GET /api/node/stats, loopback only; relayed by GET /api/cluster/nodes). */
export const NodeStats = Type.Object({
  node: Type.String(),
  pid: Type.Integer(),
  uptimeMs: Type.Number(),
  eventLoopDelayMs: Type.Object({ mean: Type.Number(), p50: Type.Number(), p99: Type.Number(), max: Type.Number() }, { description: 'since the previous read' }),
  memory: Type.Object({ rssBytes: Type.Number(), heapUsedBytes: Type.Number() }),
  sockets: Type.Integer({ description: 'live chat sockets' }),
  rooms: Type.Integer(),
  crossNode: Type.Object({
    uid: Type.Union([Type.String(), Type.Null()], { description: "this node's id in the cluster adapter; null on the in-memory adapter" }),
    requests: Type.Integer({ description: 'requests sent to the other nodes' }),
    partial: Type.Integer({ description: "answered after the timeout, without some node's answer" }),
    waitedFor: Type.Record(Type.String(), Type.Integer(), { description: 'per node uid: requests that waited out the timeout for it' }),
    skipped: Type.Integer({ description: 'times a node known to be unresponsive was not waited for' }),
  }),
  store: Type.String(),
  redis: Type.Boolean(),
});
export type NodeStats = Static<typeof NodeStats>;

/** Every node of the cluster: its stats where it answered, only its name where it did not (GET /api/cluster/nodes). */
export const ClusterNode = Type.Union([
  Type.Composite([NodeStats, Type.Object({ url: Type.String(), reachable: Type.Literal(true) })]),
  Type.Object({ node: Type.String(), url: Type.String(), reachable: Type.Literal(false) }),
]);
export type ClusterNode = Static<typeof ClusterNode>;

/** A new authenticator app's secret, before its first code confirms it (POST /api/account/factors/totp). */
export const TotpEnrolment = Type.Object({
  secret: Type.String(),
  uri: Type.String(),
  qr: Type.String({ description: 'data: URL of an SVG QR code of the URI, made on this server' }),
});
export type TotpEnrolment = Static<typeof TotpEnrolment>;

/** Fresh recovery codes (confirming an authenticator app, or asking for new ones). */
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String(), { description: 'Shown once; only their hashes are kept' }) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

// Whole answers: the body a route sends, envelope included, so a page that reads `sessions` of the
// sessions list reads the same name the server writes.

export const WhoamiAnswer = Type.Object({ me: Type.Union([PrincipalView, Type.Null()]) });
export type WhoamiAnswer = Static<typeof WhoamiAnswer>;
export const SignupAnswer = Type.Object({ user: UserView });
export type SignupAnswer = Static<typeof SignupAnswer>;
export const EmailVerified = Type.Object({ user: UserView, changed: Type.Boolean() });
export type EmailVerified = Static<typeof EmailVerified>;
export const SessionList = Type.Object({ sessions: Type.Array(SessionView) });
export type SessionList = Static<typeof SessionList>;
export const OthersRevoked = Type.Object({ revoked: Type.Number() });
export type OthersRevoked = Static<typeof OthersRevoked>;
export const AuditEventList = Type.Object({ events: Type.Array(AuditEventView) });
export type AuditEventList = Static<typeof AuditEventList>;
export const AppList = Type.Object({ apps: Type.Array(AppView) });
export type AppList = Static<typeof AppList>;
export const GrantList = Type.Object({ grants: Type.Array(GrantView) });
export type GrantList = Static<typeof GrantList>;
export const PasskeyList = Type.Object({ passkeys: Type.Array(PasskeyView) });
export type PasskeyList = Static<typeof PasskeyList>;
/** A passkey ceremony's handle and the options @simplewebauthn/browser takes (their type is that library's). */
export const PasskeyCeremony = Type.Object({ ceremony: Type.String(), options: Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredential options (JSON) for @simplewebauthn/browser' }) });
export type PasskeyCeremony = Static<typeof PasskeyCeremony>;
export const ProviderList = Type.Object({ providers: Type.Array(ProviderView) });
export type ProviderList = Static<typeof ProviderList>;
export const ProviderAdminList = Type.Object({ providers: Type.Array(ProviderAdminView) });
export type ProviderAdminList = Static<typeof ProviderAdminList>;
export const LinkList = Type.Object({ links: Type.Array(LinkView) });
export type LinkList = Static<typeof LinkList>;
export const LinkStart = Type.Object({ authorizationUrl: Type.String() });
export type LinkStart = Static<typeof LinkStart>;
export const AdminUserList = Type.Object({ users: Type.Array(AdminUserView) });
export type AdminUserList = Static<typeof AdminUserList>;
export const AdminUserAnswer = Type.Object({ user: AdminUserView });
export type AdminUserAnswer = Static<typeof AdminUserAnswer>;
export const Outbox = Type.Object({ delivery: Type.String(), messages: Type.Array(OutboxMessageView) });
export type Outbox = Static<typeof Outbox>;
export const OauthClientList = Type.Object({ clients: Type.Array(OauthClientView) });
export type OauthClientList = Static<typeof OauthClientList>;
export const ClientSecretRotated = Type.Object({ client_id: Type.String(), client_secret: Type.String() });
export type ClientSecretRotated = Static<typeof ClientSecretRotated>;
export const CounterHistory = Type.Object({ samples: Type.Array(CounterSample) });
export type CounterHistory = Static<typeof CounterHistory>;
export const ClusterNodeList = Type.Object({ nodes: Type.Array(ClusterNode) });
export type ClusterNodeList = Static<typeof ClusterNodeList>;
