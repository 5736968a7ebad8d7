// The error contract as a client meets it on a real node: fixed messages that never repeat what the
// client sent, whichever way the request was wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../core/index.js';
import { createTestStack, type TestNode, type TestStack } from '../../test/support/app.js';

const MARKER = 'echo-marker-7f3a';

describe('error bodies never echo input', () => {
  let stack: TestStack;
  let node: TestNode;
  beforeAll(async () => {
    stack = await createTestStack();
    node = await stack.startNode();
  });
  afterAll(() => stack.dispose());

  it('an unknown path gets the registry message, not the path', async () => {
    const res = await fetch(`${node.url}/api/${MARKER}?q=${MARKER}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'GH_CORE_NOT_FOUND', message: ERRORS.GH_CORE_NOT_FOUND.message });
  });

  it('an unknown docs page gets the registry message, not its name', async () => {
    const res = await fetch(`${node.url}/docs/${MARKER}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'GH_CORE_NOT_FOUND', message: ERRORS.GH_CORE_NOT_FOUND.message });
  });

  it('a body with a property the route does not take names the object, not the client\'s key', async () => {
    const res = await fetch(`${node.url}/api/auth/password/forgot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com', [MARKER]: MARKER }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe('GH_CORE_VALIDATION');
    expect(JSON.stringify(body)).not.toContain(MARKER);
  });

  it('a missing field is named, as the schema declares it', async () => {
    const res = await fetch(`${node.url}/api/auth/password/forgot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'GH_CORE_VALIDATION', field: 'email', in: 'body' });
  });
});
