// Sign-in with another provider never takes over an account. Each case is the attack, run against a
// real gatehouse A that signs its users in through a real gatehouse B (an OpenID provider that asserts
// `email_verified: true` for addresses it proved), on SQLite and on PostgreSQL + Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, expectProblemPage, startFederationPair, type FederationPair } from './federation-support.js';

describe.each(['sqlite', 'postgres'] as const)('federation account takeover (%s)', (dialect) => {
  let pair: FederationPair;
  beforeAll(async () => {
    pair = await startFederationPair(dialect);
    // "trusted": the operator trusts B for email; "plain": the default, it does not.
    await pair.addProvider('trusted', { trustEmail: true });
    await pair.addProvider('plain', { trustEmail: false });
  }, 120_000);
  afterAll(() => pair?.close());

  const linksOf = async (email: string) => {
    const user = await pair.a.gh.ctx.identity.findUserByEmail(email);
    return user ? pair.a.gh.ctx.database.db.selectFrom('federation_links').select(['provider', 'email_verified']).where('user_id', '=', user.id).execute() : [];
  };

  it('pre-account takeover: an attacker who signed up first with the victim’s address does not receive the victim’s sign-in', async () => {
    // The attacker registers at A with the victim's address (A never proved it) and keeps the password.
    await pair.a.signup('victim@example.com', 'attacker chose this password');
    // Later the victim, whose address B proved, signs in to A through B — a provider A trusts for email.
    await pair.verifiedAtB('victim@example.com', 'victim password at B');
    const victim = new Browser();
    const answer = await pair.signInThroughB(victim, 'trusted', 'victim@example.com', 'victim password at B');

    // Refused with the "an account exists — sign in and link" page, not a session in the attacker's account…
    expectProblemPage(answer, 'GH_OAUTH_LINK_REQUIRED', 'trusted');
    expect((await pair.me(victim)).status).toBe(401);
    // …and no link that would let the victim's B identity (and data) flow into the attacker's account.
    expect(await linksOf('victim@example.com')).toEqual([]);
    // The page itself is the web app (HTML), not JSON.
    const page = await victim.request(new URL(answer.headers.get('location')!, pair.a.origin));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  }, 120_000);

  it('admin takeover via asserted email: a provider vouching for the admin’s address does not sign anyone in as the admin', async () => {
    // A's admin; its address is even proven locally.
    await pair.a.gh.ctx.identity.signup({ email: 'root@a.example', password: 'root password 123456', roles: ['admin'], emailVerifiedVia: 'admin' });
    // At B, someone holds an account with the admin's address, and B asserts it verified.
    await pair.verifiedAtB('root@a.example', 'impostor password at B');

    // Through a provider the operator did not mark as trusted for email: refused.
    const impostor = new Browser();
    expectProblemPage(await pair.signInThroughB(impostor, 'plain', 'root@a.example', 'impostor password at B'), 'GH_OAUTH_LINK_REQUIRED', 'plain');
    const who = await pair.me(impostor);
    expect(who.status).toBe(401);
    expect(who.roles).not.toContain('admin');
    expect(await linksOf('root@a.example')).toEqual([]);
  }, 120_000);

  it('a trusted provider joins only an address the local account proved too', async () => {
    // Unproven local address (anyone could have signed up with it): refused even for a trusted provider.
    await pair.a.gh.ctx.identity.signup({ email: 'boss@a.example', password: 'boss password 123456', roles: ['admin'] });
    await pair.verifiedAtB('boss@a.example', 'boss password at B');
    const first = new Browser();
    expectProblemPage(await pair.signInThroughB(first, 'trusted', 'boss@a.example', 'boss password at B'), 'GH_OAUTH_LINK_REQUIRED', 'trusted');
    expect((await pair.me(first)).status).toBe(401);

    // Both sides proved the address and the operator trusts B for email: the one automatic join.
    await pair.a.gh.ctx.identity.signup({ email: 'kim@a.example', password: 'kim password 123456', emailVerifiedVia: 'email-link' });
    await pair.verifiedAtB('kim@a.example', 'kim password at B');
    const kim = new Browser();
    const joined = await pair.signInThroughB(kim, 'trusted', 'kim@a.example', 'kim password at B');
    expect(joined.status).toBe(303);
    expect(joined.headers.get('location')).toBe('/');
    expect((await pair.me(kim)).email).toBe('kim@a.example');
    // B's assertion really was "verified" — the precondition every refusal above stood against.
    expect(await linksOf('kim@a.example')).toEqual([{ provider: 'trusted', email_verified: 1 }]);
  }, 120_000);

  it('a new account records its address as verified only on the word of a provider trusted for email', async () => {
    await pair.verifiedAtB('new-trusted@example.com', 'new trusted password');
    await pair.verifiedAtB('new-plain@example.com', 'new plain password');
    expect((await pair.signInThroughB(new Browser(), 'trusted', 'new-trusted@example.com', 'new trusted password')).status).toBe(303);
    expect((await pair.signInThroughB(new Browser(), 'plain', 'new-plain@example.com', 'new plain password')).status).toBe(303);
    const trusted = await pair.a.gh.ctx.identity.findUserByEmail('new-trusted@example.com');
    const plain = await pair.a.gh.ctx.identity.findUserByEmail('new-plain@example.com');
    expect(trusted).toMatchObject({ emailVerifiedVia: 'provider:trusted', emailVerifiedAt: expect.any(Number) });
    // Otherwise a provider the operator does not trust could mint "verified" accounts that a trusted
    // provider's later sign-in of the real owner would then join.
    expect(plain).toMatchObject({ emailVerifiedVia: null, emailVerifiedAt: null });
  }, 120_000);

  it('forced linking: a cross-site navigation cannot attach the attacker’s provider account to a signed-in victim', async () => {
    await pair.a.signup('lee@example.com', 'lee password 123456');
    await pair.b.signup('mallory@example.com', 'mallory password at B');
    const victim = new Browser();
    await pair.passwordLogin(victim, 'lee@example.com', 'lee password 123456');

    // The attacker's page navigates the victim to the old link URL; the victim's browser is signed in
    // at B as the attacker (login CSRF at the provider). It must not link — it is a plain sign-in.
    const answer = await pair.signInThroughB(victim, 'plain', 'mallory@example.com', 'mallory password at B', '/api/auth/federation/plain/start?link=1&return_to=/account');
    expect(answer.status).toBe(303);
    expect(await linksOf('lee@example.com')).toEqual([]);
    // Linking is a POST with JSON, so a cross-site form cannot start it.
    const forged = await victim.request(`${pair.a.origin}/api/auth/federation/plain/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'returnTo=/account',
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toBe('GH_AUTH_CSRF');
    // Mallory signing in through B reaches Mallory's own new account, never Lee's.
    const mallory = new Browser();
    await pair.signInThroughB(mallory, 'plain', 'mallory@example.com', 'mallory password at B');
    expect((await pair.me(mallory)).email).toBe('mallory@example.com');
  }, 120_000);

  it('the owner links explicitly while signed in; a link asked for before "log out everywhere" is void', async () => {
    await pair.a.signup('nora@example.com', 'nora password 123456');
    await pair.verifiedAtB('nora@example.com', 'nora password at B');
    const nora = new Browser();
    await pair.passwordLogin(nora, 'nora@example.com', 'nora password 123456');

    // Started, then the account's credentials are ended before the provider sends the browser back.
    const started = await nora.request(`${pair.a.origin}/api/auth/federation/plain/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: pair.a.origin },
      body: '{}',
    });
    const { authorizationUrl } = (await started.json()) as { authorizationUrl: string };
    const user = await pair.a.gh.ctx.identity.findUserByEmail('nora@example.com');
    await pair.a.gh.ctx.identity.bumpCredentialVersion(user!.id);
    const { authorizeInBrowser } = await import('../oauth/support.js');
    const callback = await authorizeInBrowser({ authorizationUrl: new URL(authorizationUrl), origin: pair.b.origin, email: 'nora@example.com', password: 'nora password at B', browser: nora });
    expectProblemPage(await nora.request(callback), 'GH_FEDERATION_LINK_SESSION', 'plain');
    expect(await linksOf('nora@example.com')).toEqual([]);

    // Signed in again, the explicit link works, and from then on B signs Nora in to her account.
    const again = new Browser();
    await pair.passwordLogin(again, 'nora@example.com', 'nora password 123456');
    const linked = await pair.linkThroughB(again, 'plain', 'nora@example.com', 'nora password at B');
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toBe('/account');
    expect(await linksOf('nora@example.com')).toEqual([{ provider: 'plain', email_verified: 1 }]);
    const later = new Browser();
    await pair.signInThroughB(later, 'plain', 'nora@example.com', 'nora password at B');
    expect((await pair.me(later)).email).toBe('nora@example.com');
  }, 120_000);

  it('a disabled account is not signed in to through its link', async () => {
    await pair.verifiedAtB('olga@example.com', 'olga password at B');
    expect((await pair.signInThroughB(new Browser(), 'plain', 'olga@example.com', 'olga password at B')).status).toBe(303);
    const olga = await pair.a.gh.ctx.identity.findUserByEmail('olga@example.com');
    await pair.a.gh.ctx.database.db.updateTable('users').set({ disabled_at: Date.now() }).where('id', '=', olga!.id).execute();
    const browser = new Browser();
    expectProblemPage(await pair.signInThroughB(browser, 'plain', 'olga@example.com', 'olga password at B'), 'GH_FEDERATION_ACCOUNT_DISABLED', 'plain');
    expect((await pair.me(browser)).status).toBe(401);
  }, 120_000);
});
