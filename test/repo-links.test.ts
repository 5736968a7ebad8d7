// Every link in README.md and docs/ resolves inside the repository, as a person who cloned it (or reads
// it on a forge) follows them: a relative link names a file or folder that exists, an #anchor names a
// heading of its page, and nothing points outside the checkout. The served /docs pages are checked
// separately (test/docs.test.ts); this covers the files themselves, links to code and folders included.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { slugify } from '../src/http/routes/docs-markdown.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return [join(ROOT, 'README.md'), ...walk(docs)];
}

interface Page {
  links: string[];
  anchors: Set<string>;
}

/** The page's link targets and heading ids (the ids the docs renderer and GitHub give headings). */
function read(path: string): Page {
  const links: string[] = [];
  const anchors = new Set<string>();
  const marked = new Marked({ gfm: true, async: false });
  const visit = (tokens: Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'link' || token.type === 'image') links.push((token as Tokens.Link).href);
      if (token.type === 'heading') {
        // The rendered heading's text: inline code and emphasis keep their words, links their text.
        const html = marked.parser([token]);
        const base = slugify(html.replace(/^<h\d[^>]*>|<\/h\d>\s*$/g, ''));
        let id = base;
        for (let n = 1; anchors.has(id); n++) id = `${base}-${n}`;
        anchors.add(id);
      }
      const nested = (token as { tokens?: Token[] }).tokens;
      if (nested) visit(nested);
      const items = (token as { items?: { tokens: Token[] }[] }).items;
      if (items) for (const item of items) visit(item.tokens);
      const table = token as Partial<Tokens.Table>;
      if (token.type === 'table') for (const cell of [...(table.header ?? []), ...(table.rows ?? []).flat()]) visit(cell.tokens);
    }
  };
  visit(marked.lexer(readFileSync(path, 'utf8')));
  return { links, anchors };
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

describe('links in README and docs', () => {
  const files = markdownFiles();
  const pages = new Map(files.map((path) => [path, read(path)]));

  it('reads the README and every docs page, and finds their links', () => {
    expect(files.length).toBeGreaterThan(20);
    expect([...pages.values()].reduce((n, page) => n + page.links.length, 0)).toBeGreaterThan(50);
  });

  it.each(files.map((path) => [relative(ROOT, path), path]))('%s: every relative link and #anchor resolves in the repository', (_name, path) => {
    const broken: string[] = [];
    for (const href of pages.get(path)!.links) {
      if (EXTERNAL.test(href)) continue;
      const [target = '', fragment] = href.split('#');
      // A site path (/chat, /docs/api) is the running app's, not a file: the served docs test covers those.
      if (target.startsWith('/')) continue;
      const file = target === '' ? path : resolve(dirname(path), decodeURIComponent(target));
      if (relative(ROOT, file).startsWith('..')) {
        broken.push(`${href} (outside the repository)`);
        continue;
      }
      if (!existsSync(file)) {
        broken.push(`${href} (no such file)`);
        continue;
      }
      if (fragment === undefined || fragment === '') continue;
      if (statSync(file).isDirectory() || !file.endsWith('.md')) {
        broken.push(`${href} (an anchor into something that is not a Markdown page)`);
        continue;
      }
      const anchors = pages.get(file)?.anchors ?? read(file).anchors;
      if (!anchors.has(decodeURIComponent(fragment))) broken.push(`${href} (no heading with that id)`);
    }
    expect(broken).toEqual([]);
  });

  it('never points into ../shared or another folder beside the checkout', () => {
    for (const path of files) expect(readFileSync(path, 'utf8'), relative(ROOT, path)).not.toMatch(/\.\.\/shared\b/);
  });
});
