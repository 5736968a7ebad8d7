// A benchmark backend: a small fixed response, keep-alive, one process. Prints {"port":N} when ready.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const name = process.argv[2] ?? 'backend';
const body = Buffer.from(`hello from ${name}\n`);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));
