// The benchmark's "node as users run it": a real `gatehouse serve` started through the CLI, signed in
// with every credential kind, and distinct tokens minted with its own key — each of which must really
// authenticate, or the bench would be measuring 401s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessTokens, startServeNode, type ServeNode } from '../../bench/lib/serve-node.js';

describe('bench: a gatehouse serve node', () => {
  let node: ServeNode;

  beforeAll(async () => {
    node = await startServeNode();
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('answers GET /api/me for the session, the sealed cookie and the bearer JWT it signed in with', async () => {
    const me = (headers: Record<string, string>) => fetch(`${node.base}/api/me`, { headers });
    const answers = await Promise.all([me({ cookie: node.credentials.session }), me({ cookie: node.credentials.cookie }), me({ authorization: `Bearer ${node.credentials.jwt}` })]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { user: { id: string }; credential: { kind: string } }[];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(bodies.map((b) => b.credential.kind)).toEqual(['session', 'cookie', 'jwt']);
    for (const body of bodies) expect(body.user.id).toBe(node.credentials.userId);
  });

  it('mints distinct access tokens the node accepts', async () => {
    const tokens = await mintAccessTokens(node, 3);
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) {
      const response = await fetch(`${node.base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }
  });
});
