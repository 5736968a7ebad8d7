import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { GatehouseError, isGatehouseError } from '../../core/index.js';
import type { User } from '../../identity/index.js';
import { CREDENTIALS_CHANGED, LOGIN_VERSION_RESULT } from '../provider/session-credentials.js';
import { ACR_MFA, MFA_REQUESTED, acrFor, mfaRequested } from '../provider/acr.js';
import { checkInteractionCsrf, field, interactionCsrf, readForm } from './form.js';
import { requestLang } from './locale.js';
import { renderConsentPage, renderErrorPage, renderLoginPage, renderSecondFactorPage, renderSignupPage } from './pages.js';

export interface InteractionDeps {
  getProvider(): Promise<Provider>;
  /** HMAC key of the forms' CSRF tokens. */
  csrfKey: Uint8Array;
  /** The public origin, for the Origin check of form posts. */
  origin: string;
  getUser(id: string): Promise<User | null>;
  /** Told of every grant consent saved, with the authorization request's parameters. */
  onGrant?(grantId: string, params: Record<string, unknown>): Promise<void>;
}

/** A password login's outcome: signed in (with its amr), or a second factor owed for the ticket. */
export type LoginStep = { kind: 'signed-in'; user: User; amr: string[] } | { kind: 'second-factor'; user: User; ticket: string };

/** Checks a password through identity (throttle, audit) for the interaction `uid`; throws a GatehouseError. */
export type PasswordCheck = (email: string, password: string, uid: string) => Promise<LoginStep>;

/** Exchanges the interaction's pending ticket and a code for the signed-in user; throws a GatehouseError. */
export type SecondFactorCheck = (ticket: string, code: string, uid: string) => Promise<{ user: User; amr: string[] }>;

/** Creates an account (identity's sign-up, with its password policy); throws a GatehouseError. */
export type SignUp = (input: { email: string; password: string; name: string | null }) => Promise<User>;

