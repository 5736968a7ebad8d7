import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { auth, login } from '../state/auth.js';
import { useStore } from '../state/store.js';

// RFC 8628's verification page. The steps run through the authorization server's own endpoint
// (/oidc/device: its session cookie, its form secret, its code lookup): asked for JSON, it says what to
// draw; the approval and the refusal are real form posts to it, so the provider's interactions (sign-in,
// the grant) follow, and it sends the browser back here with the outcome.

const ENDPOINT = '/oidc/device';

type Problem = 'not-found' | 'expired' | 'used' | 'aborted' | 'no-code' | 'invalid';

type Step =
  | { step: 'input'; xsrf: string; problem?: Problem }
  | { step: 'confirm'; xsrf: string; userCode: string; client: { id: string; name: string | null }; scopes: string[] };

async function deviceStep(fields?: Record<string, string>): Promise<Step> {
  const init: RequestInit = { credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (fields) {
    init.method = 'POST';
    init.headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    init.body = new URLSearchParams(fields).toString();
  }
  const response = await fetch(ENDPOINT, init);
  const body = (await response.json().catch(() => null)) as Step | null;
  return body && typeof body.xsrf === 'string' ? body : { step: 'input', xsrf: '', problem: 'invalid' };
}

const PROBLEM_TEXT: Record<Exclude<Problem, 'aborted'>, MsgKey> = {
  'not-found': 'device.problem.not-found',
  expired: 'device.problem.expired',
  used: 'device.problem.used',
  'no-code': 'device.problem.no-code',
  invalid: 'device.problem.invalid',
};

const SCOPE_TEXT: Record<string, MsgKey> = {
  openid: 'device.scope.openid',
  profile: 'device.scope.profile',
  email: 'device.scope.email',
  offline_access: 'device.scope.offline_access',
  'profile:read': 'device.scope.profile:read',
  'messages:read': 'device.scope.messages:read',
  'messages:write': 'device.scope.messages:write',
};

/** Where the provider sent the browser back to, read once from the address bar. */
function arrival(): { result: string | null; problem: Problem | null; userCode: string } {
  const query = new URLSearchParams(location.search);
  const problem = query.get('problem');
  return {
    result: query.get('result'),
    problem: problem && problem in PROBLEM_TEXT ? (problem as Problem) : null,
    userCode: (query.get('user_code') ?? '').slice(0, 64),
  };
}

export function DevicePage() {
  const { t } = useI18n();
  const [start] = useState(arrival);
  const [step, setStep] = useState<Step | null>(null);
  const [busy, setBusy] = useState(false);

  async function lookUp(userCode: string) {
    setBusy(true);
    try {
      // A fresh form secret each time: the provider replaces it after a refused code or a finished flow.
      const form = await deviceStep();
      setStep(form.step === 'input' && form.problem ? form : await deviceStep({ xsrf: form.xsrf, user_code: userCode }));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (start.result) return;
    // verification_uri_complete: the code came in the link; the user still checks it against the device.
    if (start.userCode) void lookUp(start.userCode);
    else setStep({ step: 'input', xsrf: '', ...(start.problem ? { problem: start.problem } : {}) });
  }, []);

  if (start.result === 'approved' || start.result === 'denied') {
    const approved = start.result === 'approved';
    return (
      <section class="narrow" data-testid="device-result" data-result={start.result}>
        <h1>{t(approved ? 'device.approved.title' : 'device.denied.title')}</h1>
        <Notice kind={approved ? 'ok' : 'info'}>{t(approved ? 'device.approved.text' : 'device.denied.text')}</Notice>
        <p>
          <a href="/device" data-external>
            {t('device.again')}
          </a>
        </p>
      </section>
    );
  }

  if (step?.step === 'confirm') return <ConfirmStep step={step} />;

  const problem = step?.step === 'input' && step.problem && step.problem !== 'aborted' ? step.problem : null;
  return (
    <section class="narrow">
      <h1>{t('device.title')}</h1>
      <p>{t('device.lead')}</p>
      {problem && <Notice kind="error">{t(PROBLEM_TEXT[problem])}</Notice>}
      <form
        class="stack"
        data-testid="device-input"
        onSubmit={(event) => {
          event.preventDefault();
          void lookUp(String(new FormData(event.currentTarget).get('user_code') ?? '').trim());
        }}
      >
        <label>
          {t('device.code')}
          <input name="user_code" id="user_code" required autoComplete="off" autoCapitalize="characters" spellcheck={false} maxLength={64} value={start.userCode} class="mono" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t('device.checking') : t('device.continue')}
        </button>
      </form>
    </section>
  );
}

function ConfirmStep({ step }: { step: Extract<Step, { step: 'confirm' }> }) {
  const { t } = useI18n();
  const { ready, me } = useStore(auth);
  const [error, setError] = useState<string | null>(null);
  const client = step.client.name ?? step.client.id;
  // The provider recognises the web app's cookie sign-ins; a JWT held by this tab never reaches it.
  const signedIn = me && me.credential.kind !== 'jwt';

  async function signIn(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError(null);
    const result = await login('session', { email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') });
    if (!result.ok) setError(result.error?.message ?? '');
  }

  return (
    <section class="narrow" data-testid="device-confirm">
      <h1>{t('device.confirm.title', { client })}</h1>
      <p class="muted">{t('device.confirm.check')}</p>
      <p class="device-code">
        <code id="user-code">{step.userCode}</code>
      </p>
      <p>{t('device.confirm.scopes', { client })}</p>
      <ul data-testid="device-scopes">
        {step.scopes.map((scope) => (
          <li key={scope} data-scope={scope}>
            {SCOPE_TEXT[scope] ? t(SCOPE_TEXT[scope]) : scope} <code class="muted">{scope}</code>
          </li>
        ))}
      </ul>
      {ready && !signedIn && (
        <form class="stack" data-testid="device-sign-in" onSubmit={(e) => void signIn(e)}>
          <p>{t('device.confirm.signIn')}</p>
          {error && <Notice kind="error">{error}</Notice>}
          <label>
            {t('auth.email')}
            <input name="email" type="email" required autoComplete="email" maxLength={254} />
          </label>
          <label>
            {t('auth.password')}
            <input name="password" type="password" required autoComplete="current-password" maxLength={1024} />
          </label>
          <button type="submit">{t('device.signIn')}</button>
        </form>
      )}
      {signedIn && <p class="muted">{t('device.confirm.as', { email: me.user.email })}</p>}
      <div class="confirm">
        {/* Real form posts: the provider answers with its interactions, then back to this page. */}
        <form method="post" action={ENDPOINT}>
          <input type="hidden" name="xsrf" value={step.xsrf} />
          <input type="hidden" name="user_code" value={step.userCode} />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class="primary" disabled={!signedIn}>
            {t('device.approve')}
          </button>
        </form>
        <form method="post" action={ENDPOINT}>
          <input type="hidden" name="xsrf" value={step.xsrf} />
          <input type="hidden" name="user_code" value={step.userCode} />
          <input type="hidden" name="abort" value="yes" />
          <button type="submit" class="danger">
            {t('device.deny')}
          </button>
        </form>
      </div>
    </section>
  );
}
