// Writes docs/credentials.md and docs/credentials.ko.md from the guard's declarations: `npm run docs:credentials`.
// It builds one node (a throw-away SQLite store) so every route registers exactly as it does in production.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/http/index.js';
import { renderCredentialsPage } from '../src/http/credential-docs.js';

const dataDir = await mkdtemp(join(tmpdir(), 'gh-credential-docs-'));
try {
  const node = await buildApp({ env: { GATEHOUSE_SECRET: 'docs-only-secret-0123456789abcdefghijklmnop' }, config: { server: { dataDir } } });
  try {
    await writeFile(new URL('../docs/credentials.md', import.meta.url), renderCredentialsPage(node.hooks.routes, 'en'));
    await writeFile(new URL('../docs/credentials.ko.md', import.meta.url), renderCredentialsPage(node.hooks.routes, 'ko'));
    console.log(`docs/credentials(.ko).md: ${node.hooks.routes.length} guarded routes`);
  } finally {
    await node.close();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
