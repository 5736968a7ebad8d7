import { GatehouseError, type IdSource } from '../core/index.js';
import type { Identity, User } from '../identity/index.js';
import type { LinkStore } from './links.js';

/** Who the provider says the user is, after its response was verified. */
export interface ExternalIdentity {
  provider: string;
  subject: string;
  email: string | null;
  /** Only true when the provider asserts it (OIDC `email_verified`, GitHub's verified primary email). */
  emailVerified: boolean;
  name: string | null;
}

export interface AccountResolution {
  user: User;
  /** A new gatehouse account was made for this external identity. */
  created: boolean;
  /** A link was made now (explicitly, or automatically on a verified email). */
  linked: boolean;
}

/**
 * The account-linking rule: an existing link signs its user in; a signed-in user
 * asking to link gets the link; otherwise an account with the same email is joined automatically only
 * when the provider vouches for the email — an unverified one could be anybody's, so that user must sign
 * in first and link explicitly. With no such account, a new one is created.
 */
export async function resolveAccount(deps: { identity: Identity; links: LinkStore; ids: IdSource }, external: ExternalIdentity, linkToUserId: string | null): Promise<AccountResolution> {
  const existing = await deps.links.find(external.provider, external.subject);
  if (existing) {
    if (linkToUserId && existing.userId !== linkToUserId) throw new GatehouseError('GH_OAUTH_LINK_TAKEN');
    const user = await deps.identity.getUser(existing.userId);
    if (!user) throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: 'The linked account no longer exists.' });
    await deps.links.touch(existing.id);
    return { user, created: false, linked: false };
  }
  const link = (userId: string) =>
    deps.links.create({ userId, provider: external.provider, subject: external.subject, email: external.email, emailVerified: external.emailVerified });

  if (linkToUserId) {
    const user = await deps.identity.getUser(linkToUserId);
    if (!user) throw new GatehouseError('GH_AUTH_UNAUTHENTICATED');
    await link(user.id);
    return { user, created: false, linked: true };
  }
  if (!external.email) throw new GatehouseError('GH_OAUTH_FEDERATION_NO_EMAIL');
  const byEmail = await deps.identity.findUserByEmail(external.email);
  if (byEmail) {
    if (!external.emailVerified) throw new GatehouseError('GH_OAUTH_LINK_REQUIRED');
    await link(byEmail.id);
    return { user: byEmail, created: false, linked: true };
  }
  // identity requires a password; this one is random and never shown, so the new account can only be
  // signed in to through its links.
  const user = await deps.identity.signup({ email: external.email, password: `${deps.ids.token(32)}Aa1!`, name: external.name });
  await link(user.id);
  return { user, created: true, linked: true };
}
