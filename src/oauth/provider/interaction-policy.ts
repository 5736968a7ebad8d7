import { interactionPolicy } from 'oidc-provider';
import { ACR_MFA, MFA_REQUESTED, mfaRequested } from './acr.js';
import { CREDENTIALS_CHANGED } from './session-credentials.js';

// The provider's prompts. They are built from oidc-provider's classes, so they live apart from the
// constants and checks the interaction routes import: loading those must not load oidc-provider.

/**
 * OpenID Connect Prompt Create 1.0: `prompt=create` shows gatehouse's sign-up page first; the new account
 * is signed in, and the usual consent follows.
 */
/** The login prompt that re-checks the session's credential version, plus `prompt=create` (sign-up). */
export function withCreatePrompt(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicyWithCredentialCheck();
  addMfaRequestCheck(policy);
  const { Prompt, Check } = interactionPolicy;
  policy.add(new Prompt({ name: 'create', requestable: true }, new Check('create_requested', 'account creation was requested', () => Check.NO_NEED_TO_PROMPT)), 0);
  return policy;
}

/**
 * The interaction policy: the default prompts, with the login prompt also asked for when the session
 * names an account the lookup refused (its credential version moved).
 */
function interactionPolicyWithCredentialCheck(): ReturnType<typeof interactionPolicy.base> {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.add(
    new interactionPolicy.Check(CREDENTIALS_CHANGED, 'The credentials this session was signed in with have ended', 'login_required', (ctx) => {
      const { oidc } = ctx;
      return Boolean(oidc.session?.accountId) && !oidc.account;
    }),
  );
  return policy;
}

/**
 * Adds to the login prompt: a client that asks for MFA gets a login interaction whenever the browser
 * session was not signed in with a second factor. `acr_values` is voluntary in OIDC Core; gatehouse
 * treats a request for its MFA class as required, so the RP can rely on the `acr` it gets back.
 */
function addMfaRequestCheck(policy: interactionPolicy.DefaultPolicy): void {
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(MFA_REQUESTED, 'The client asked for a second factor the session did not give', 'login_required', (ctx) => {
      const { oidc } = ctx;
      return Boolean(oidc.session?.accountId) && mfaRequested(oidc.params as Record<string, unknown>) && oidc.session?.acr !== ACR_MFA;
    }),
  );
}
