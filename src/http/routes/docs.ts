import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml, GatehouseError } from '../../core/index.js';
import type { Lang } from '../../core/index.js';
import { readPreferences } from '../../cookies/index.js';
import { renderMarkdown, titleOf } from './docs-markdown.js';
import { WEB_CSP } from './web.js';
import { docPage } from '../doc-page.js';

/**
 * GET /docs/:name — docs/<name>.md (English) or docs/<name>.ko.md (Korean) rendered to a small HTML page
 * with /gatehouse.css and a language switch. `?lang=en|ko` wins, then the gh.lang preference cookie,
 * then Accept-Language. /docs/api (Swagger UI) is a static route and keeps precedence over `:name`.
 */

/** The pages served, in the order the index lists them: the study note's sections first. */
export const DOC_NAMES = ['cookies', 'sessions', 'jwt', 'oauth', 'conformance', 'realtime', 'load-balancing', 'io-models', 'errors', 'configuration', 'audit-events', 'credentials', 'accounts', 'threat-model', 'operations', 'performance', 'two-factor'] as const;
export type DocName = (typeof DOC_NAMES)[number];
const PAGES: ReadonlySet<string> = new Set(DOC_NAMES);

// src/http/routes/docs.ts and dist/http/routes/docs.js both sit three folders below the package root.
export const DEFAULT_DOCS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs');

export interface DocsRoutesOptions {
  /** Folder with the Markdown files; defaults to <package>/docs. */
  dir?: string;
}


/** The file for a page in a language, falling back to English when there is no translation. */
export function docFile(dir: string, name: DocName, lang: Lang): { path: string; lang: Lang } {
  const korean = join(dir, `${name}.ko.md`);
  if (lang === 'ko' && existsSync(korean)) return { path: korean, lang: 'ko' };
  return { path: join(dir, `${name}.md`), lang: 'en' };
}

const isDocName = (name: string): name is DocName => PAGES.has(name);

const UI = {
  en: { app: 'gatehouse', index: 'All docs', api: 'HTTP API', switchTo: '한국어', untranslated: 'This page has no Korean translation yet; it is shown in English.' },
  ko: { app: 'gatehouse', index: '문서 목록', api: 'HTTP API', switchTo: 'English', untranslated: '이 페이지는 아직 한국어 번역이 없어 영어로 보여 드립니다.' },
} as const;

function page(input: { name: DocName; title: string; body: string; lang: Lang; asked: Lang; theme: string }): string {
  const ui = UI[input.asked];
  const other: Lang = input.asked === 'en' ? 'ko' : 'en';
  const notice = input.asked !== input.lang ? `<p class="notice">${escapeHtml(ui.untranslated)}</p>\n` : '';
  return docPage({
    lang: input.lang,
    theme: input.theme,
    title: input.title,
    body: `<header>
<nav aria-label="docs">
<a href="/">${ui.app}</a> · <a href="/learn">${escapeHtml(ui.index)}</a> · <a href="/docs/api">${ui.api}</a> ·
<a href="/docs/${input.name}?lang=${other}" hreflang="${other}" lang="${other}" data-testid="lang-switch">${ui.switchTo}</a>
</nav>
</header>
<main>
${notice}<article>
${input.body}</article>
</main>
`,
  });
}

export function docsRoutes(options: DocsRoutesOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const dir = options.dir ?? DEFAULT_DOCS_DIR;
    app.get<{ Params: { name: string }; Querystring: { lang?: string } }>(
      '/docs/:name',
      {
        schema: {
          hide: true,
          params: { type: 'object', properties: { name: { type: 'string', maxLength: 64 } }, required: ['name'] },
          querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 8 } } },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        // The registry's fixed message: the asked-for name is the client's input, never echoed.
        if (!isDocName(name)) throw new GatehouseError('GH_CORE_NOT_FOUND');
        const query = request.query.lang;
        // The same preference cookies the web app reads: language and theme carry over to the docs.
        const preferences = readPreferences(request.cookies ?? {}, request.headers['accept-language']);
        const asked: Lang = query === 'ko' || query === 'en' ? query : preferences.lang;
        const file = docFile(dir, name, asked);
        let source: string;
        try {
          source = await readFile(file.path, 'utf8');
        } catch {
          // A page listed but missing from this install (a partial checkout): the coded 404, not a 500.
          throw new GatehouseError('GH_CORE_NOT_FOUND', { message: 'This docs page is not installed.' });
        }
        const html = page({ name, title: titleOf(source, name), body: renderMarkdown(source, PAGES), lang: file.lang, asked, theme: preferences.theme });
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-cache')
          .header('content-security-policy', WEB_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('x-frame-options', 'DENY')
          .header('content-language', file.lang)
          .header('vary', 'cookie, accept-language')
          .send(html);
      },
    );
  };
}
