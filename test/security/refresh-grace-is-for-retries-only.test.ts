// Property: refresh grace is for network retries only. The attack: a thief holding a used refresh
// token replays it inside the grace window after the rightful client already rotated past it (the
// successor has itself been used); the replay must count as reuse and kill the family.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClient } from '../support/client.js';
import { BACKENDS, bearer, endedBy, jwtLogin, jwtRefresh, signUp, socketWith, startSecurityStack, type SecurityStack } from './support.js';

// Each case walks a whole attack across real nodes; a loaded machine may need more than the default.
vi.setConfig({ testTimeout: 180_000 });

describe.each(BACKENDS)('refresh grace is for network retries only ($label)', (backend) => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack(backend);
  }, 120_000);
  afterAll(() => s?.dispose());

  it('a retry of a token whose successor is still unused gets the same successor', async () => {
    const user = await signUp(s.a, 'retry');
    const pair = await jwtLogin(s.a, user);
    const first = await jwtRefresh(s.a, pair.refresh);
    // The response was lost: the client sends the same token again, to another node.
    const retry = await jwtRefresh(s.b, pair.refresh);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).toBe(first.body.refresh_token);
    expect((await jwtRefresh(s.a, retry.body.refresh_token)).status).toBe(200);
  });

  it('a replay inside the grace window after the successor was used is reuse: the family dies everywhere', async () => {
    const user = await signUp(s.a, 'replay');
    const pair = await jwtLogin(s.a, user);
    const r1 = await jwtRefresh(s.a, pair.refresh);
    const r2 = await jwtRefresh(s.a, r1.body.refresh_token);
    expect(r2.status).toBe(200);
    const socket = await socketWith(s.a, { token: r2.body.access_token });
    const ended = endedBy(socket);

    // Seconds later, well inside the grace window: the thief replays the first token (on the other
    // node when Redis links the nodes' sockets).
    const replay = await jwtRefresh(backend.redis ? s.b : s.a, pair.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('GH_TOKEN_REFRESH_REUSED');
    expect(replay.body.refresh_token).toBeUndefined();

    expect((await ended).error).toBe('GH_REALTIME_REVOKED');
    expect((await jwtRefresh(s.b, r2.body.refresh_token)).status).toBe(401);
    expect((await new TestClient(s.b.url, { origin: null }).get('/api/me', bearer(r2.body.access_token))).body.error).toBe('GH_TOKEN_REVOKED');
  });
});
