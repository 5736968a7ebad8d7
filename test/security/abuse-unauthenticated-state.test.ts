// Growing the store without signing in: every route that stores a record before login is limited per
// client address (its records already expire within minutes: pending federation flows 10 min,
// OpenID interactions 15 min).
import { describe, expect, it } from 'vitest';
import { ATTACK_STACK, useTestNode } from '../support/app.js';

describe('unauthenticated state-creating routes are rate-limited per client', () => {
  const env = useTestNode(ATTACK_STACK);

  it.each([
    ['federation start', '/api/auth/federation/somewhere/start?return_to=/', 40],
    ['provider logout', '/oidc/session/end', 70],
    ['authorization (interaction start)', '/oidc/auth?client_id=nobody&response_type=code&scope=openid', 70],
  ])('%s answers 429 once one client passes the limit', async (_label, path, count) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) statuses.push((await fetch(`${env.node.url}${path}`, { redirect: 'manual' })).status);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s < 500)).toBe(true);
  });
});
