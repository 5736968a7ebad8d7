import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The node's user cache drops a user around every write this node makes to the users table (the
// repository's `guard`, Identity.changingUser). A write added elsewhere would still be heard — through
// the SQLite TEMP trigger, or PostgreSQL's NOTIFY a moment later — but not before its own answer; so
// the writes stay in the two places that wrap them.
const SRC = fileURLToPath(new URL('../', import.meta.url));
const WRITE = /(updateTable|deleteFrom|insertInto)\(\s*'users'\s*\)|\b(update|delete\s+from|insert\s+into)\s+"?users"?\b/gi;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('writes to the users table', () => {
  it('are made only by the user repository and the account-state records, each through the cache guard', () => {
    const found = new Map<string, number>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(WRITE)) {
        const name = relative(SRC, file);
        found.set(name, (found.get(name) ?? 0) + 1);
        // The wrapper opens inside the same method, before the write (a transaction's body included). An
        // insert makes a user no node can have cached yet.
        const method = text.lastIndexOf('\n    async ', match.index);
        const wrapped = /\b(guard|changing)\(\w+, \(\) =>/.test(text.slice(method, match.index)) || match[0].startsWith('insertInto');
        expect(wrapped, `${name}: ${match[0]} outside guard()/changing()`).toBe(true);
      }
    }
    expect([...found.keys()].sort()).toEqual(['http/accounts/user-records.ts', 'identity/users.ts']);
  });
});
