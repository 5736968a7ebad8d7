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

// The response shapes the browser reads live in core (api-shapes.ts), which web/ imports.
export { PrincipalView, SecondFactorRequired, SessionView, UserView } from '../core/index.js';

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
