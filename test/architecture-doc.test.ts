// docs/architecture.md is the repository's map: its table of folders and import arrows must say exactly
// what the lint rule enforces, and every relative link in README.md and docs/ must resolve inside the
// repository (a clone has nothing beside it to point at).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOWED, AREAS } from '../eslint.config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function arrowsTable(markdown: string): Map<string, string[]> {
  const block = /<!-- arrows:start -->([\s\S]*?)<!-- arrows:end -->/.exec(markdown)?.[1] ?? '';
  const arrows = new Map<string, string[]>();
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([a-z]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!folder) continue;
    const imports = cells[3] ?? '';
    // The Korean twin words the two special cells in Korean; folder names stay as they are.
    const list = imports === 'nothing' || imports === '없음' ? [] : imports === 'every other folder' || imports === '다른 모든 폴더' ? AREAS.filter((a) => a !== folder) : imports.split(',').map((s) => s.trim());
    arrows.set(folder, list);
  }
  return arrows;
}

function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:|^#|^\//i.test(href));
}

describe('docs/architecture.md', () => {
  it.each(['docs/architecture.md', 'docs/architecture.ko.md'])('%s lists every folder under src/ with exactly the imports the lint rule allows', (path) => {
    const arrows = arrowsTable(read(path));
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect([...arrows.keys()].sort()).toEqual(folders);
    expect([...AREAS].sort()).toEqual(folders);
    for (const [folder, imports] of arrows) expect([...imports].sort(), folder).toEqual([...ALLOWED[folder]!].sort());
  });

  it('ships the study note it is built from', () => {
    expect(read('docs/study-note.ko.txt')).toMatch(/쿠키 세션 JWT/);
  });
});

describe('links in README.md and docs/', () => {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  it.each(files)('%s links only to files inside the repository', (file) => {
    const text = read(file);
    expect(text).not.toMatch(/shared\/(ARCHITECTURE|seed)/);
    for (const href of relativeLinks(text)) {
      const target = resolve(dirname(join(ROOT, file)), href.split('#')[0]!);
      expect(target.startsWith(ROOT), `${file} → ${href}`).toBe(true);
      expect(existsSync(target), `${file} → ${href}`).toBe(true);
    }
  });
});
