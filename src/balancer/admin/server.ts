import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatehouseError, isGatehouseError, safeEqual, type BackendView, type ErrorCode } from '../../core/index.js';
import { isLoopback } from '../config.js';
import type { Pool } from '../pool.js';
import { ALGORITHM_NAMES, type Backend, type BackendSpec } from '../types.js';
import { renderMetrics, type ProxyStats } from './metrics.js';

export interface AdminOptions {
  pool: Pool;
  /**
   * Bearer token (checked in constant time). With one, every request needs it; without one the API
   * only reads — no request may change anything (config keeps a tokenless API on loopback).
   */
  token?: string;
  /**
   * The address the API listens on. Requests must name it (or, on loopback, localhost) in Host, so a
   * web page that rebinds its own name to 127.0.0.1 cannot reach the API from a browser.
   */
  host?: string;
  stats?: ProxyStats;
  /** Told after every change made through the API (so --workers can replay it in sibling processes). */
  onChange?: (change: AdminChange) => void;
}

/** A change made through the admin API, replayable on another pool. */
export type AdminChange =
  | { op: 'add'; spec: BackendSpec }
  | { op: 'remove'; id: string }
  | { op: 'drain'; id: string }
  | { op: 'undrain'; id: string }
  | { op: 'weight'; id: string; weight: number }
  | { op: 'algorithm'; name: string };

export function applyChange(pool: Pool, change: AdminChange): void {
  switch (change.op) {
    case 'add':
      pool.add(change.spec);
      break;
    case 'remove':
      pool.remove(change.id);
      break;
    case 'drain':
      pool.drain(change.id);
      break;
    case 'undrain':
      pool.undrain(change.id);
      break;
    case 'weight':
      pool.setWeight(change.id, change.weight);
      break;
    case 'algorithm':
      pool.setAlgorithm(change.name);
      break;
  }
}

/** The shape is the one the nodes relay to the dashboard (GET /api/cluster/backends), so it is declared there. */
export function describeBackend(b: Backend): BackendView {
  return {
    id: b.id,
    host: b.host,
    port: b.port,
    state: b.state,
    weight: b.weight,
    effectiveWeight: b.effectiveWeight,
    activeConnections: b.activeConnections,
    requests: b.requests,
    failures: b.failures,
    latencyMs: Math.round(b.latencyMs * 100) / 100,
  };
}

const MAX_BODY = 64 * 1024;

/** The admin API: its own server and port, JSON in and out, `{error, message}` on failure. */
export function createAdminServer(options: AdminOptions): http.Server {
  const { pool } = options;
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, error));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const change = (c: AdminChange): void => {
    applyChange(pool, c);
    options.onChange?.(c);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (!hostAllowed(req.headers.host)) throw new GatehouseError('GH_BALANCER_ADMIN_HOST_REFUSED');
    if (options.token === undefined && method !== 'GET' && method !== 'HEAD') {
      throw new GatehouseError('GH_BALANCER_UNAUTHORIZED', { message: 'This admin API has no token, so it only reads; give the balancer an adminToken to change anything.' });
    }
    // A body that is not declared JSON is what an HTML form (a cross-site "simple" request) sends.
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) throw new GatehouseError('GH_BALANCER_ADMIN_JSON_REQUIRED');
    if (options.token !== undefined) {
      const auth = req.headers.authorization ?? '';
      const presented = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!safeEqual(presented, options.token)) {
        res.setHeader('www-authenticate', 'Bearer realm="gatehouse-balancer"');
        throw new GatehouseError('GH_BALANCER_UNAUTHORIZED');
      }
    }
    const url = new URL(req.url ?? '/', 'http://admin');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    if (parts[0] === 'metrics' && parts.length === 1 && method === 'GET') {
      const body = renderMetrics(pool, options.stats);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (parts[0] === 'algorithm' && parts.length === 1) {
      if (method === 'GET') return json(res, 200, { name: pool.algorithm, available: ALGORITHM_NAMES });
      if (method === 'PUT') {
        const body = await readJson(req);
        change({ op: 'algorithm', name: typeof body.name === 'string' ? body.name : '' });
        return json(res, 200, { name: pool.algorithm });
      }
    }
    if (parts[0] === 'backends') {
      if (parts.length === 1 && method === 'GET') return json(res, 200, { algorithm: pool.algorithm, backends: pool.list().map(describeBackend) });
      if (parts.length === 1 && method === 'POST') {
        const body = await readJson(req);
        const spec: BackendSpec = { host: body.host as string, port: body.port as number };
        if (body.weight !== undefined) spec.weight = body.weight as number;
        if (body.id !== undefined) spec.id = String(body.id);
        change({ op: 'add', spec });
        return json(res, 201, describeBackend(pool.get(spec.id ?? `${spec.host}:${spec.port}`) as Backend));
      }
      const id = parts[1];
      if (id !== undefined && parts.length === 2) {
        if (method === 'GET') return json(res, 200, describeBackend(found(id)));
        if (method === 'DELETE') {
          found(id);
          change({ op: 'remove', id });
          res.writeHead(204).end();
          return;
        }
        if (method === 'PATCH') {
          found(id);
          const body = await readJson(req);
          change({ op: 'weight', id, weight: body.weight as number });
          return json(res, 200, describeBackend(found(id)));
        }
      }
      if (id !== undefined && parts.length === 3 && parts[2] === 'drain' && method === 'POST') {
        found(id);
        change({ op: 'drain', id });
        return json(res, 202, describeBackend(found(id)));
      }
      if (id !== undefined && parts.length === 3 && parts[2] === 'undrain' && method === 'POST') {
        found(id);
        change({ op: 'undrain', id });
        return json(res, 200, describeBackend(found(id)));
      }
    }
    throw new GatehouseError('GH_BALANCER_ROUTE_NOT_FOUND');
  }

  /** Host must be this listener's own address; a wildcard listener has no single name to check. */
  const hostAllowed = (host: string | undefined): boolean => {
    const address = server.address();
    if (options.host === undefined || address === null || typeof address === 'string') return true;
    if (options.host === '0.0.0.0' || options.host === '::') return true;
    const names = isLoopback(options.host) ? [options.host, '127.0.0.1', 'localhost', '::1'] : [options.host];
    const given = (host ?? '').toLowerCase();
    return names.some((name) => given === `${name.includes(':') ? `[${name}]` : name}:${address.port}`);
  };

  const found = (id: string): Backend => {
    const backend = pool.get(id);
    if (!backend) throw new GatehouseError('GH_BALANCER_BACKEND_NOT_FOUND');
    return backend;
  };

  return server;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: ServerResponse, error: unknown): void {
  const code: ErrorCode = isGatehouseError(error) ? error.code : 'GH_BALANCER_BAD_REQUEST';
  const e = isGatehouseError(error) ? error : new GatehouseError(code);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
  json(res, e.statusCode, { error: e.code, message: e.message });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new GatehouseError('GH_BALANCER_PAYLOAD_TOO_LARGE');
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new GatehouseError('GH_BALANCER_BAD_REQUEST', { message: 'The body is not valid JSON.' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GatehouseError('GH_BALANCER_BAD_REQUEST', { message: 'The body must be a JSON object.' });
  }
  return parsed as Record<string, unknown>;
}

export function listenOn(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
