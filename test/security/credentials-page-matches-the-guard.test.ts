// Property: the credentials page is the table the guard enforces. It is generated from what each route
// declared to the guard; when a route changes its lane (or a new route appears) and the page is not
// regenerated (`npm run docs:credentials`), this fails.
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { renderCredentialsPage } from '../../src/http/credential-docs.js';
import { useTestNode } from '../support/app.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe('the credentials page matches the guard', () => {
  const env = useTestNode();

  it.each(['en', 'ko'] as const)('the %s page is what the routes declare', async (lang) => {
    const file = new URL(`../../docs/credentials${lang === 'ko' ? '.ko' : ''}.md`, import.meta.url);
    expect(await readFile(file, 'utf8')).toBe(renderCredentialsPage(env.node.node.hooks.routes, lang));
  });

  it('lists the account routes as first-party only and the resource routes with their scopes', () => {
    const routes = env.node.node.hooks.routes;
    const lane = (method: string, url: string) => routes.find((r) => r.method === method && r.url === url)?.lane;
    for (const [method, url] of [
      ['GET', '/api/me'],
      ['POST', '/api/auth/password'],
      ['POST', '/api/auth/logout-everywhere'],
      ['GET', '/api/auth/sessions'],
      ['GET', '/api/audit'],
      ['GET', '/api/oauth/grants'],
      ['GET', '/api/oauth/apps'],
      ['GET', '/api/oauth/clients'],
    ] as const) {
      expect(lane(method, url), `${method} ${url}`).toBe('first-party');
    }
    expect(routes.find((r) => r.url === '/api/resources/profile')).toMatchObject({ lane: 'resource', scopes: ['profile:read'] });
    const page = renderCredentialsPage(routes, 'en');
    expect(page).toContain('| GET | `/api/me` | `first-party` | `session`, `cookie`, `jwt` |');
    expect(page).toContain('| GET | `/api/resources/profile` | `resource` | `session`, `cookie`, `jwt`, `oauth` | `profile:read` |');
  });
});
