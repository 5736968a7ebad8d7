// Passwords an attacker guesses first: seasonal patterns, the service's own name, the user's email,
// blank or invisible ones. Each is refused at sign-up and at password change, with a coded reason.
import { describe, expect, it } from 'vitest';
import { ATTACK_STACK, useTestNode } from '../support/app.js';
import { TestClient, freshUser } from '../support/client.js';

describe('password rules refuse what is guessed first', () => {
  const env = useTestNode(ATTACK_STACK);

  const signup = (email: string, password: string) => new TestClient(env.node.url).post('/api/auth/signup', { email, password });

  it.each([
    ['Summer2024!', 'GH_AUTH_PASSWORD_WEAK'],
    ['gatehouse1', 'GH_AUTH_PASSWORD_WEAK'],
    ['GateHouse-2024', 'GH_AUTH_PASSWORD_WEAK'],
    ['welcome123', 'GH_AUTH_PASSWORD_'],
    ['          ', 'GH_AUTH_PASSWORD_WEAK'],
    ['\t\t\t\t\t\t\t\t\t', 'GH_AUTH_PASSWORD_'],
    ['correct\u200bhorse battery staple', 'GH_AUTH_PASSWORD_CHARACTERS'],
    ['correct horse\u0007battery staple', 'GH_AUTH_PASSWORD_CHARACTERS'],
    ['correct horse\u202ebattery staple', 'GH_AUTH_PASSWORD_CHARACTERS'],
  ])('refuses %j at sign-up', async (password, code) => {
    const response = await signup(freshUser('pw').email, password);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(new RegExp(`^${code}`));
    expect(response.body.field).toBe('password');
  });

  it("refuses a password built on the user's own email", async () => {
    const response = await signup('minji.kimura@hanbit-mail.example', 'minji.kimura2024');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'GH_AUTH_PASSWORD_WEAK', reason: 'context' });
    const domain = await signup('somebody@hanbitmail.example', 'hanbitmail!!2');
    expect(domain.status).toBe(400);
  });

  it("gives the estimator's feedback with a refusal, and accepts a strong password", async () => {
    const weak = await signup(freshUser('fb').email, 'Summer2024!');
    expect(weak.body).toMatchObject({ reason: 'guessable', score: expect.any(Number), suggestions: expect.any(Array) });
    expect(weak.body.score).toBeLessThan(3);
    // The feedback also comes as codes, which the sign-up form shows in the user's language.
    expect(weak.body.suggestionCodes).toContain('anotherWord');
    expect(weak.body.suggestions).toContain('Add more words that are less common.');
    expect(weak.body.suggestions).toHaveLength(weak.body.suggestionCodes.length);
    expect((await signup(freshUser('ok').email, 'tangerine otter orbits 42')).status).toBe(201);
  });

  it('the same rules hold at password change', async () => {
    const user = freshUser('change');
    const client = new TestClient(env.node.url);
    expect((await client.post('/api/auth/signup', user)).status).toBe(201);
    expect((await client.post('/api/auth/session/login', { email: user.email, password: user.password })).status).toBe(200);
    const response = await client.post('/api/auth/password', { currentPassword: user.password, newPassword: 'gatehouse1' });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('GH_AUTH_PASSWORD_WEAK');
  });
});
