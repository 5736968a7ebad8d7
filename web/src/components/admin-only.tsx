import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';
import { auth } from '../state/auth.js';
import { useStore } from '../state/store.js';
import { Notice } from './notice.js';

/**
 * The gate of every admin page: a loading line until we know who is signed in, a refusal for anyone
 * without the admin role. Only a courtesy: the server checks the role on every call.
 */
export function AdminOnly({ title, refusal, children }: { title: MsgKey; refusal: MsgKey; children: ComponentChildren }) {
  const { t } = useI18n();
  const { me, ready } = useStore(auth);
  if (!ready) return <p>{t('common.loading')}</p>;
  if (!me?.user.roles.includes('admin')) {
    return (
      <section>
        <h1>{t(title)}</h1>
        <Notice kind="error">{t(refusal)}</Notice>
      </section>
    );
  }
  return <>{children}</>;
}
