import { describe, expect, it } from 'vitest';
import type { GrantView, PrincipalView, SessionView } from '../../web/src/api/types.js';
import { en } from '../../web/src/i18n/en.js';
import { ko } from '../../web/src/i18n/ko.js';
import { format } from '../../web/src/i18n/messages.js';
import { decodeToken } from '../../web/src/lib/jwt.js';
import { COOKIE_POLICY, cookieSteps, jwtSteps, oauthSteps, sessionSteps, type Observed, type Step } from '../../web/src/lib/steps.js';

const me = (kind: PrincipalView['credential']['kind']): PrincipalView => ({
  user: { id: 'u1', email: 'a@example.com', name: 'Ada', roles: ['user'], createdAt: 0 },
  credential: { kind, id: kind === 'session' ? 's1' : null, expiresAt: 2_000_000, scopes: [] },
});
const nothing: Observed = { me: null, lastLogin: null, lastMe: null, session: null, token: null, tokenExpiresAt: null, verdict: null, visibleCookies: [], grant: null, now: 1_000_000 };
const facts = (step: Step | undefined) => Object.fromEntries((step?.facts ?? []).map((f) => [f.label, f.value]));

describe('the note’s step lists', () => {
  it('follow the note: cookie 1–4, session 1–5, JWT 1–5, OAuth 1–5, titles in both languages', () => {
    const lists = [cookieSteps(nothing), sessionSteps(nothing), jwtSteps(nothing), oauthSteps(nothing)];
    expect(lists.map((l) => l.map((s) => s.n))).toEqual([[1, 2, 3, 4], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]);
    for (const step of lists.flat()) {
      expect(en[step.title]).toBeTruthy();
      expect(ko[step.title]).toBeTruthy();
    }
    expect(ko['explain.cookie.2']).toBe('서버에서 쿠키 생성 후 클라이언트로 전달');
    expect(lists.flat().every((s) => !s.seen)).toBe(true);
  });

  it('cookie mode: the sealed cookie, its flags, its value hidden, the request that carried it', () => {
    const steps = cookieSteps({
      ...nothing,
      me: me('cookie'),
      lastLogin: { mode: 'cookie', at: 0, status: 200, node: 'node-2', expiresAt: 2_000_000 },
      lastMe: { at: 5, status: 200, node: 'node-3' },
    });
    expect(steps.every((s) => s.seen)).toBe(true);
    expect(facts(steps[0])['fact.node']).toBe('node-2');
    expect(facts(steps[1])['fact.cookieName']).toBe(COOKIE_POLICY.auth.name);
    expect(facts(steps[1])['fact.flags']).toContain('HttpOnly');
    expect(facts(steps[1])['fact.value']).toEqual({ msg: 'fact.valueHidden' });
    expect(facts(steps[2])['fact.request']).toBe('GET /api/me');
    expect(facts(steps[3])['fact.user']).toBe('Ada (u1)');
  });

  it('session mode: the record the store holds, with its expiries', () => {
    const session: SessionView = { id: 's1', kind: 'session', createdAt: 1, lastSeenAt: 2, idleExpiresAt: 3, absoluteExpiresAt: 4, ip: '127.0.0.1', userAgent: 'Chromium', current: true };
    const steps = sessionSteps({ ...nothing, me: me('session'), session, lastMe: { at: 5, status: 200, node: null } }, (ms) => `t${ms}`);
    expect(facts(steps[3])['fact.sessionId']).toBe('s1');
    expect(facts(steps[3])['fact.ip']).toBe('127.0.0.1');
    expect(facts(steps[4])['fact.idleExpiry']).toBe('t3');
    expect(facts(steps[4])['fact.absoluteExpiry']).toBe('t4');
    // A session record shown only for session mode: cookie mode has none.
    expect(sessionSteps({ ...nothing, me: me('cookie'), session })[3]?.seen).toBe(false);
  });

  it('JWT mode: header, payload, signature and the browser’s verdict', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = decodeToken(`${enc({ alg: 'EdDSA', kid: 'k1' })}.${enc({ sub: 'u1', exp: 1100 })}.${Buffer.alloc(64).toString('base64url')}`);
    const steps = jwtSteps({ ...nothing, token, tokenExpiresAt: 1_060_000, verdict: { state: 'unsupported', alg: 'EdDSA' } });
    expect(JSON.parse(String(facts(steps[1])['fact.header']))).toEqual({ alg: 'EdDSA', kid: 'k1' });
    expect(JSON.parse(String(facts(steps[2])['fact.payload']))).toEqual({ sub: 'u1', exp: 1100 });
    expect(facts(steps[3])['fact.check']).toEqual({ msg: 'explain.verify.unsupported', vars: { alg: 'EdDSA' } });
    expect(facts(steps[4])['fact.expiresIn']).toBe('60 s');
  });

  it('OAuth: the last grant, as GET /api/oauth/grants sends it', () => {
    const grant: GrantView = { id: 'g1', clientId: 'demo', clientName: 'Demo app', scopes: ['openid', 'profile'], createdAt: 1700000000000, expiresAt: null };
    const steps = oauthSteps({ ...nothing, grant });
    expect(steps.every((s) => s.seen)).toBe(true);
    expect(facts(steps[0])['fact.client']).toBe('Demo app (demo)');
    expect(facts(steps[2])['fact.scopes']).toBe('openid profile');
  });
});

describe('catalogues', () => {
  it('Korean fills every English key, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(ko[key], key).toBeTruthy();
      expect(holes(ko[key]), key).toEqual(holes(en[key]));
    }
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
