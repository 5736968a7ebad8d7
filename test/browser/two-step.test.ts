// Two-step verification in real Chromium: a user turns on an authenticator app from the account page
// (QR code made by the node), logs out, signs in with password + code in each login mode and through
// the OAuth provider (the ID token's amr shows it), uses a recovery code once and not twice, and
// cannot change the password without stepping up. Only the clock is mocked (TOTP time is the nodes').
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { totpCode } from '../../src/identity/index.js';
import { createTestStack, type TestNode, type TestStack } from '../support/app.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { freshUser } from '../support/client.js';
import { REDIRECT, registerClient, tokenEndpoint } from '../security/support.js';

vi.setConfig({ testTimeout: 240_000 });

describe('two-step verification in Chromium', () => {
  const clock = createManualClock(Date.now());
  let stack: TestStack;
  let node: TestNode;
  let browser: Browser;
  const who = freshUser('two-step');
  let secret = '';
  let recoveryCodes: string[] = [];
  const nextCode = () => {
    clock.advance(30_000);
    return totpCode(secret, clock.now());
  };

  beforeAll(async () => {
    stack = await createTestStack({ clock, config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
    node = await stack.startNode();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  /** Password, then (when asked) the code; returns the error shown, or null once signed in. */
  const uiLogin = async (page: Page, mode: 'cookie' | 'session' | 'jwt', code: string): Promise<string | null> => {
    await page.goto(`${node.url}/login`);
    await page.getByTestId('email').fill(who.email);
    await page.getByTestId('password').fill(who.password);
    await page.getByTestId(`mode-${mode}`).check();
    await page.getByTestId('submit').click();
    await page.getByTestId('second-factor-code').fill(code);
    // Nothing opens the account before the code: the password step left no credential.
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
    await page.getByTestId('second-factor-submit').click();
    const outcome = await Promise.race([
      page.waitForURL('**/explain', { timeout: 30_000 }).then(() => null),
      page.getByRole('alert').waitFor({ timeout: 30_000 }).then(() => page.getByRole('alert').textContent()),
    ]);
    return outcome;
  };
  const credentialKind = async (page: Page) => {
    await page.goto(`${node.url}/account`);
    await page.getByTestId('credential-kind').waitFor({ timeout: 30_000 });
    return page.getByTestId('credential-kind').textContent();
  };

  it('enrols an authenticator from the account page, with recovery codes shown once', async () => {
    const page = await browser.newPage();
    await page.goto(`${node.url}/signup`);
    await page.getByTestId('email').fill(who.email);
    await page.getByTestId('password').fill(who.password);
    await page.getByTestId('mode-session').check();
    await page.getByTestId('submit').click();
    await page.waitForURL('**/explain');
    await page.goto(`${node.url}/account`);
    await page.getByTestId('totp-start').click();
    await page.getByTestId('totp-qr').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await page.getByTestId('totp-code').fill(nextCode());
    await page.getByTestId('totp-confirm').click();
    await page.getByTestId('recovery-codes').waitFor({ timeout: 30_000 });
    recoveryCodes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await expect.poll(() => page.getByTestId('factors-status').textContent(), { timeout: 30_000 }).toContain('10');
    await screenshot(page, 'two-step-enrolled');
    await page.getByTestId('logout').click();
    await expect.poll(() => page.evaluate(async () => (await fetch('/api/me')).status), { timeout: 30_000 }).toBe(401);
    await page.close();
  });

  it.each(['cookie', 'session', 'jwt'] as const)('signs in with password + code in %s mode', async (mode) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await uiLogin(page, mode, nextCode())).toBeNull();
    expect(await credentialKind(page)).toBe(mode);
    await context.close();
  });

  it('signs in through the OAuth provider with password + code; the ID token says pwd + otp', async () => {
    const client = await registerClient(node, 'Two-step RP');
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL('/oidc/auth', node.url);
    for (const [k, v] of Object.entries({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 's1',
    })) {
      url.searchParams.set(k, v);
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    let callback: URL | null = null;
    await context.route('https://rp.example/**', async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'rp' });
    });
    await page.goto(url.toString());
    await page.locator('input[name="email"]').fill(who.email);
    await page.locator('input[name="password"]').fill(who.password);
    await page.locator('button.primary').click();
    await page.locator('input[name="code"]').fill(nextCode());
    await screenshot(page, 'two-step-oidc-code');
    await page.locator('button.primary').click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL('https://rp.example/**');
    const code = callback!.searchParams.get('code')!;
    const tokens = await tokenEndpoint(node, client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.id_token!)).toMatchObject({ amr: ['pwd', 'otp'], acr: 'urn:gatehouse:acr:mfa' });
    await context.close();
  });

  it('a recovery code signs in once, and not twice', async () => {
    const first = await browser.newContext();
    expect(await uiLogin(await first.newPage(), 'session', recoveryCodes[0]!)).toBeNull();
    await first.close();
    const second = await browser.newContext();
    const refused = await uiLogin(await second.newPage(), 'session', recoveryCodes[0]!);
    expect(refused).toContain('The code is not valid');
    await second.close();
  });

  it('cannot change the password without stepping up', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await uiLogin(page, 'session', nextCode())).toBeNull();
    clock.advance(6 * 60_000);
    await page.goto(`${node.url}/account`);
    const section = page.locator('section[aria-labelledby="password-h"]');
    await section.locator('input[name="currentPassword"]').fill(who.password);
    await section.locator('input[name="newPassword"]').fill('another-long-passphrase-9');
    await section.getByRole('button').click();
    await expect.poll(() => section.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('Confirm it is you');
    await page.getByTestId('reauth-password').fill(who.password);
    await page.getByTestId('reauth-code').fill(nextCode());
    await page.getByTestId('reauth-submit').click();
    await expect.poll(() => page.getByTestId('factors-message').textContent(), { timeout: 30_000 }).toContain('Confirmed');
    await section.getByRole('button').click();
    await expect.poll(() => section.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/changed/i);
    await screenshot(page, 'two-step-step-up');
    await context.close();
  });
});
