import { Marked, type Tokens } from 'marked';
import { escapeHtml } from '../../core/index.js';

/**
 * Markdown → HTML for the docs pages. The docs are ours, but nothing is passed through raw: inline or
 * block HTML is shown as text, only http(s), mailto, in-page and same-site links survive, and links
 * to sibling pages become the served URLs: `jwt.md` → `/docs/jwt?lang=en`, `jwt.ko.md` → `?lang=ko`.
 */


/** GitHub-style heading ids (lower case, spaces to dashes, punctuation dropped; Hangul kept). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

/** Where a link in a docs page points, or null when it must not be a link at all. */
export function rewriteHref(href: string, pages: ReadonlySet<string>): string | null {
  const value = href.trim();
  if (value.startsWith('#')) return value;
  const sibling = /^(?:\.\/)?([a-z0-9-]+?)(\.ko)?\.md(#[\w\p{L}-]*)?$/u.exec(value);
  if (sibling) return pages.has(sibling[1]!) ? `/docs/${sibling[1]}?lang=${sibling[2] ? 'ko' : 'en'}${sibling[3] ?? ''}` : null;
  if (/^(?:https?:|mailto:)/i.test(value)) return value;
  // A path on this site (/chat, /docs/api); `//host` would leave it.
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  return null;
}

export function renderMarkdown(source: string, pages: ReadonlySet<string>): string {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      // Raw HTML in the source is shown, never interpreted.
      html({ text }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(text);
      },
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        return `<h${depth} id="${escapeHtml(slugify(inner))}">${inner}</h${depth}>\n`;
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const target = rewriteHref(href, pages);
        if (target === null) return inner;
        const external = /^https?:/i.test(target);
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(target)}"${titleAttr}${external ? ' rel="noopener noreferrer"' : ''}>${inner}</a>`;
      },
      // No images in our docs; an image would be a request the page does not need. Keep its words.
      image({ text }: Tokens.Image) {
        return escapeHtml(text);
      },
    },
  });
  return marked.parse(source) as string;
}

/** The page's title: its first `# ` heading, as plain text. */
export function titleOf(source: string, fallback: string): string {
  const line = /^#\s+(.+)$/m.exec(source)?.[1];
  return line ? line.replace(/[`*_]/g, '').trim() : fallback;
}
