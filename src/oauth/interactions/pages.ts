import { escapeHtml, page } from './html.js';
import type { PageLang } from './locale.js';
import { pageText, scopeDescription } from './text.js';

export interface LoginPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
  lang?: PageLang;
}

const errorLine = (error: string | undefined): string => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '');

/** Leaves the interaction (the client gets access_denied). */
const cancelForm = (base: string, csrf: string, label: string): string => `<form method="post" action="${base}/abort">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button class="secondary" type="submit">${label}</button>
</form>`;

/** The login interaction: gatehouse's own login, inputs named `email` and `password`. */
export function renderLoginPage(input: LoginPageInput): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const t = pageText(input.lang ?? 'en');
  return page(
    t.signIn,
    `<h1>${escapeHtml(t.signInTo(input.clientName))}</h1>
${errorLine(input.error)}
<form method="post" action="${base}/login" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<label for="email">${t.email}</label>
<input id="email" type="email" name="email" required${input.email ? '' : ' autofocus'} value="${escapeHtml(input.email ?? '')}">
<label for="password">${t.password}</label>
<input id="password" type="password" name="password" required${input.email ? ' autofocus' : ''} autocomplete="current-password">
<button class="primary" type="submit">${t.signIn}</button>
</form>
${cancelForm(base, input.csrf, t.cancel)}`,
    input.lang,
  );
}

/**
 * The login's second step: a code from the authenticator app or a recovery code. The ticket names the
 * pending login (tied to this interaction); it is not a credential.
 */
export function renderSecondFactorPage(input: { uid: string; csrf: string; ticket: string; error?: string; lang?: PageLang }): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const t = pageText(input.lang ?? 'en');
  return page(
    t.secondFactor,
    `<h1>${t.secondFactor}</h1>
<p class="muted">${t.secondFactorExplain}</p>
${errorLine(input.error)}
<form method="post" action="${base}/second-factor" autocomplete="off">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="ticket" value="${escapeHtml(input.ticket)}">
<label for="code">${t.code}</label>
<input id="code" type="text" name="code" required autofocus inputmode="text" autocomplete="one-time-code" maxlength="64">
<button class="primary" type="submit">${t.verify}</button>
</form>
${cancelForm(base, input.csrf, t.cancel)}`,
    input.lang,
  );
}

/** prompt=create (OpenID Connect Prompt Create 1.0): a new account, then straight on to the client. */
export function renderSignupPage(input: LoginPageInput & { name?: string }): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const t = pageText(input.lang ?? 'en');
  return page(
    t.createAccount,
    `<h1>${escapeHtml(t.createFor(input.clientName))}</h1>
${errorLine(input.error)}
<form method="post" action="${base}/create" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<label for="name">${t.name}</label>
<input id="name" type="text" name="name" autocomplete="name" value="${escapeHtml(input.name ?? '')}">
<label for="email">${t.email}</label>
<input id="email" type="email" name="email" required autofocus value="${escapeHtml(input.email ?? '')}">
<label for="password">${t.password}</label>
<input id="password" type="password" name="password" required autocomplete="new-password">
<button class="primary" type="submit">${t.createAccount}</button>
</form>
${cancelForm(base, input.csrf, t.cancel)}`,
    input.lang,
  );
}

export interface ConsentPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  userEmail: string;
  /** Every requested scope the user has not decided on yet. */
  scopes: string[];
  lang?: PageLang;
}

/**
 * The consent interaction: one checkbox per requested scope, ticked by default, so the user hands over
 * only what they choose (the study note's "넘겨줄 정보만 선별적으로"). `openid` is what signing in is,
 * so it is shown but cannot be unticked.
 */
export function renderConsentPage(input: ConsentPageInput): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const lang = input.lang ?? 'en';
  const t = pageText(lang);
  const items = input.scopes
    .map((scope) => {
      const id = `scope-${scope.replace(/[^a-z0-9]/gi, '-')}`;
      const fixed = scope === 'openid';
      return `<li><input type="checkbox" id="${id}" name="scope" value="${escapeHtml(scope)}" checked${fixed ? ' disabled' : ''}>
<label for="${id}" style="display:inline"><strong>${escapeHtml(scope)}</strong> — ${escapeHtml(scopeDescription(scope, lang))}</label>${
        fixed ? '<input type="hidden" name="scope" value="openid">' : ''
      }</li>`;
    })
    .join('\n');
  return page(
    t.authorize,
    `<h1>${escapeHtml(t.wantsAccess(input.clientName))}</h1>
<p class="muted">${escapeHtml(t.signedInAs(input.userEmail))}</p>
<form method="post" action="${base}/confirm">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<ul class="scopes">
${items}
</ul>
<button class="primary" type="submit">${t.allow}</button>
<button class="secondary" type="submit" formaction="${base}/abort">${t.deny}</button>
</form>`,
    lang,
  );
}

export function renderErrorPage(error: unknown, description: unknown, lang: PageLang = 'en'): string {
  const t = pageText(lang);
  return page(t.error, `<h1>${t.somethingWrong}</h1><p class="error">${escapeHtml(error)}</p><p>${escapeHtml(description ?? '')}</p>`, lang);
}

/**
 * oidc-provider's RP-initiated logout confirmation; `form` is its own form (with its CSRF token). "Yes"
 * ends the provider session and the user's gatehouse web session (every application is told, back-channel
 * logout included); "No" only leaves the application that asked.
 */
export function renderLogoutPage(form: string, lang: PageLang = 'en'): string {
  const t = pageText(lang);
  return page(
    t.signOut,
    `<h1>${t.signOutQuestion}</h1><p class="muted">${t.signOutExplain}</p>${form}
<button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout">${t.signOutYes}</button>
<button class="secondary" type="submit" form="op.logoutForm">${t.signOutNo}</button>`,
    lang,
  );
}

export function renderLogoutSuccessPage(clientName: string | null, lang: PageLang = 'en'): string {
  const t = pageText(lang);
  return page(t.signedOut, `<h1>${t.signedOut}</h1><p>${escapeHtml(t.signedOutOf(clientName))}</p>`, lang);
}
