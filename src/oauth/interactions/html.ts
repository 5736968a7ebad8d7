import { escapeHtml } from '../../core/index.js';
import type { Lang } from '../../core/index.js';

/** The frame of every server-rendered OAuth page; the web app's /gatehouse.css restyles body.gh-page. */
export function page(title: string, body: string, lang: Lang = 'en'): string {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · gatehouse</title>
<link rel="stylesheet" href="/gatehouse.css">
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:40px 16px;color:#1d2330}
main{max-width:380px;margin:0 auto;background:#fff;border-radius:10px;padding:24px 28px;box-shadow:0 2px 10px rgba(0,0,0,.08)}
h1{font-size:1.3em;margin-top:0}label{display:block;margin:12px 0 4px}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:9px;border:1px solid #c5cad3;border-radius:6px;font-size:1em}
button{padding:9px 16px;border-radius:6px;border:0;font-size:1em;cursor:pointer;margin:14px 8px 0 0}
button.primary{background:#2957d6;color:#fff}button.secondary{background:#e3e6ec}
ul.scopes{list-style:none;padding:0}ul.scopes li{margin:8px 0}.error{color:#b00020}.muted{color:#667}
</style>
</head>
<body class="gh-page"><main>
${body}
</main></body>
</html>`;
}