/** What a saved consent granted. */
export interface Granted {
  accountId: string;
  clientId: string;
  grantId: string;
  scopes: string[];
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionHandlers {
  /**
   * GET /oidc/interaction/:uid — the login or consent page, or straight on for a user signed in to
   * gatehouse (`amr`: the methods that web sign-in was proven with); a device's consent was given on
   * the device page, so it is saved here (and returned).
   */
  show(req: IncomingMessage, res: ServerResponse, signedInAs: { userId: string; amr: string[] } | null): Promise<Granted | null>;
  /** POST /oidc/interaction/:uid/login */
  login(req: IncomingMessage, res: ServerResponse, checkPassword: PasswordCheck): Promise<void>;
  /** POST /oidc/interaction/:uid/second-factor — the code after the password, when a factor is set up. */
  secondFactor(req: IncomingMessage, res: ServerResponse, check: SecondFactorCheck): Promise<void>;
  /** POST /oidc/interaction/:uid/create — prompt=create: a new account, signed in at once. */
  create(req: IncomingMessage, res: ServerResponse, signUp: SignUp): Promise<{ accountId: string } | null>;
  /** POST /oidc/interaction/:uid/confirm — the scopes left ticked become the grant; returns what was granted. */
  confirm(req: IncomingMessage, res: ServerResponse): Promise<Granted>;
  /** POST /oidc/interaction/:uid/abort — the user said no: access_denied goes back to the client. */
  abort(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

// Only these reasons may be satisfied by an existing gatehouse session; prompt=login, max_age and the
// like ask for the password again.
// A provider session that outlived its credential version is replaced by the live gatehouse session too.
// A client asking for MFA is satisfied by a web sign-in that had the second factor.
const SESSION_SATISFIES = new Set(['no_session', CREDENTIALS_CHANGED, MFA_REQUESTED]);

/** A login result that remembers the credential version the login was proven under, and how it was proven. */
const loginResult = (user: Pick<User, 'id' | 'credentialVersion'>, amr: string[]): InteractionResults => ({
  login: { accountId: user.id, amr, acr: acrFor(amr) },
  [LOGIN_VERSION_RESULT]: user.credentialVersion,
});

export function createInteractionHandlers(deps: InteractionDeps): InteractionHandlers {
  const details = async (req: IncomingMessage, res: ServerResponse) => {
    const provider = await deps.getProvider();
    try {
      return { provider, interaction: await provider.interactionDetails(req, res) };
    } catch (cause) {
      throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID', { cause });
    }
  };
  const clientName = async (provider: Provider, clientId: unknown): Promise<string> => {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    return client?.clientName ?? (typeof clientId === 'string' ? clientId : 'an application');
  };
  const finish = async (provider: Provider, req: IncomingMessage, res: ServerResponse, result: InteractionResults, merge = true) => {
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  };
  const postedForm = async (req: IncomingMessage, uid: string) => {
    const form = await readForm(req);
    checkInteractionCsrf(deps.csrfKey, uid, field(form, 'csrf'), header(req, 'origin'), deps.origin);
    return form;
  };
  const consentScopes = (prompt: { details: Record<string, unknown> }): string[] => {
    const scopes = new Set<string>((prompt.details.missingOIDCScope as string[] | undefined) ?? []);
    for (const list of Object.values((prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {})) {
      for (const scope of list) scopes.add(scope);
    }
    return [...scopes];
  };

  /** Saves the grant of the scopes the user left chosen (openid always) and resumes the provider. */
  const grantChosen = async (provider: Provider, req: IncomingMessage, res: ServerResponse, interaction: Interaction, chosen: ReadonlySet<string>): Promise<Granted> => {
    const { prompt, params, session } = interaction;
    if (!session) throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
    const oidcScopes = (prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const allow = oidcScopes.filter((s) => s === 'openid' || chosen.has(s));
    const reject = oidcScopes.filter((s) => !allow.includes(s));
    if (allow.length) grant.addOIDCScope(allow.join(' '));
    if (reject.length) grant.rejectOIDCScope(reject.join(' '));
    const claims = (prompt.details.missingOIDCClaims as string[] | undefined) ?? [];
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [indicator, scopes] of Object.entries((prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {})) {
      const yes = scopes.filter((s) => chosen.has(s));
      const no = scopes.filter((s) => !chosen.has(s));
      if (yes.length) grant.addResourceScope(indicator, yes.join(' '));
      if (no.length) grant.rejectResourceScope(indicator, no.join(' '));
    }
    const grantId = await grant.save();
    await deps.onGrant?.(grantId, params);
    await finish(provider, req, res, { consent: interaction.grantId ? {} : { grantId } });
    const granted = [...allow, ...Object.values((prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {}).flat().filter((s) => chosen.has(s))];
    return { accountId: session.accountId, clientId: String(params.client_id), grantId, scopes: [...new Set(granted)] };
  };

  return {
    async show(req, res, signedInAs) {
      const { provider, interaction } = await details(req, res);
      const { uid, prompt, params } = interaction;
      const csrf = interactionCsrf(deps.csrfKey, uid);
      const lang = requestLang(req, params.ui_locales);
      if (prompt.name === 'create') {
        sendHtml(res, 200, renderSignupPage({ uid, csrf, lang, clientName: await clientName(provider, params.client_id), email: loginHint(params) }));
        return null;
      }
      if (prompt.name === 'login') {
        const signedIn = signedInAs && prompt.reasons.every((r) => SESSION_SATISFIES.has(r)) ? await deps.getUser(signedInAs.userId) : null;
        const amr = signedInAs?.amr ?? [];
        if (signedIn && (!mfaRequested(params) || acrFor(amr) === ACR_MFA)) {
          await finish(provider, req, res, loginResult(signedIn, amr), false);
          return null;
        }
        sendHtml(res, 200, renderLoginPage({ uid, csrf, lang, clientName: await clientName(provider, params.client_id), email: loginHint(params) }));
        return null;
      }
      if (prompt.name === 'consent' && interaction.deviceCode) {
        // A device's request: the user already saw the client and these scopes on the device page and
        // pressed "allow" there (that press is what started this interaction), so it is the consent.
        return grantChosen(provider, req, res, interaction, new Set(consentScopes(prompt)));
      }
      if (prompt.name === 'consent') {
        const user = interaction.session ? await deps.getUser(interaction.session.accountId) : null;
        if (!user) throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
        sendHtml(
          res,
          200,
          renderConsentPage({ uid, csrf, lang, clientName: await clientName(provider, params.client_id), userEmail: user.email, scopes: consentScopes(prompt) }),
        );
        return null;
      }
      throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
    },

    async login(req, res, checkPassword) {
      const { provider, interaction } = await details(req, res);
      const form = await postedForm(req, interaction.uid);
      if (interaction.prompt.name !== 'login') throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
      const email = field(form, 'email');
      const lang = requestLang(req, interaction.params.ui_locales);
      const csrf = interactionCsrf(deps.csrfKey, interaction.uid);
      try {
        const step = await checkPassword(email, field(form, 'password'), interaction.uid);
        if (step.kind === 'second-factor') return sendHtml(res, 200, renderSecondFactorPage({ uid: interaction.uid, csrf, lang, ticket: step.ticket }));
        // The client asked for MFA and this account has no second factor: no login can satisfy it.
        if (mfaRequested(interaction.params)) throw new GatehouseError('GH_MFA_REQUIRED_BY_CLIENT');
        return await finish(provider, req, res, loginResult(step.user, step.amr), false);
      } catch (error) {
        if (!isGatehouseError(error) || error.statusCode >= 500) throw error;
        const html = renderLoginPage({ uid: interaction.uid, csrf, clientName: await clientName(provider, interaction.params.client_id), email, error: error.message, lang });
        return sendHtml(res, error.statusCode, html, error.headers);
      }
    },

    async secondFactor(req, res, check) {
      const { provider, interaction } = await details(req, res);
      const form = await postedForm(req, interaction.uid);
      if (interaction.prompt.name !== 'login') throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
      const ticket = field(form, 'ticket');
      const lang = requestLang(req, interaction.params.ui_locales);
      const csrf = interactionCsrf(deps.csrfKey, interaction.uid);
      try {
        const { user, amr } = await check(ticket, field(form, 'code'), interaction.uid);
        return await finish(provider, req, res, loginResult(user, amr), false);
      } catch (error) {
        if (!isGatehouseError(error) || error.statusCode >= 500) throw error;
        // A dead ticket means the password again; a wrong code, another try with the same ticket.
        const html =
          error.code === 'GH_MFA_TICKET_INVALID'
            ? renderLoginPage({ uid: interaction.uid, csrf, clientName: await clientName(provider, interaction.params.client_id), error: error.message, lang })
            : renderSecondFactorPage({ uid: interaction.uid, csrf, lang, ticket, error: error.message });
        return sendHtml(res, error.statusCode, html, error.headers);
      }
    },

    async create(req, res, signUp) {
      const { provider, interaction } = await details(req, res);
      const form = await postedForm(req, interaction.uid);
      if (interaction.prompt.name !== 'create') throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
      const email = field(form, 'email');
      const name = field(form, 'name').trim() || null;
      try {
        const user = await signUp({ email, password: field(form, 'password'), name });
        // The new account's login records its credential version, as a password login does: the
        // provider session it starts is then checked like any other.
        await finish(provider, req, res, { create: { accountId: user.id }, ...loginResult(user, ['pwd']) }, false);
        return { accountId: user.id };
      } catch (error) {
        if (!isGatehouseError(error) || error.statusCode >= 500) throw error;
        const html = renderSignupPage({
          uid: interaction.uid,
          csrf: interactionCsrf(deps.csrfKey, interaction.uid),
          clientName: await clientName(provider, interaction.params.client_id),
          email,
          ...(name ? { name } : {}),
          error: error.message,
          lang: requestLang(req, interaction.params.ui_locales),
        });
        sendHtml(res, error.statusCode, html, error.headers);
        return null;
      }
    },

    async confirm(req, res) {
      const { provider, interaction } = await details(req, res);
      const form = await postedForm(req, interaction.uid);
      if (interaction.prompt.name !== 'consent' || !interaction.session) throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
      return grantChosen(provider, req, res, interaction, new Set(form.scope ?? []));
    },

    async abort(req, res) {
      const { provider, interaction } = await details(req, res);
      await postedForm(req, interaction.uid);
      return finish(provider, req, res, { error: 'access_denied', error_description: 'The user did not allow the request.' }, false);
    },
  };
}

/** OIDC Core §3.1.2.1 login_hint, used only when it is an email address (what our form asks for). */
function loginHint(params: Record<string, unknown>): string | undefined {
  const hint = params.login_hint;
  return typeof hint === 'string' && hint.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(hint) ? hint : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes a server-rendered page; the pages hold no script and are never cached or framed. */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(html);
}

/** An interaction that failed before any page could be shown: a plain page, the error's status. */
export function sendInteractionError(res: ServerResponse, error: unknown): void {
  const known = isGatehouseError(error) ? error : new GatehouseError('GH_OAUTH_INTERACTION_INVALID');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendHtml(res, known.statusCode, renderErrorPage(known.code, known.message));
}
