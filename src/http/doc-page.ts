import { escapeHtml } from '../core/index.js';
import type { Lang } from '../core/index.js';

/**
 * The frame of the server-rendered pages a person reads (the docs, the 404 page): the web app's
 * stylesheet and icon, the page's language and the theme from the preference cookie. `body` is HTML.
 */
export function docPage(input: { lang: Lang; theme: string; title: string; body: string }): string {
  const theme = input.theme === 'light' || input.theme === 'dark' ? ` data-theme="${input.theme}"` : '';
  return `<!doctype html>
<html lang="${input.lang}"${theme}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} — gatehouse</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/gatehouse.css">
</head>
<body class="gh-doc">
${input.body}</body>
</html>
`;
}
