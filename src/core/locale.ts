/** The languages gatehouse speaks: every page, mail and message exists in each. */
export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * The web app's language choice, a plain cookie scripts may read. Named here, not only in cookies/,
 * because the provider's pages (oauth/) honour it too and may not import cookies/.
 */
export const LANG_COOKIE = 'gh.lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The first of our languages with the highest weight in Accept-Language (RFC 9110 §12.5.4), or null. */
function fromAcceptLanguage(header: string | undefined): Lang | null {
  if (!header || header.length > 1024) return null;
  let best: Lang | null = null;
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag?.trim().toLowerCase().split('-')[0];
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    // Equal weights keep the header's order: the first listed wins.
    if (Number.isFinite(q) && q > bestQ && isLang(primary)) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

/** The first tag of an OIDC `ui_locales` value (space-separated, OIDC Core §3.1.2.1) that we speak, or null. */
function fromUiLocales(uiLocales: unknown): Lang | null {
  if (typeof uiLocales !== 'string') return null;
  for (const tag of uiLocales.split(' ')) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
  }
  return null;
}

/**
 * The language of a page for one request: a client's `ui_locales` when it names one we speak (only the
 * provider's pages have one), else the user's own choice (the gh.lang cookie's value), else
 * Accept-Language, else English.
 */
export function preferredLang(acceptLanguage: string | string[] | undefined, cookieLang: string | undefined, uiLocales?: unknown): Lang {
  const accept = Array.isArray(acceptLanguage) ? acceptLanguage[0] : acceptLanguage;
  return fromUiLocales(uiLocales) ?? (isLang(cookieLang) ? cookieLang : null) ?? fromAcceptLanguage(accept) ?? 'en';
}
