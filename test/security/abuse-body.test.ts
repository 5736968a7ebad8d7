// Oversized and deeply nested bodies: an authentication route takes a few KiB, every route refuses
// JSON nested deeper than any real body before parsing it, and the node keeps answering throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../src/http/body-limits.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient } from '../support/client.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('request bodies are sized to their route', () => {
  let stack: TestStack;
  let node: TestNode;
  let client: TestClient;

  beforeAll(async () => {
    stack = await createTestStack({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false } } });
    node = await stack.startNode();
    client = new TestClient(node.url);
  }, 60_000);
  afterAll(() => stack?.dispose());

  it.each(['/api/auth/session/login', '/api/auth/signup', '/api/auth/jwt/login', '/api/auth/cookie/login'])('%s refuses a 16 KiB body with 413', async (path) => {
    const response = await client.request('POST', path, { body: JSON.stringify({ email: 'a@example.test', password: 'p'.repeat(16 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: 'GH_CORE_BODY_TOO_LARGE' });
  });

  it('a 1 MiB nested body is refused with a code, and the node keeps answering while it arrives', async () => {
    const attacks = ['/api/auth/session/login', '/api/preferences', '/api/oauth/clients'].map((path) =>
      client.request(path === '/api/preferences' ? 'PUT' : 'POST', path, { body: `{"a":${nested(512 * 1024)}}`, headers: { 'content-type': 'application/json' } }),
    );
    const health = client.get('/healthz');
    const results = await Promise.all(attacks);
    for (const response of results) {
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ error: 'GH_CORE_BODY_TOO_LARGE' });
    }
    expect((await health).status).toBe(200);
  });

  it('JSON nested deeper than any real body is refused before it is parsed, within the size limit', async () => {
    const response = await client.request('PUT', '/api/preferences', { body: `{"theme":${nested(20_000)}}`, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'GH_CORE_BODY_TOO_DEEP' });
    // Ordinary bodies still pass.
    const fine = await client.request('PUT', '/api/preferences', { body: JSON.stringify({ theme: 'dark' }), headers: { 'content-type': 'application/json' } });
    expect(fine.status).toBe(200);
  });

  it('counts depth outside strings only', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ text: '['.repeat(1000) }), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ text: 'a\\"[[[' + '['.repeat(100) }), MAX_JSON_DEPTH)).toBe(false);
  });
});
