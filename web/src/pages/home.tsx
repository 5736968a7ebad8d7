import { useI18n } from '../i18n/i18n.js';
import type { MsgKey } from '../i18n/messages.js';

const CARDS: { href: string; title: MsgKey; text: MsgKey }[] = [
  { href: '/login', title: 'nav.login', text: 'home.cards.login' },
  { href: '/chat', title: 'nav.chat', text: 'home.cards.chat' },
  { href: '/dashboard', title: 'nav.dashboard', text: 'home.cards.dashboard' },
  { href: '/explain', title: 'nav.explain', text: 'home.cards.explain' },
  { href: '/learn', title: 'nav.docs', text: 'home.cards.docs' },
];

export function HomePage() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('home.title')}</h1>
      <p class="lead">{t('home.lead')}</p>
      <p>{t('app.tagline')}</p>
      <ul class="cards">
        {CARDS.map((card) => (
          <li key={card.href} class="card">
            <h2>
              <a href={card.href}>{t(card.title)}</a>
            </h2>
            <p>{t(card.text)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
