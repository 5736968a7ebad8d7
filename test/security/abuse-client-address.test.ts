// Spoofing the client address: in every shipped topology the throttles, sessions and audit log see
// the true client, whatever X-Forwarded-For a client sends; metrics answer this machine only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer, type RunningBalancer } from '../../src/balancer/index.js';
import { encodeProxyV1, encodeProxyV2 } from '../../src/balancer/proxy-protocol/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { TestClient } from '../support/client.js';
import { httpBytes, rawExchange } from './abuse-support.js';

const SPOOFED = '198.51.100.99';
const FAST = { passwords: { memoryCostKiB: 1024, timeCost: 1 }, cookies: { secure: false as const } };

/** The client addresses the audit log recorded for failed logins on this node's store. */
async function failedLoginIps(node: TestNode): Promise<(string | null)[]> {
  const events = await node.node.ctx.identity.audit.list({ limit: 500 });
  return events.filter((e) => e.type === 'login.failure').map((e) => e.ip);
}

const loginBody = (email: string) => JSON.stringify({ email, password: 'not the password 1' });

describe('the client address cannot be spoofed', () => {
  let stack: TestStack;
  const balancers: RunningBalancer[] = [];

  beforeAll(async () => {
    stack = await createTestStack({ config: FAST });
  }, 60_000);
  afterAll(async () => {
    for (const b of balancers) await b.close();
    await stack?.dispose();
  });

  it('a lone node believes no X-Forwarded-For by default', async () => {
    const node = await stack.startNode();
    const client = new TestClient(node.url, { headers: { 'x-forwarded-for': SPOOFED } });
    expect((await client.post('/api/auth/jwt/login', { email: 'nobody-1@example.test', password: 'not the password 1' })).status).toBe(401);
    const ips = await failedLoginIps(node);
    expect(ips).toContain('127.0.0.1');
    expect(ips).not.toContain(SPOOFED);
    // The per-IP throttle counts the real address: rotating a claimed address does not reset it.
    expect(await node.node.ctx.kv.get(`throttle:ip:${SPOOFED}:count`)).toBeNull();
    expect(Number(await node.node.ctx.kv.get('throttle:ip:127.0.0.1:count'))).toBeGreaterThan(0);
  });

  it('behind the L7 balancer the node trusts the balancer only: a client-sent X-Forwarded-For is dropped', async () => {
    const node = await stack.startNode({ server: { trustProxy: '127.0.0.1' } });
    const lb = await startBalancer({ mode: 'http', listen: '127.0.0.1:0', admin: false, backends: [`127.0.0.1:${node.port}`] });
    balancers.push(lb);
    const response = await rawExchange(lb.port, httpBytes('POST', '/api/auth/jwt/login', { 'content-type': 'application/json', 'x-forwarded-for': SPOOFED, forwarded: `for=${SPOOFED}` }, loginBody('nobody-2@example.test')));
    expect(response).toMatch(/^HTTP\/1\.1 401/);
    const ips = await failedLoginIps(node);
    expect(ips).not.toContain(SPOOFED);
    expect(ips).toContain('127.0.0.1');
  });

  for (const version of ['v1', 'v2'] as const) {
    it(`behind the L4 balancer (PROXY ${version}) the address comes from the PROXY header and X-Forwarded-For is ignored`, async () => {
      const node = await stack.startNode({ server: { proxyProtocol: true } });
      const lb = await startBalancer({ mode: 'tcp', listen: '127.0.0.1:0', admin: false, proxyProtocol: version, backends: [`127.0.0.1:${node.port}`] });
      balancers.push(lb);
      const response = await rawExchange(lb.port, httpBytes('POST', '/api/auth/jwt/login', { 'content-type': 'application/json', 'x-forwarded-for': SPOOFED }, loginBody(`nobody-${version}@example.test`)));
      expect(response).toMatch(/^HTTP\/1\.1 401/);
      const ips = await failedLoginIps(node);
      expect(ips).not.toContain(SPOOFED);
      expect(ips).toContain('127.0.0.1');
    });
  }

  it('the PROXY header is what names the client (v1 and v2), and a connection without one is closed', async () => {
    const node = await stack.startNode({ server: { proxyProtocol: true } });
    const destination = { address: '127.0.0.1', port: node.port };
    const v1 = encodeProxyV1({ source: { address: '203.0.113.41', port: 40001 }, destination });
    const v2 = encodeProxyV2({ source: { address: '2001:db8::42', port: 40002 }, destination: { address: '::1', port: node.port } });
    for (const [header, email] of [[v1, 'v1@example.test'], [v2, 'v2@example.test']] as const) {
      const response = await rawExchange(node.port, Buffer.concat([header, httpBytes('POST', '/api/auth/jwt/login', { 'content-type': 'application/json', 'x-forwarded-for': SPOOFED }, loginBody(email))]));
      expect(response).toMatch(/^HTTP\/1\.1 401/);
    }
    const ips = await failedLoginIps(node);
    expect(ips).toEqual(expect.arrayContaining(['203.0.113.41', '2001:db8::42']));
    expect(ips).not.toContain(SPOOFED);
    // Without a header, nothing is answered: a client cannot skip the balancer to pick its own address.
    expect(await rawExchange(node.port, httpBytes('GET', '/healthz', {}))).toBe('');
  });

  it('/metrics answers loopback clients and the configured token only', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const node = await stack.startNode({ server: { proxyProtocol: true, metricsToken: token } });
    const from = (address: string) => encodeProxyV1({ source: { address, port: 40100 }, destination: { address: '127.0.0.1', port: node.port } });
    const remote = await rawExchange(node.port, Buffer.concat([from('203.0.113.60'), httpBytes('GET', '/metrics', {})]));
    expect(remote).toMatch(/^HTTP\/1\.1 403/);
    expect(remote).not.toContain('gatehouse_http_requests_total');
    const wrongToken = await rawExchange(node.port, Buffer.concat([from('203.0.113.60'), httpBytes('GET', '/metrics', { authorization: 'Bearer guess-guess-guess-guess' })]));
    expect(wrongToken).toMatch(/^HTTP\/1\.1 403/);
    const withToken = await rawExchange(node.port, Buffer.concat([from('203.0.113.60'), httpBytes('GET', '/metrics', { authorization: `Bearer ${token}` })]));
    expect(withToken).toMatch(/^HTTP\/1\.1 200/);
    expect(withToken).toContain('gatehouse_http_requests_total');
    const local = await rawExchange(node.port, Buffer.concat([from('127.0.0.1'), httpBytes('GET', '/metrics', {})]));
    expect(local).toMatch(/^HTTP\/1\.1 200/);
  });

  it('/metrics refuses a remote client that claims to be loopback through a forwarding header', async () => {
    const node = await stack.startNode({ server: { trustProxy: '127.0.0.1' } });
    // A remote client as the node sees it behind the L7 balancer (X-Forwarded-For set by the trusted hop).
    const remote = await rawExchange(node.port, httpBytes('GET', '/metrics', { 'x-forwarded-for': '203.0.113.61' }));
    expect(remote).toMatch(/^HTTP\/1\.1 403/);
  });
});
