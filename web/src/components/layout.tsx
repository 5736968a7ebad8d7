import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { route } from '../router.js';
import { auth, logout } from '../state/auth.js';
import { prefs, savePrefs, type Theme } from '../state/prefs.js';
import { useStore } from '../state/store.js';

const NAV: { path: string; key: MsgKey; signedIn?: boolean; signedOut?: boolean; admin?: boolean }[] = [
  { path: '/', key: 'nav.home' },
  { path: '/login', key: 'nav.login', signedOut: true },
  { path: '/signup', key: 'nav.signup', signedOut: true },
  { path: '/account', key: 'nav.account', signedIn: true },
  { path: '/chat', key: 'nav.chat' },
  { path: '/dashboard', key: 'nav.dashboard' },
  { path: '/explain', key: 'nav.explain' },
  { path: '/learn', key: 'nav.docs' },
  { path: '/admin', key: 'nav.admin', admin: true },
];

export function Layout({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  const path = useStore(route);
  const state = useStore(auth);
  const current = useStore(prefs);
  const signedIn = Boolean(state.me);
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <div class="top-row">
          <a class="brand" href="/">
            <img src="/favicon.svg" alt="" width="24" height="24" /> gatehouse
          </a>
          <div class="who" data-testid="who">
            {state.me ? (
              <>
                <span>{t('user.signedInAs', { name: state.me.user.name ?? state.me.user.email, mode: state.me.credential.kind })}</span>
                <button type="button" class="link-button" onClick={() => void logout()} data-testid="logout">
                  {t('user.logout')}
                </button>
              </>
            ) : (
              <span>{state.ready ? t('user.anonymous') : t('common.loading')}</span>
            )}
          </div>
        </div>
        <nav aria-label={t('nav.main')}>
          <ul class="nav">
            {NAV.filter((item) => !(item.signedIn && !signedIn) && !(item.signedOut && signedIn) && !(item.admin && !state.me?.user.roles.includes('admin'))).map((item) => (
              <li key={item.path}>
                <a href={item.path} aria-current={path === item.path ? 'page' : undefined}>
                  {t(item.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="prefs">
          <label>
            {t('pref.language')}{' '}
            <select value={current.lang} onChange={(e) => void savePrefs({ lang: (e.currentTarget.value === 'ko' ? 'ko' : 'en') })} data-testid="lang">
              <option value="en">English</option>
              <option value="ko">한국어</option>
            </select>
          </label>
          <label>
            {t('pref.theme')}{' '}
            <select value={current.theme} onChange={(e) => void savePrefs({ theme: e.currentTarget.value as Theme })}>
              <option value="system">{t('pref.theme.system')}</option>
              <option value="light">{t('pref.theme.light')}</option>
              <option value="dark">{t('pref.theme.dark')}</option>
            </select>
          </label>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="foot">
        <p>{t('pref.note')}</p>
      </footer>
    </>
  );
}
