import { escapeHtml, page } from './html.js';
import { SCOPE_DESCRIPTIONS } from '../provider/scopes.js';

export interface LoginPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
}

/** The login interaction: gatehouse's own login, inputs named `email` and `password`. */
export function renderLoginPage(input: LoginPageInput): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${escapeHtml(input.clientName)}</h1>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${base}/login" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<label for="email">Email</label>
<input id="email" type="email" name="email" required autofocus value="${escapeHtml(input.email ?? '')}">
<label for="password">Password</label>
<input id="password" type="password" name="password" required autocomplete="current-password">
<button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="${base}/abort">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<button class="secondary" type="submit">Cancel</button>
</form>`,
  );
}

export interface ConsentPageInput {
  uid: string;
  csrf: string;
  clientName: string;
  userEmail: string;
  /** Every requested scope the user has not decided on yet. */
  scopes: string[];
}

/**
 * The consent interaction: one checkbox per requested scope, ticked by default, so the user hands over
 * only what they choose (the study note's "넘겨줄 정보만 선별적으로"). `openid` is what signing in is,
 * so it is shown but cannot be unticked.
 */
export function renderConsentPage(input: ConsentPageInput): string {
  const base = `/oidc/interaction/${encodeURIComponent(input.uid)}`;
  const items = input.scopes
    .map((scope) => {
      const id = `scope-${scope.replace(/[^a-z0-9]/gi, '-')}`;
      const fixed = scope === 'openid';
      return `<li><input type="checkbox" id="${id}" name="scope" value="${escapeHtml(scope)}" checked${fixed ? ' disabled' : ''}>
<label for="${id}" style="display:inline"><strong>${escapeHtml(scope)}</strong> — ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</label>${
        fixed ? '<input type="hidden" name="scope" value="openid">' : ''
      }</li>`;
    })
    .join('\n');
  return page(
    'Authorize',
    `<h1>${escapeHtml(input.clientName)} wants to access your gatehouse account</h1>
<p class="muted">Signed in as ${escapeHtml(input.userEmail)}. Untick anything you do not want to share.</p>
<form method="post" action="${base}/confirm">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<ul class="scopes">
${items}
</ul>
<button class="primary" type="submit">Allow</button>
<button class="secondary" type="submit" formaction="${base}/abort">Deny</button>
</form>`,
  );
}

export function renderErrorPage(error: unknown, description: unknown): string {
  return page('Error', `<h1>Something went wrong</h1><p class="error">${escapeHtml(error)}</p><p>${escapeHtml(description ?? '')}</p>`);
}

/** oidc-provider's RP-initiated logout confirmation; `form` is its own form (with its CSRF token). */
export function renderLogoutPage(form: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of gatehouse?</h1>${form}
<button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

export function renderLogoutSuccessPage(clientName: string | null): string {
  return page('Signed out', `<h1>Signed out</h1><p>You have signed out${clientName ? ` of ${escapeHtml(clientName)}` : ''}.</p>`);
}
