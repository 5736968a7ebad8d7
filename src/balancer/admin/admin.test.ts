import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../balancer.js';
import { request, startTestBackend, type TestBackend } from '../../../test/support/balancer/backends.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const TOKEN = 'an-admin-token-for-these-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup(extra: Record<string, unknown> = { adminToken: TOKEN }): Promise<{ lb: RunningBalancer; backends: TestBackend[] }> {
  const backends = await Promise.all([startTestBackend('b1'), startTestBackend('b2'), startTestBackend('b3')]);
  cleanups.push(async () => void (await Promise.all(backends.map((b) => b.kill()))));
  const lb = await startBalancer({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', backends: backends.slice(0, 2).map((b) => `127.0.0.1:${b.port},id=${b.id}`), ...extra });
  cleanups.push(() => lb.close());
  return { lb, backends };
}

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });

describe('admin API', () => {
  it('lists backends with their figures', async () => {
    const { lb } = await setup();
    await request(lb.port, '/');
    const res = await request(lb.adminPort!, '/backends', { headers: auth });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { algorithm: string; backends: Record<string, unknown>[] };
    expect(body.algorithm).toBe('round-robin');
    expect(body.backends).toHaveLength(2);
    expect(body.backends[0]).toMatchObject({ id: 'b1', state: 'up', weight: 1, activeConnections: 0, requests: 1, failures: 0 });
    expect(typeof body.backends[0]!.latencyMs).toBe('number');
  });

  it('adds, reweights, drains and removes backends live', async () => {
    const { lb, backends } = await setup();
    const added = await request(lb.adminPort!, '/backends', { method: 'POST', ...json({ host: '127.0.0.1', port: backends[2]!.port, id: 'b3', weight: 2 }) });
    expect(added.status).toBe(201);
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) ids.add((JSON.parse((await request(lb.port, '/')).body) as { id: string }).id);
    expect(ids).toEqual(new Set(['b1', 'b2', 'b3']));

    const patched = await request(lb.adminPort!, '/backends/b1', { method: 'PATCH', ...json({ weight: 5 }) });
    expect(JSON.parse(patched.body)).toMatchObject({ id: 'b1', weight: 5 });

    expect((await request(lb.adminPort!, '/backends/b2/drain', { method: 'POST', headers: auth })).status).toBe(202);
    expect(lb.pool.get('b2')!.state).toBe('draining');
    for (let i = 0; i < 6; i++) expect((JSON.parse((await request(lb.port, '/')).body) as { id: string }).id).not.toBe('b2');

    // A drain can be taken back: the backend rejoins the rotation (without a token: refused).
    expect((await request(lb.adminPort!, '/backends/b2/undrain', { method: 'POST' })).status).toBe(401);
    const undrained = await request(lb.adminPort!, '/backends/b2/undrain', { method: 'POST', headers: auth });
    expect(undrained.status).toBe(200);
    expect(['up', 'slow-start']).toContain(JSON.parse(undrained.body).state);
    const seen = new Set<string>();
    for (let i = 0; i < 12 && !seen.has('b2'); i++) seen.add((JSON.parse((await request(lb.port, '/')).body) as { id: string }).id);
    expect(seen.has('b2')).toBe(true);
    expect((await request(lb.adminPort!, '/backends/b2/drain', { method: 'POST', headers: auth })).status).toBe(202);

    expect((await request(lb.adminPort!, '/backends/b2', { method: 'DELETE', headers: auth })).status).toBe(204);
    expect(lb.pool.get('b2')).toBeUndefined();
    const missing = await request(lb.adminPort!, '/backends/b2', { method: 'DELETE', headers: auth });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'GH_BALANCER_BACKEND_NOT_FOUND' });
  });

  it('switches the algorithm live and refuses unknown ones', async () => {
    const { lb } = await setup();
    expect(JSON.parse((await request(lb.adminPort!, '/algorithm', { headers: auth })).body)).toMatchObject({ name: 'round-robin' });
    const ok = await request(lb.adminPort!, '/algorithm', { method: 'PUT', ...json({ name: 'least-connections' }) });
    expect(JSON.parse(ok.body)).toEqual({ name: 'least-connections' });
    expect(lb.pool.algorithm).toBe('least-connections');
    const bad = await request(lb.adminPort!, '/algorithm', { method: 'PUT', ...json({ name: 'fastest-ever' }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'GH_BALANCER_CONFIG_INVALID' });
  });

  it('rejects bad bodies with coded errors, never crashing', async () => {
    const { lb } = await setup();
    for (const body of ['{not json', '[]', JSON.stringify({ host: 'x', port: 'nope' }), JSON.stringify({ host: '', port: 1 })]) {
      const res = await request(lb.adminPort!, '/backends', { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error).toMatch(/^GH_BALANCER_/);
    }
    expect((await request(lb.adminPort!, '/backends/b1', { method: 'PATCH', ...json({ weight: -3 }) })).status).toBe(400);
    expect((await request(lb.adminPort!, '/nowhere', { headers: auth })).status).toBe(404);
    expect((await request(lb.adminPort!, '/backends', { headers: auth })).status).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    const { lb } = await setup();
    await request(lb.port, '/');
    const res = await request(lb.adminPort!, '/metrics', { headers: auth });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE gatehouse_balancer_backend_requests_total counter');
    expect(res.body).toMatch(/gatehouse_balancer_backend_requests_total\{backend="b1"\} 1/);
    expect(res.body).toMatch(/gatehouse_balancer_backend_state\{backend="b2",state="up"\} 1/);
  });

  it('requires the bearer token when one is configured', async () => {
    const token = 'a-long-admin-token-for-tests';
    const { lb } = await setup({ adminToken: token });
    const denied = await request(lb.adminPort!, '/backends');
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toMatchObject({ error: 'GH_BALANCER_UNAUTHORIZED' });
    expect(denied.body).not.toContain(token);
    expect((await request(lb.adminPort!, '/backends', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request(lb.adminPort!, '/backends', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('without a token, only reads: nobody on the host can add a backend or drain the real ones', async () => {
    const { lb, backends } = await setup({});
    expect((await request(lb.adminPort!, '/backends')).status).toBe(200);
    const add = await request(lb.adminPort!, '/backends', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host: '127.0.0.1', port: backends[2]!.port, id: 'evil' }) });
    expect(add.status).toBe(401);
    expect(JSON.parse(add.body)).toMatchObject({ error: 'GH_BALANCER_UNAUTHORIZED' });
    expect((await request(lb.adminPort!, '/backends/b1/drain', { method: 'POST' })).status).toBe(401);
    expect(lb.pool.list().map((b) => `${b.id}:${b.state}`)).toEqual(['b1:up', 'b2:up']);
  });

  it('refuses a request whose Host is not its own address (DNS rebinding), even with the token', async () => {
    const { lb } = await setup();
    for (const host of ['rebind.attacker.example', `rebind.attacker.example:${lb.adminPort!}`, '127.0.0.1:1']) {
      const res = await request(lb.adminPort!, '/backends/b1/drain', { method: 'POST', headers: { ...auth, host } });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'GH_BALANCER_ADMIN_HOST_REFUSED' });
    }
    expect(lb.pool.get('b1')!.state).toBe('up');
    expect((await request(lb.adminPort!, '/backends', { headers: { ...auth, host: `localhost:${lb.adminPort!}` } })).status).toBe(200);
  });

  it('takes only JSON bodies: a form post (a cross-site simple request) is refused', async () => {
    const { lb, backends } = await setup();
    const form = await request(lb.adminPort!, '/backends', { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: `host=127.0.0.1&port=${backends[2]!.port}` });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body)).toMatchObject({ error: 'GH_BALANCER_ADMIN_JSON_REQUIRED' });
    const plain = await request(lb.adminPort!, '/algorithm', { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: '{"name":"ip-hash"}' });
    expect(plain.status).toBe(415);
    expect(lb.pool.algorithm).toBe('round-robin');
    expect(lb.pool.list()).toHaveLength(2);
  });

  it('refuses to start an admin API off loopback without a token', async () => {
    await expect(startBalancer({ listen: '127.0.0.1:0', admin: '0.0.0.0:0', backends: [] })).rejects.toMatchObject({ code: 'GH_BALANCER_CONFIG_INVALID' });
  });
});
