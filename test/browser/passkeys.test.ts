// Passkeys in real Chromium with a CDP virtual authenticator: a user registers a named passkey, logs
// out, signs in with the passkey alone, uses it as the second step after the password, and a cloned
// authenticator (the same key with an older signature counter) is refused. The node's public origin is
// http://localhost:<port>: WebAuthn accepts no IP address as a relying party ID.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { freshUser } from '../support/client.js';
import { totpCode } from '../../src/identity/index.js';

vi.setConfig({ testTimeout: 240_000 });

/** What the virtual authenticator holds: the private key, the RP ID, the signature counter. */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

describe('passkeys in Chromium', () => {
  let stack: TestStack;
  let node: TestNode;
  let origin: string;
  let browser: Browser;
  const who = freshUser('passkey');
  let snapshot: VirtualCredential;

  const authenticator = async (context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; id: string }> => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { cdp, id: authenticatorId };
  };
  const passkeyLogin = async (page: Page): Promise<string | null> => {
    await page.goto(`${origin}/login`);
    await page.getByTestId('mode-session').check();
    await page.getByTestId('passkey-login').click();
    return Promise.race([
      page.waitForURL('**/explain', { timeout: 30_000 }).then(() => null),
      page.getByRole('alert').waitFor({ timeout: 30_000 }).then(() => page.getByRole('alert').textContent()),
    ]);
  };
  const me = (page: Page) => page.evaluate(async () => (await fetch('/api/me')).status);

  beforeAll(async () => {
    stack = await createTestStack({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
    // A first start picks a free port; the node then restarts on it with localhost as its origin.
    node = await stack.startNode();
    origin = `http://localhost:${node.port}`;
    await node.close();
    node = await stack.startNode({ server: { port: node.port, publicUrl: origin } });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  it('registers a named passkey, then signs in with it alone; a clone with an older counter is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, id } = await authenticator(context, page);
    await page.goto(`${origin}/signup`);
    await page.getByTestId('email').fill(who.email);
    await page.getByTestId('password').fill(who.password);
    await page.getByTestId('mode-session').check();
    await page.getByTestId('submit').click();
    await page.waitForURL('**/explain');
    await page.goto(`${origin}/account`);
    await page.getByTestId('passkey-name').fill('Work laptop');
    await page.getByTestId('passkey-add').click();
    await expect.poll(() => page.getByTestId('passkey').allTextContents(), { timeout: 30_000 }).toEqual([expect.stringContaining('Work laptop')]);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
    expect(credentials).toHaveLength(1);
    snapshot = credentials[0]!;
    await screenshot(page, 'passkeys-registered');
    await page.getByTestId('logout').click();
    await expect.poll(() => me(page), { timeout: 30_000 }).toBe(401);

    // The passkey alone: no email, no password.
    expect(await passkeyLogin(page)).toBeNull();
    expect(await me(page)).toBe(200);
    const session = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { email: string }; credential: { kind: string } });
    expect(session).toMatchObject({ user: { email: who.email }, credential: { kind: 'session' } });

    // A clone: the same private key in another authenticator, its counter from before the last use.
    const cloneContext = await browser.newContext();
    const clonePage = await cloneContext.newPage();
    const clone = await authenticator(cloneContext, clonePage);
    await clone.cdp.send('WebAuthn.addCredential', { authenticatorId: clone.id, credential: { ...snapshot } });
    const refused = await passkeyLogin(clonePage);
    expect(refused).toContain('may have been cloned');
    expect(await me(clonePage)).toBe(401);
    await cloneContext.close();

    // The genuine authenticator keeps working, and the owner's log shows the refused clone.
    await page.getByTestId('logout').click();
    await expect.poll(() => me(page), { timeout: 30_000 }).toBe(401);
    expect(await passkeyLogin(page)).toBeNull();
    const audit = await page.evaluate(async () => (await (await fetch('/api/audit')).json()) as { events: { type: string; data: Record<string, unknown> }[] });
    expect(audit.events.some((e) => e.type === 'login.failure' && e.data.reason === 'GH_MFA_PASSKEY_COUNTER')).toBe(true);
    await context.close();
  });

  it('after the password, the passkey is the second step; several can be registered, named and removed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, id } = await authenticator(context, page);
    await cdp.send('WebAuthn.addCredential', { authenticatorId: id, credential: { ...snapshot, signCount: 1000 } });
    await page.goto(`${origin}/login`);
    await page.getByTestId('email').fill(who.email);
    await page.getByTestId('password').fill(who.password);
    await page.getByTestId('mode-cookie').check();
    await page.getByTestId('submit').click();
    await page.getByTestId('second-factor-passkey').click();
    await page.waitForURL('**/explain', { timeout: 30_000 });
    expect(await me(page)).toBe(200);
    // A second authenticator (a security key), registered beside the first.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
    await authenticator(context, page);
    await page.goto(`${origin}/account`);
    await page.getByTestId('passkey-name').fill('Security key');
    await page.getByTestId('passkey-add').click();
    await expect.poll(() => page.getByTestId('passkey').count(), { timeout: 30_000 }).toBe(2);
    const listed = await page.evaluate(async () => (await (await fetch('/api/account/passkeys')).json()) as { passkeys: { id: string; name: string }[] });
    expect(listed.passkeys.map((p) => p.name)).toEqual(['Work laptop', 'Security key']);
    const renamed = await page.evaluate(async (id) => {
      const res = await fetch(`/api/account/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Old laptop' }) });
      return res.json() as Promise<{ name: string }>;
    }, listed.passkeys[0]!.id);
    expect(renamed.name).toBe('Old laptop');
    await page.reload();
    await expect.poll(() => page.getByTestId('passkey').allTextContents(), { timeout: 30_000 }).toEqual([expect.stringContaining('Old laptop'), expect.stringContaining('Security key')]);
    await page.getByTestId('passkey-remove').first().click();
    await expect.poll(() => page.getByTestId('passkey').allTextContents(), { timeout: 30_000 }).toEqual([expect.stringContaining('Security key')]);
    await context.close();
  });

  it("another account's passkey is no second factor of this one", async () => {
    const other = freshUser('passkey-victim');
    const victim = await node.node.ctx.identity.signup({ email: other.email, password: other.password });
    const { secret } = await node.node.ctx.identity.factors.startTotp(victim, 'gatehouse');
    await node.node.ctx.identity.factors.confirmTotp({ user: victim, code: totpCode(secret, node.node.ctx.clock.now()), ip: '127.0.0.1' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, id } = await authenticator(context, page);
    // The attacker knows the victim's password and holds a passkey of their own account.
    await cdp.send('WebAuthn.addCredential', { authenticatorId: id, credential: { ...snapshot, signCount: 5000 } });
    await page.goto(`${origin}/login`);
    // The second step called directly (the page offers no passkey to an account without one).
    const answer = await page.evaluate(
      async ({ email, password }) => {
        const post = async (path: string, body: unknown) =>
          (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, any>>;
        const { ticket } = await post('/api/auth/session/login', { email, password });
        const { ceremony, options } = await post('/api/auth/passkey/options', {});
        const bytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
        const b64url = (buffer: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        // The root tsconfig has no DOM types: the browser's WebAuthn objects, as far as this test reads them.
        interface Assertion {
          clientDataJSON: ArrayBuffer;
          authenticatorData: ArrayBuffer;
          signature: ArrayBuffer;
          userHandle: ArrayBuffer | null;
        }
        interface WebAuthnCredential {
          id: string;
          rawId: ArrayBuffer;
          type: string;
          response: Assertion;
        }
        const { navigator } = globalThis as unknown as { navigator: { credentials: { get(options: unknown): Promise<WebAuthnCredential> } } };
        const credential = await navigator.credentials.get({ publicKey: { challenge: bytes(options.challenge), rpId: options.rpId, userVerification: 'preferred' } });
        const assertion = credential.response;
        const passkey = {
          id: credential.id,
          rawId: b64url(credential.rawId),
          type: credential.type,
          clientExtensionResults: {},
          response: {
            clientDataJSON: b64url(assertion.clientDataJSON),
            authenticatorData: b64url(assertion.authenticatorData),
            signature: b64url(assertion.signature),
            ...(assertion.userHandle ? { userHandle: b64url(assertion.userHandle) } : {}),
          },
        };
        return post('/api/auth/session/login/second-factor', { ticket, ceremony, passkey });
      },
      { email: other.email, password: other.password },
    );
    expect(answer.error).toBe('GH_MFA_PASSKEY_INVALID');
    expect(await me(page)).toBe(401);
    await context.close();
  });
});
