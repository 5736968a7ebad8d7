import { escapeHtml } from '../../core/index.js';
import { page } from './html.js';
import type { PageLang } from './locale.js';
import { pageText, scopeDescription, type PageText } from './text.js';

export interface LoginPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string | undefined;
  error?: string;
  lang?: PageLang;
}

const errorLine = (error: string | undefined): string => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '');

/** Leaves the interaction (the client gets access_denied). */
const cancelForm = (base: string, csrf: string, label: string): string => `<form method="post" action="${base}/abort">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button class="secondary" type="submit">${label}</button>
</form>`;

/** What every step of a login interaction is drawn for. */
interface StepInput {
  uid: string;
  csrf: string;
  error?: string | undefined;
  lang?: PageLang | undefined;
}

/** One step's own parts: its title, the heading above the form, the form's fields and its submit button. */
interface StepParts {
  title: string;
  heading: string;
  action: 'login' | 'second-factor' | 'create';
  autocomplete: 'on' | 'off';
  fields: string;
  submit: string;
}

/**
 * The frame every login step shares: the heading, the error if any, one form that posts to the
 * interaction with its CSRF token, and the form that leaves the interaction.
 */
function stepPage(input: StepInput, parts: (t: PageText) => StepParts): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const t = pageText(input.lang ?? 'en');
  const step = parts(t);
  return page(
    step.title,
    `${step.heading}
${errorLine(input.error)}
<form method="post" action="${base}/${step.action}" autocomplete="${step.autocomplete}">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
${step.fields}
<button class="primary" type="submit">${step.submit}</button>
</form>
${cancelForm(base, input.csrf, t.cancel)}`,
    input.lang,
  );
}

/** The login interaction: gatehouse's own login, inputs named `email` and `password`. */
export function renderLoginPage(input: LoginPageInput): string {
  return stepPage(input, (t) => ({
    title: t.signIn,
    heading: `<h1>${escapeHtml(t.signInTo(input.clientName))}</h1>`,
    action: 'login',
    autocomplete: 'on',
    fields: `<label for="email">${t.email}</label>
<input id="email" type="email" name="email" required${input.email ? '' : ' autofocus'} value="${escapeHtml(input.email ?? '')}">
<label for="password">${t.password}</label>
<input id="password" type="password" name="password" required${input.email ? ' autofocus' : ''} autocomplete="current-password">`,
    submit: t.signIn,
  }));
}

/**
 * The login's second step: a code from the authenticator app or a recovery code. The ticket names the
 * pending login (tied to this interaction); it is not a credential.
 */
export function renderSecondFactorPage(input: StepInput & { ticket: string }): string {
  return stepPage(input, (t) => ({
    title: t.secondFactor,
    heading: `<h1>${t.secondFactor}</h1>
<p class="muted">${t.secondFactorExplain}</p>`,
    action: 'second-factor',
    autocomplete: 'off',
    fields: `<input type="hidden" name="ticket" value="${escapeHtml(input.ticket)}">
<label for="code">${t.code}</label>
<input id="code" type="text" name="code" required autofocus inputmode="text" autocomplete="one-time-code" maxlength="64">`,
    submit: t.verify,
  }));
}

/** prompt=create (OpenID Connect Prompt Create 1.0): a new account, then straight on to the client. */
export function renderSignupPage(input: LoginPageInput & { name?: string }): string {
  return stepPage(input, (t) => ({
    title: t.createAccount,
    heading: `<h1>${escapeHtml(t.createFor(input.clientName))}</h1>`,
    action: 'create',
    autocomplete: 'on',
    fields: `<label for="name">${t.name}</label>
<input id="name" type="text" name="name" autocomplete="name" value="${escapeHtml(input.name ?? '')}">
<label for="email">${t.email}</label>
<input id="email" type="email" name="email" required autofocus value="${escapeHtml(input.email ?? '')}">
<label for="password">${t.password}</label>
<input id="password" type="password" name="password" required autocomplete="new-password">`,
    submit: t.createAccount,
  }));
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
