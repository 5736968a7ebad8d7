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
