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
  /** A link was made now (explicitly, or by the trusted-email rule). */
  linked: boolean;
}

/** What the operator and the browser said about this sign-in, beside the provider's own claims. */
export interface LinkContext {
  /** The signed-in user who asked to link, still signed in in the browser that returned; else null. */
  linkToUserId: string | null;
  /** The operator marked this provider as trusted for email (`trustEmail`). */
  providerTrustedForEmail: boolean;
}

/**
 * The account-linking rule. An existing link signs its user in. A signed-in user who asked to link gets
 * the link. Otherwise an external identity never joins an existing account on its own word: only when the
 * operator trusts this provider for email, the provider asserts the address verified, AND the local
 * account proved the same address itself. Anything less is a takeover path — an attacker who signed up
 * first with the victim's address would receive the victim's later sign-in (pre-account takeover), and a
 * provider whose users can claim any address would hand out the admin's account — so it is refused with
 * GH_OAUTH_LINK_REQUIRED: the owner signs in and links. With no account for the address, a new one is
 * made; its address counts as verified only on a trusted provider's word.
 */
export async function resolveAccount(deps: { identity: Identity; links: LinkStore; ids: IdSource }, external: ExternalIdentity, context: LinkContext): Promise<AccountResolution> {
  const { linkToUserId } = context;
  const existing = await deps.links.find(external.provider, external.subject);
  if (existing) {
    if (linkToUserId && existing.userId !== linkToUserId) throw new GatehouseError('GH_OAUTH_LINK_TAKEN');
    const user = await deps.identity.getUser(existing.userId);
    if (!user) throw new GatehouseError('GH_OAUTH_FEDERATION_FAILED', { message: 'The linked account no longer exists.' });
    if (user.disabledAt !== null) throw new GatehouseError('GH_FEDERATION_ACCOUNT_DISABLED');
    await deps.links.touch(existing.id);
    return { user, created: false, linked: false };
  }
  const link = (userId: string) =>
    deps.links.create({ userId, provider: external.provider, subject: external.subject, email: external.email, emailVerified: external.emailVerified });

  if (linkToUserId) {
    const user = await deps.identity.getUser(linkToUserId);
    if (!user) throw new GatehouseError('GH_FEDERATION_LINK_SESSION');
    if (user.disabledAt !== null) throw new GatehouseError('GH_FEDERATION_ACCOUNT_DISABLED');
    await link(user.id);
    return { user, created: false, linked: true };
  }
  if (!external.email) throw new GatehouseError('GH_OAUTH_FEDERATION_NO_EMAIL');
  const vouched = context.providerTrustedForEmail && external.emailVerified;
  const byEmail = await deps.identity.findUserByEmail(external.email);
  if (byEmail) {
    if (!vouched || byEmail.emailVerifiedAt === null) throw new GatehouseError('GH_OAUTH_LINK_REQUIRED', { details: { provider: external.provider } });
    if (byEmail.disabledAt !== null) throw new GatehouseError('GH_FEDERATION_ACCOUNT_DISABLED');
    await link(byEmail.id);
    return { user: byEmail, created: false, linked: true };
  }
  // identity requires a password; this one is random and never shown, so the new account can only be
  // signed in to through its links (or a password reset to a proven address).
  const user = await deps.identity.signup({
    email: external.email,
    password: `${deps.ids.token(32)}Aa1!`,
    name: external.name,
    ...(vouched ? { emailVerifiedVia: `provider:${external.provider}` } : {}),
  });
  await link(user.id);
  return { user, created: true, linked: true };
}
