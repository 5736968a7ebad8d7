import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config.js';

interface Node {
  default?: unknown;
  properties?: Record<string, Node>;
}

/** Every `section.key` of the schema, with its default. */
function keys(): { path: string; default: unknown }[] {
  const root = ConfigSchema as unknown as Node;
  return Object.entries(root.properties ?? {}).flatMap(([section, node]) =>
    Object.entries(node.properties ?? {}).map(([key, leaf]) => ({ path: `${section}.${key}`, default: leaf.default })),
  );
}

describe('docs/configuration.md', () => {
  // The app node's part of the page; the balancer's schema follows under its own heading.
  const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8').split('\n# Load balancer')[0]!;
  const rows = new Map(
    page
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => [/^\| `([^`]+)`/.exec(line)![1]!, line] as const),
  );

  it('documents every config key (run npm run docs:config)', () => {
    const missing = keys().filter((k) => !rows.has(k.path)).map((k) => k.path);
    expect(keys().length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('shows each key with its current default (run npm run docs:config)', () => {
    const stale = keys()
      .filter((k) => k.default !== undefined)
      .filter((k) => {
        const shown = /^\| `[^`]+` \| [^|]*(?:\\\|[^|]*)* \| `([^`]+)`/.exec(rows.get(k.path) ?? '')?.[1];
        return shown === undefined || JSON.parse(shown.replace(/_/g, '')) !== k.default;
      })
      .map((k) => k.path);
    expect(stale).toEqual([]);
  });

  it('names no key the schema does not have', () => {
    const known = new Set(keys().map((k) => k.path));
    expect([...rows.keys()].filter((path) => !known.has(path))).toEqual([]);
  });
});
