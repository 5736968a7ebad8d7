// The http-proxy-3 peer: round robin over the two backends with a keep-alive agent — the usual way
// people put a Node proxy in front of servers. Prints {"port":N} when ready.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';

const targets = process.argv.slice(2).map((port) => `http://127.0.0.1:${port}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = createProxyServer({ agent, xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
let next = 0;
const server = http.createServer((req, res) => {
  const target = targets[next++ % targets.length]!;
  proxy.web(req, res, { target });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
