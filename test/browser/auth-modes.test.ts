// Sign up and log in with each mode in real Chromium, through the web app.
import { describe, expect, it } from 'vitest';
import { useTestNode } from '../support/app.js';
import { screenshot, useBrowser } from '../support/browser.js';
import { freshUser } from '../support/client.js';

describe('the web app in Chromium: sign-up and each login mode', () => {
  const env = useTestNode();
  const chromium = useBrowser();

  for (const mode of ['cookie', 'session', 'jwt'] as const) {
    it(`signs up and logs in with ${mode} mode`, async () => {
      const context = await chromium.browser.newContext();
      const page = await context.newPage();
      const who = freshUser(`web-${mode}`);
      try {
        await page.goto(`${env.node.url}/signup`);
        await page.getByTestId('email').fill(who.email);
        await page.getByTestId('password').fill(who.password);
        await page.getByTestId(`mode-${mode}`).check();
        await screenshot(page, `signup-${mode}`);
        await page.getByTestId('submit').click();
        await page.waitForURL('**/explain');
        await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 15_000 }).toContain(mode);
        await screenshot(page, `explain-${mode}`);

        // The credential the browser holds is the one the mode promises.
        const cookies = await context.cookies();
        const names = cookies.map((c) => c.name);
        if (mode === 'cookie') expect(names).toContain('__Host-gh.auth');
        if (mode === 'session') expect(names).toContain('__Host-gh.sid');
        if (mode === 'jwt') expect(names).toContain('__Secure-gh.rt');
        for (const cookie of cookies.filter((c) => c.name.includes('gh.') && !c.name.includes('theme') && !c.name.includes('lang'))) {
          expect(cookie.httpOnly).toBe(true);
          expect(cookie.secure).toBe(true);
        }
        // …and scripts cannot read it (HttpOnly).
        expect(await page.evaluate<string>('document.cookie')).not.toMatch(/gh\.(auth|sid|rt)=/);

        await page.goto(`${env.node.url}/account`);
        await expect.poll(() => page.getByTestId('credential-kind').textContent(), { timeout: 15_000 }).toBe(mode);
        await screenshot(page, `account-${mode}`);

        // A reload keeps the user signed in (in JWT mode the token is renewed from the refresh cookie).
        await page.reload();
        await expect.poll(() => page.getByTestId('credential-kind').textContent(), { timeout: 15_000 }).toBe(mode);

        await page.getByTestId('logout').click();
        await expect.poll(async () => (await page.request.get(`${env.node.url}/api/me`)).status(), { timeout: 15_000 }).toBe(401);
      } finally {
        await context.close();
      }
    });
  }

  it('shows the app in Korean when the language cookie says so', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${env.node.url}/`);
      await page.getByTestId('lang').selectOption('ko');
      await expect.poll(() => page.evaluate<string>('document.documentElement.lang'), { timeout: 10_000 }).toBe('ko');
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'gh.lang')?.value).toBe('ko');
      expect(await page.evaluate<string>('document.cookie')).toContain('gh.lang=ko');
      await page.reload();
      await expect.poll(() => page.evaluate<string>('document.documentElement.lang'), { timeout: 10_000 }).toBe('ko');
      await screenshot(page, 'home-ko');
    } finally {
      await context.close();
    }
  });
});
