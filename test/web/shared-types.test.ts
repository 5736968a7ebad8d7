// The browser's copies of server shapes drifted before (a device list, the chat contract); now web/
// imports the server's own (src/core/api-shapes.ts, src/core/chat-events.ts) type-only. This keeps it
// that way: web/src declares no type under a shared name, and the shared modules stay importable by the
// web build (nothing but TypeBox, so no node-only module enters its typecheck or its bundle).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const SHARED = ['src/core/api-shapes.ts', 'src/core/chat-events.ts'];

const read = (path: string) => readFileSync(join(root, path), 'utf8');
const exportedNames = (source: string) => [...source.matchAll(/^export (?:const|type|interface) (\w+)/gm)].map((m) => m[1]!);
const webFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? webFiles(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );

describe('types the browser shares with the server', () => {
  const shared = new Set(SHARED.flatMap((path) => exportedNames(read(path))));

  it('come from the shared modules, never a copy in web/src', () => {
    expect([...shared]).toEqual(
      expect.arrayContaining(['SessionView', 'PrincipalView', 'ChatMessage', 'ClientToServerEvents', 'ServerToClientEvents', 'AdminUserView', 'AdminUserDetail', 'OutboxMessageView', 'OauthClientView', 'ProviderAdminView', 'ClusterBackends', 'ClusterNode', 'CounterSample', 'SessionList', 'WhoamiAnswer', 'PasskeyCeremony', 'Outbox']),
    );
    const copies = webFiles('web/src').flatMap((file) =>
      [...read(file).matchAll(/^\s*(?:export )?(?:interface|type|const) (\w+)\b/gm)].filter((m) => shared.has(m[1]!)).map((m) => `${file}: ${m[1]}`),
    );
    expect(copies).toEqual([]);
  });

  it('a page names the whole answer it reads by its shared type, envelope included, never an inline object', () => {
    const inline = webFiles('web/src').flatMap((file) => [...read(file).matchAll(/\b(?:api|useEndpoint|ApiResult)<\{[^>]*/g)].map((m) => `${file}: ${m[0]}`));
    expect(inline).toEqual([]);
  });

  it('web/src reaches them type-only, and they import nothing but TypeBox', () => {
    for (const path of SHARED) {
      const imports = [...read(path).matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      expect(imports, path).toEqual(['@sinclair/typebox']);
    }
    const reaching = webFiles('web/src').flatMap((file) => [...read(file).matchAll(/^(import|export) (.*) from '[./]+\/src\/core\/[\w-]+\.js';$/gm)].map((m) => ({ file, line: m[0] })));
    expect(reaching.length).toBeGreaterThan(0);
    for (const { file, line } of reaching) expect(line, file).toMatch(/^(import|export) type /);
  });

  it('takes values from the server only out of the error registry, which is data and imports nothing else', () => {
    const values = webFiles('web/src').flatMap((file) => [...read(file).matchAll(/^import (?!type )(.*) from '([./]+\/src\/[^']+)';$/gm)].map((m) => `${file}: ${m[2]}`));
    expect(values).toEqual(['web/src/i18n/errors.en.ts: ../../../src/core/codes/index.js']);
    const codes = readdirSync(join(root, 'src/core/codes')).filter((name) => name.endsWith('.ts'));
    for (const name of codes) {
      const imports = [...read(`src/core/codes/${name}`).matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
      for (const target of imports) expect(target, name).toMatch(/^\.\/[\w-]+\.js$/);
    }
  });
});
