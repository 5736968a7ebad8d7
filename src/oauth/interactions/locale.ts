import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { LANG_COOKIE, parseCookieHeader, preferredLang } from '../../core/index.js';
import type { Lang } from '../../core/index.js';

export type PageLang = Lang;

/**
 * The language of a provider page: the client's `ui_locales` (OIDC Core §3.1.2.1), else the user's own
 * choice in the web app (the gh.lang cookie), else Accept-Language, else English — core's one rule.
 */
export function pageLang(ctx: KoaContextWithOIDC): PageLang {
  return preferredLang(ctx.get('accept-language'), parseCookieHeader(ctx.get('cookie'))[LANG_COOKIE], ctx.oidc?.params?.ui_locales);
}

export function requestLang(req: IncomingMessage, uiLocales?: unknown): PageLang {
  return preferredLang(req.headers['accept-language'], parseCookieHeader(req.headers.cookie)[LANG_COOKIE], uiLocales);
}
