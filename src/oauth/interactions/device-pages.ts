import { escapeHtml, page } from './html.js';
import type { PageLang } from './locale.js';
import { pageText } from './text.js';

/** RFC 8628 §3.3: the user types the code their device shows; `form` is oidc-provider's (with its CSRF token). */
export function renderDeviceInputPage(form: string, problem: 'wrong-code' | 'aborted' | null, lang: PageLang): string {
  const t = pageText(lang);
  const message = problem === 'wrong-code' ? `<p class="error" role="alert">${t.deviceWrong}</p>` : problem === 'aborted' ? `<p class="error" role="alert">${t.deviceAborted}</p>` : `<p>${t.deviceEnter}</p>`;
  return page(
    t.deviceTitle,
    `<h1>${t.deviceTitle}</h1>${message}
<label for="user_code">${t.deviceCode}</label>
${form.replace('name="user_code"', 'id="user_code" name="user_code"')}
<button class="primary" type="submit" form="op.deviceInputForm">${t.deviceContinue}</button>`,
    lang,
  );
}

/** The user checks that the code matches the device before any sign-in continues (RFC 8628 §5.4). */
export function renderDeviceConfirmPage(form: string, clientName: string, userCode: string, lang: PageLang): string {
  const t = pageText(lang);
  return page(
    t.deviceTitle,
    `<h1>${escapeHtml(t.deviceConfirm(clientName))}</h1>
<p class="muted">${t.deviceCheck}</p>
<p style="font-size:1.8em;text-align:center;letter-spacing:.1em"><code id="user-code">${escapeHtml(userCode)}</code></p>
${form}
<button class="primary" type="submit" form="op.deviceConfirmForm">${t.deviceContinue}</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" value="yes" name="abort">${t.deviceAbort}</button>`,
    lang,
  );
}

export function renderDeviceSuccessPage(clientName: string | null, lang: PageLang): string {
  const t = pageText(lang);
  return page(t.deviceDone, `<h1>${t.deviceDone}</h1><p>${escapeHtml(t.deviceDoneText(clientName))}</p>`, lang);
}
