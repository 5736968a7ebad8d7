import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../../test/support/services.js';
import { WEB_CSP, isServerPath, webRoutes } from './web.js';

async function serve(root: string, warnings: string[] = []): Promise<{ app: FastifyInstance; base: string }> {
  const app = Fastify({ logger: false });
  // Capture the plugin's warning without a logger: the child logger is what app.log resolves to.
  app.log.warn = ((...args: unknown[]) => void warnings.push(String(args.at(-1))));
  app.setNotFoundHandler((request, reply) => void reply.status(404).send({ error: 'GH_CORE_NOT_FOUND', message: `No route ${request.method} ${request.url}` }));
  app.get('/api/ping', async () => ({ pong: true }));
  await app.register(webRoutes({ root }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, base: `http://127.0.0.1:${port}` };
}

describe('web routes (built app)', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let server: { app: FastifyInstance; base: string };

  beforeAll(async () => {
    dir = await createTempDir('gh-web-');
    await mkdir(join(dir.path, 'assets'));
    await writeFile(join(dir.path, 'index.html'), '<!doctype html><div id="app"></div><!-- spa -->');
    await writeFile(join(dir.path, 'assets', 'index-AbC123.js'), 'console.log(1)');
    await writeFile(join(dir.path, 'gatehouse.css'), 'body{}');
    server = await serve(dir.path);
  });
  afterAll(async () => {
    await server.app.close();
    await dir.remove();
  });

  it('serves index.html at / with no-cache and the security headers', async () => {
    const response = await fetch(`${server.base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<!-- spa -->');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(WEB_CSP);
    expect(WEB_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_CSP).not.toMatch(/https?:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('caches hashed assets for a year, immutable; other files revalidate', async () => {
    const asset = await fetch(`${server.base}/assets/index-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const css = await fetch(`${server.base}/gatehouse.css`);
    expect(css.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for app paths, with and without a query', async () => {
    for (const path of ['/chat', '/explain?tab=jwt', '/some/deep/link']) {
      const response = await fetch(`${server.base}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<!-- spa -->');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('leaves API, protocol and operations paths to the server: unknown ones stay a JSON 404', async () => {
    expect(await (await fetch(`${server.base}/api/ping`)).json()).toEqual({ pong: true });
    for (const path of ['/api/nope', '/oidc/x', '/socket.io/', '/.well-known/nothing', '/metrics', '/healthz', '/docs/api/x', '/openapi.json']) {
      const response = await fetch(`${server.base}${path}`);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error, path).toBe('GH_CORE_NOT_FOUND');
    }
  });

  it('serves a file added after start (the app rebuilt under a running node), with the asset caching', async () => {
    await writeFile(join(dir.path, 'assets', 'index-New456.js'), 'console.log(2)');
    const response = await fetch(`${server.base}/assets/index-New456.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('console.log(2)');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-security-policy')).toBe(WEB_CSP);
  });

  it('does not answer a missing file with the app', async () => {
    const response = await fetch(`${server.base}/assets/missing-123.js`);
    expect(response.status).toBe(404);
  });

  it('does not serve files outside the root', async () => {
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/hosts.txt']) {
      const response = await fetch(`${server.base}${path}`);
      expect(response.status, path).not.toBe(200);
      expect(await response.text(), path).not.toContain('root:');
    }
  });
});

describe('web routes (not built)', () => {
  it('warns once and serves a page saying to run npm run build', async () => {
    const dir = await createTempDir('gh-web-empty-');
    const warnings: string[] = [];
    const server = await serve(dir.path, warnings);
    try {
      const response = await fetch(`${server.base}/chat`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('npm run build');
      expect(response.headers.get('content-security-policy')).toBe(WEB_CSP);
      await fetch(`${server.base}/`);
      expect(warnings.filter((w) => w.includes('npm run build'))).toHaveLength(1);
      expect((await fetch(`${server.base}/api/nope`)).status).toBe(404);
    } finally {
      await server.app.close();
      await dir.remove();
    }
  });
});

describe('isServerPath', () => {
  it('matches whole segments only', () => {
    expect(isServerPath('/api')).toBe(true);
    expect(isServerPath('/api/me')).toBe(true);
    expect(isServerPath('/apiary')).toBe(false);
    expect(isServerPath('/metrics')).toBe(true);
    expect(isServerPath('/metricsboard')).toBe(false);
    expect(isServerPath('/chat')).toBe(false);
  });
});
