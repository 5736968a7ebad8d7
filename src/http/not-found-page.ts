import type { FastifyReply, FastifyRequest } from 'fastify';
import { readPreferences } from '../cookies/index.js';
import { docPage } from './doc-page.js';

/**
 * The 404 a person sees (a browser navigating to /docs/nope or a mistyped server path): a page with a
 * way back, in their language, instead of the coded JSON that programs get.
 */

const TEXT = {
  en: { title: 'Page not found', body: 'There is nothing at this address.', home: 'Back to the start', docs: 'All docs' },
  ko: { title: '페이지를 찾을 수 없습니다', body: '이 주소에는 아무것도 없습니다.', home: '처음으로', docs: '문서 목록' },
} as const;

/** A top-level navigation asks for HTML first; fetch() and API clients do not. */
export function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && /^\s*text\/html\b/.test(request.headers.accept ?? '');
}

export function sendNotFoundPage(request: FastifyRequest, reply: FastifyReply, csp: string): FastifyReply {
  const { lang, theme } = readPreferences(request.cookies ?? {}, request.headers['accept-language']);
  const t = TEXT[lang];
  const html = docPage({
    lang,
    theme,
    title: t.title,
    body: `<main>
<h1>${t.title}</h1>
<p>${t.body}</p>
<p><a href="/" data-testid="not-found-home">${t.home}</a> · <a href="/learn">${t.docs}</a></p>
</main>
`,
  });
  return reply
    .status(404)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('content-language', lang)
    .header('vary', 'accept, cookie, accept-language')
    .send(html);
}
