import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The one icon of every page: the web app serves it at /favicon.svg from web/public (copied into
// web/dist); pages the web app does not build (Swagger UI) carry the same file. The path is the same
// from src/http and from dist/http.
const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'public', 'favicon.svg');

/** Swagger UI's `theme.favicon`: the icon, served under the UI's own prefix and linked from its page. */
export function swaggerFavicon(): { filename: string; rel: string; type: string; sizes: string; content: Buffer }[] {
  return [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: readFileSync(SOURCE) }];
}
