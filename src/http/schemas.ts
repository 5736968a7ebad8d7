import { Type, type Static } from '@sinclair/typebox';

// Shapes shared by routes; each is both the validator and the OpenAPI description.

export const ErrorBody = Type.Object(
  { error: Type.String({ description: 'Stable code, see docs/errors.md' }), message: Type.String() },
  { $id: 'Error', additionalProperties: true },
);

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'Case-insensitive' });
// Length rules are checked in code points by identity (ASVS), so the schema only bounds the bytes.
export const Password = Type.String({ minLength: 1, maxLength: 1024 });

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export type Credentials = Static<typeof Credentials>;

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  createdAt: Type.Number({ description: 'epoch ms' }),
});

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

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  429: ErrorBody,
};

export function userView(user: { id: string; email: string; name: string | null; roles: string[]; createdAt: number }) {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, createdAt: user.createdAt };
}

/** A login's second step: the pending ticket from the password step and a TOTP or recovery code. */
export const SecondFactorBody = Type.Object(
  {
    ticket: Type.String({ minLength: 16, maxLength: 128, description: 'The ticket the password step returned' }),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A 6-digit code from the authenticator app, or a recovery code' })),
    ceremony: Type.Optional(Type.String({ maxLength: 64, description: 'With `passkey`: the handle from POST /api/auth/passkey/options' })),
    passkey: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A WebAuthn assertion (AuthenticationResponseJSON) instead of a code' })),
  },
  { additionalProperties: false },
);

/** The password step's answer when a second factor is owed: no credential, only the pending ticket. */
export const SecondFactorRequired = Type.Object({
  secondFactorRequired: Type.Literal(true),
  ticket: Type.String({ description: 'Single use, 5 minutes; not a credential (no route accepts it)' }),
  expiresAt: Type.Number({ description: 'epoch ms' }),
  methods: Type.Array(Type.String(), { description: '`totp`, `recovery`' }),
});

export function secondFactorRequired(step: { ticket: string; expiresAt: number }, methods: readonly string[]) {
  return { secondFactorRequired: true as const, ticket: step.ticket, expiresAt: step.expiresAt, methods: [...methods] };
}

/** A sign-in with a passkey alone: the ceremony handle and the WebAuthn assertion. */
export const PasskeyLoginBody = Type.Object(
  {
    ceremony: Type.String({ minLength: 16, maxLength: 64, description: 'From POST /api/auth/passkey/options' }),
    response: Type.Object({}, { additionalProperties: true, description: 'AuthenticationResponseJSON from the browser' }),
  },
  { additionalProperties: false },
);
