// The docs pages: each section of the study note in English and Korean, served by a
// real node at /docs/:name, links that resolve, nothing executable in the output.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DOCS_DIR, DOC_NAMES } from '../src/http/routes/docs.js';
import { renderMarkdown, rewriteHref } from '../src/http/routes/docs-markdown.js';
import { createTestStack, type TestNode, type TestStack } from './support/app.js';

const SECTIONS = ['cookies', 'sessions', 'jwt', 'oauth', 'realtime', 'load-balancing', 'io-models'] as const;
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const HANGUL = /[\uac00-\ud7a3]/;

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const ids = (html: string): Set<string> => new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!));

describe('docs pages', () => {
  let stack: TestStack;
  let node: TestNode;
  const pages = new Map<string, string>();
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${node.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    stack = await createTestStack();
    node = await stack.startNode();
    for (const name of DOC_NAMES) {
      for (const lang of ['en', 'ko']) {
        const response = await get(`/docs/${name}?lang=${lang}`);
        expect(response.status, `/docs/${name}?lang=${lang}`).toBe(200);
        pages.set(`/docs/${name}?lang=${lang}`, await response.text());
      }
    }
  }, 60_000);
  afterAll(() => stack.dispose());

  it('finds the docs folder from src (and dist, which sits as deep)', () => {
    expect(DEFAULT_DOCS_DIR.replace(/\/$/, '')).toBe(DOCS.replace(/\/$/, ''));
  });

  it.each(SECTIONS)('has %s in English and Korean, each with the four parts', (name) => {
    expect(existsSync(`${DOCS}${name}.md`)).toBe(true);
    expect(existsSync(`${DOCS}${name}.ko.md`)).toBe(true);
    const en = pages.get(`/docs/${name}?lang=en`)!;
    const ko = pages.get(`/docs/${name}?lang=ko`)!;
    expect(en).toContain('<html lang="en">');
    expect(ko).toContain('<html lang="ko">');
    expect(en).toMatch(/<h1 id="[^"]*">/);
    expect(ko).toMatch(/<h1 id="[^"]*">/);
    expect(HANGUL.test(ko.replace(/<nav[\s\S]*?<\/nav>/, ''))).toBe(true);
    // What it is, how gatehouse does it, where it lives, how to see it live.
    expect(en.match(/<h2 /g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(ko.match(/<h2 /g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(en).toContain('src/');
    expect(en).toContain('npm start');
    expect(ko).toContain('npm start');
    expect(en).toContain('/gatehouse.css');
  });

  it('renders with the page shell: stylesheet, language switch, HTML type and the CSP', async () => {
    const response = await get('/docs/jwt?lang=en');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<link rel="stylesheet" href="/gatehouse.css">');
    expect(html).toContain('href="/docs/jwt?lang=ko"');
  });

  it('contains no script, no inline handler and no raw HTML from the sources', () => {
    for (const [path, html] of pages) {
      expect(html, path).not.toMatch(/<script|<iframe|<object|<embed|<style|\son[a-z]+=|javascript:/i);
    }
  });

  it('leaves no Markdown unrendered (a stray ** or ` outside code means a delimiter did not close)', () => {
    for (const [path, html] of pages) {
      const prose = html.replace(/<pre>[\s\S]*?<\/pre>/g, '').replace(/<code>[\s\S]*?<\/code>/g, '');
      expect(prose, path).not.toMatch(/\*\*|`/);
    }
  });

  it('has links that resolve: other docs pages, in-page anchors and app pages', async () => {
    const checked = new Set<string>();
    for (const [path, html] of pages) {
      const anchors = ids(html);
      for (const href of hrefs(html)) {
        if (href.startsWith('#')) {
          expect(anchors.has(decodeURIComponent(href.slice(1))), `${path} → ${href}`).toBe(true);
          continue;
        }
        if (/^https?:/.test(href)) continue;
        expect(href.startsWith('/'), `${path} → ${href}`).toBe(true);
        const [target, fragment] = href.split('#');
        if (!checked.has(target!)) {
          const response = await get(target!);
          // /docs/api answers with its UI or a redirect into it; everything else is a page.
          expect([200, 301, 302], `${path} → ${href}`).toContain(response.status);
          checked.add(target!);
        }
        if (fragment && target!.startsWith('/docs/')) {
          const linked = pages.get(target!) ?? (await (await get(target!)).text());
          expect(ids(linked).has(decodeURIComponent(fragment)), `${path} → ${href}`).toBe(true);
        }
      }
    }
    expect(checked.size).toBeGreaterThan(5);
  });

  it('answers an unknown page with the coded JSON 404, and keeps /docs/api for Swagger UI', async () => {
    for (const path of ['/docs/nope', '/docs/..%2Fpackage', '/docs/README', '/docs/jwt.md']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/application\/json/);
      expect((await response.json()) as { error: string }, path).toMatchObject({ error: 'GH_CORE_NOT_FOUND' });
    }
    const api = await get('/docs/api/');
    expect(api.status).toBe(200);
    expect(await api.text()).toMatch(/swagger/i);
  });

  it('picks the language from ?lang, then the gh.lang cookie, then Accept-Language', async () => {
    const byCookie = await (await get('/docs/sessions', { cookie: 'gh.lang=ko' })).text();
    expect(byCookie).toContain('<html lang="ko">');
    const byHeader = await (await get('/docs/sessions', { 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.5' })).text();
    expect(byHeader).toContain('<html lang="ko">');
    const queryWins = await (await get('/docs/sessions?lang=en', { cookie: 'gh.lang=ko' })).text();
    expect(queryWins).toContain('<html lang="en">');
    const bogus = await (await get('/docs/sessions?lang=xx')).text();
    expect(bogus).toContain('<html lang="en">');
  });

  it('shows a page without a translation in English, and says so', () => {
    const errors = pages.get('/docs/errors?lang=ko')!;
    expect(errors).toContain('<html lang="en">');
    expect(errors).toContain('한국어 번역이 없어');
    expect(errors).toContain('GH_CORE_NOT_FOUND');
  });
});

describe('docs markdown rendering', () => {
  const names = new Set<string>(DOC_NAMES);
  it('shows raw HTML as text and drops unsafe links', () => {
    const html = renderMarkdown('# T\n\n<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](//evil.example/) ![c](http://evil.example/x.png)', names);
    expect(html).not.toMatch(/<script|<img|javascript:|evil\.example/);
    expect(html).toContain('&lt;script&gt;');
  });

  it('turns sibling .md / .ko.md links into served pages in that language', () => {
    expect(rewriteHref('jwt.md', names)).toBe('/docs/jwt?lang=en');
    expect(rewriteHref('./sessions.ko.md#revoke', names)).toBe('/docs/sessions?lang=ko#revoke');
    expect(rewriteHref('nope.md', names)).toBeNull();
    expect(rewriteHref('../src/core/config.ts', names)).toBeNull();
    expect(rewriteHref('https://socket.io/docs/v4/', names)).toBe('https://socket.io/docs/v4/');
  });
});
