import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';

export type PageLang = 'en' | 'ko';

/**
 * The language of a provider page: the client's `ui_locales` (OIDC Core §3.1.2.1) when it names one we
 * speak, else the user's own choice in the web app (the gh.lang cookie), else Accept-Language, else English.
 */
export function resolveLang(input: { uiLocales?: unknown; cookieHeader?: string | undefined; acceptLanguage?: string | undefined }): PageLang {
  if (typeof input.uiLocales === 'string') {
    for (const tag of input.uiLocales.split(' ')) {
      const primary = tag.toLowerCase().split('-')[0];
      if (primary === 'ko' || primary === 'en') return primary;
    }
  }
  const chosen = parseCookies(input.cookieHeader)[LANG_COOKIE];
  if (chosen === 'ko' || chosen === 'en') return chosen;
  return fromAcceptLanguage(input.acceptLanguage) ?? 'en';
}

// The web app's language choice (src/cookies names it; readable by scripts, not a secret).
const LANG_COOKIE = 'gh.lang';

/** The first of our languages with the highest weight in Accept-Language (RFC 9110 §12.5.4). */
function fromAcceptLanguage(header: string | undefined): PageLang | null {
  if (!header || header.length > 1024) return null;
  let best: PageLang | null = null;
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag?.trim().toLowerCase().split('-')[0];
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    if ((primary === 'en' || primary === 'ko') && Number.isFinite(q) && q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

export function pageLang(ctx: KoaContextWithOIDC): PageLang {
  return resolveLang({ uiLocales: ctx.oidc?.params?.ui_locales, cookieHeader: ctx.get('cookie'), acceptLanguage: ctx.get('accept-language') });
}

export function requestLang(req: IncomingMessage, uiLocales?: unknown): PageLang {
  const accept = req.headers['accept-language'];
  return resolveLang({ uiLocales, cookieHeader: req.headers.cookie, acceptLanguage: Array.isArray(accept) ? accept[0] : accept });
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
