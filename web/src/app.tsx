import { useEffect, useMemo } from 'preact/hooks';
import { Layout } from './components/layout.js';
import { setErrorText } from './api/client.js';
import { describeError } from './i18n/error-text.js';
import { I18n, hasMessage, translator, useI18n } from './i18n/i18n.js';
import { AccountPage } from './pages/account.js';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/account-mail.js';
import { AdminPage } from './pages/admin.js';
import { AuthPage } from './pages/auth.js';
import { ChatPage } from './pages/chat.js';
import { DashboardPage } from './pages/dashboard.js';
import { DocsPage } from './pages/docs.js';
import { ExplainPage } from './pages/explain.js';
import { AdminProvidersPage } from './federation/admin-providers-page.js';
import { FederationProblemPage } from './federation/problem-page.js';
import { HomePage } from './pages/home.js';
import { DevicePage } from './oauth/device-page.js';
import { onLinkClick, route } from './router.js';
import { loadMe } from './state/auth.js';
import { loadPrefs, prefs } from './state/prefs.js';
import { useStore } from './state/store.js';

// Every API error the pages show reads in the current language, whatever page shows it.
setErrorText((error) => describeError(error, translator(prefs.get().lang), hasMessage));

function Page({ path }: { path: string }) {
  switch (path) {
    case '/':
      return <HomePage />;
    case '/login':
      return <AuthPage kind="login" key="login" />;
    case '/signup':
      return <AuthPage kind="signup" key="signup" />;
    case '/account':
      return <AccountPage />;
    case '/chat':
      return <ChatPage />;
    case '/dashboard':
      return <DashboardPage />;
    case '/explain':
      return <ExplainPage />;
    case '/learn':
      return <DocsPage />;
    case '/federation/problem':
      return <FederationProblemPage />;
    case '/admin/providers':
      return <AdminProvidersPage />;
    case '/admin':
      return <AdminPage />;
    case '/verify-email':
      return <VerifyEmailPage />;
    case '/forgot-password':
      return <ForgotPasswordPage />;
    case '/reset-password':
      return <ResetPasswordPage />;
    case '/device':
      return <DevicePage />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <p>
        <a href="/">{t('notFound.back')}</a>
      </p>
    </section>
  );
}

export function App() {
  const { lang } = useStore(prefs);
  const path = useStore(route);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  useEffect(() => {
    void loadPrefs();
    void loadMe({ tryRefresh: true });
    document.addEventListener('click', onLinkClick);
    return () => document.removeEventListener('click', onLinkClick);
  }, []);
  useEffect(() => {
    document.title = `gatehouse — ${i18n.t(TITLES[path] ?? 'nav.home')}`;
  }, [path, i18n]);
  return (
    <I18n.Provider value={i18n}>
      <Layout>
        <Page path={path} />
      </Layout>
    </I18n.Provider>
  );
}

const TITLES: Record<string, Parameters<ReturnType<typeof translator>>[0]> = {
  '/': 'nav.home',
  '/login': 'nav.login',
  '/signup': 'nav.signup',
  '/account': 'nav.account',
  '/chat': 'nav.chat',
  '/dashboard': 'nav.dashboard',
  '/explain': 'nav.explain',
  '/learn': 'nav.docs',
  '/federation/problem': 'nav.login',
  '/admin/providers': 'admin.providers.title',
  '/admin': 'nav.admin',
  '/verify-email': 'nav.verify',
  '/forgot-password': 'nav.forgot',
  '/reset-password': 'nav.reset',
  '/device': 'nav.device',
};
