import { useI18n } from '../i18n/i18n.js';
import { DOC_PAGES } from '../lib/docs.js';

export function DocsPage() {
  const { t, lang } = useI18n();
  return (
    <section>
      <h1>{t('docs.title')}</h1>
      <p class="lead">{t('docs.lead')}</p>
      <ul class="cards" data-testid="docs-links">
        {DOC_PAGES.map((page) => (
          <li key={page.name} class="card">
            <h2>
              {/* Served by the node, outside this app: a full page load. */}
              <a href={page.name === 'api' ? page.href : `${page.href}?lang=${lang}`} data-external>
                {t(page.title)}
              </a>
            </h2>
          </li>
        ))}
      </ul>
    </section>
  );
}
