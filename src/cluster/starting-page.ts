import http from 'node:http';
import { GatehouseError, LANG_COOKIE, parseCookieHeader, preferredLang } from '../core/index.js';
import type { Lang } from '../core/index.js';

/** Seconds a client should wait before asking again; nodes usually become ready within a few. */
const RETRY_AFTER_S = 1;

const TEXT = {
  en: {
    title: 'gatehouse is starting…',
    body: 'The app nodes are still starting. This page reloads by itself as soon as they are ready.',
    retry: 'Try again now',
  },
  ko: {
    title: 'gatehouse를 시작하는 중…',
    body: '앱 노드가 아직 시작되고 있습니다. 준비되면 이 페이지가 자동으로 다시 열립니다.',
    retry: '지금 다시 시도',
  },
} as const;

function page(lang: Lang): string {
  const t = TEXT[lang];
  // A meta refresh keeps retrying without any script; the link is for the impatient.
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RETRY_AFTER_S}">
<link rel="icon" href="data:,">
<title>${t.title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:20vh auto;padding:0 1rem;color:#222}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}a{color:#8ab4f8}}</style>
</head><body><h1>${t.title}</h1><p>${t.body}</p><p><a href="">${t.retry}</a></p></body></html>
`;
}

/** People get a page that retries by itself; programs get the coded 503 with Retry-After. */
function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const headers = { 'retry-after': String(RETRY_AFTER_S), 'cache-control': 'no-store', connection: 'close' };
  const wantsHtml = (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(req.headers.accept ?? '');
  if (wantsHtml) {
    const lang = preferredLang(req.headers['accept-language'], parseCookieHeader(req.headers.cookie)[LANG_COOKIE]);
    res.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-language': lang });
    res.end(req.method === 'HEAD' ? undefined : page(lang));
    return;
  }
  res.writeHead(503, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(new GatehouseError('GH_CLUSTER_STARTING').toJSON()));
}

export interface StartingPage {
  /** Stops answering and frees the port for the balancer. */
  close(): Promise<void>;
}

/**
 * Holds the public port while the nodes start, so an early visitor sees "starting…" instead of a
 * refused connection or the balancer's 502/503 for backends that are not up yet.
 */
export async function holdPort(host: string, port: number): Promise<StartingPage> {
  const server = http.createServer(answer);
  // Upgrades (Socket.IO's WebSocket) are refused plainly; the client's reconnect retries later.
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
