// The sign-up form in real Chromium, in English and Korean: a password the server refuses shows why,
// with the strength estimator's warning and suggestions translated from the codes the server sends.
import { describe, expect, it } from 'vitest';
import { passwordEn } from '../../web/src/i18n/password.en.js';
import { passwordKo } from '../../web/src/i18n/password.ko.js';
import { useTestNode } from '../support/app.js';
import { screenshot, useBrowser } from '../support/browser.js';
import { TestClient, freshUser } from '../support/client.js';

type Key = keyof typeof passwordEn;
const CATALOGUES = { en: passwordEn, ko: passwordKo } as const;

describe('the sign-up form explains a refused password, in English and Korean', () => {
  const env = useTestNode({ config: { passwords: { memoryCostKiB: 1024, timeCost: 1 } } });
  const chromium = useBrowser();

  /** What the server says about this password, as the catalogue keys the page should show. */
  async function expectedKeys(password: string): Promise<{ refusal: Key; warning: Key | null; suggestions: Key[] }> {
    const response = await new TestClient(env.node.url).post('/api/auth/signup', { email: freshUser('pw-api').email, password });
    expect(response.status).toBe(400);
    const body = response.body as { error: string; reason?: string; warningCode?: string | null; suggestionCodes?: string[] };
    const refusal = [`pw.refused.${body.error}.${body.reason}`, `pw.refused.${body.error}`].find((k): k is Key => k in passwordEn);
    expect(refusal, JSON.stringify(body)).toBeDefined();
    const suggestions = (body.suggestionCodes ?? []).map((c) => `pw.suggestion.${c}`) as Key[];
    for (const key of suggestions) expect(passwordEn, key).toHaveProperty([key]);
    return { refusal: refusal!, warning: body.warningCode ? (`pw.warning.${body.warningCode}` as Key) : null, suggestions };
  }

  for (const lang of ['en', 'ko'] as const) {
    for (const password of ['Summer2024!', 'gatehouse1', 'welcome123']) {
      it(`${lang}: ${password}`, async () => {
        const expected = await expectedKeys(password);
        const context = await chromium.browser.newContext({ locale: lang === 'ko' ? 'ko-KR' : 'en-US' });
        const page = await context.newPage();
        try {
          await page.goto(`${env.node.url}/signup`);
          await page.getByTestId('email').fill(freshUser(`pw-${lang}`).email);
          await page.getByTestId('password').fill(password);
          await page.getByTestId('submit').click();
          const feedback = page.getByTestId('password-feedback');
          await feedback.waitFor({ state: 'visible', timeout: 30_000 });
          const catalogue = CATALOGUES[lang];
          expect(await page.getByTestId('password-refusal').textContent()).toBe(catalogue[expected.refusal]);
          if (expected.warning) expect(await page.getByTestId('password-warning').textContent()).toBe(catalogue[expected.warning]);
          const shown = await page.getByTestId('password-suggestion').allTextContents();
          for (const key of expected.suggestions) expect(shown).toContain(catalogue[key]);
          expect(shown.length).toBeGreaterThan(0);
          if (lang === 'ko') expect(await feedback.textContent()).toMatch(/[\uac00-\ud7a3]/);
          else expect(await feedback.textContent()).not.toMatch(/[\uac00-\ud7a3]/);
          await screenshot(page, `signup-password-${lang}-${password.replace(/\W/g, '')}`);
          // Typing a new password clears the explanation of the old one; no account was made.
          await page.getByTestId('password').fill('tangerine otter orbits 42');
          await feedback.waitFor({ state: 'detached', timeout: 30_000 });
          expect(page.url()).toMatch(/\/signup$/);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('Summer2024! is explained with the estimator’s own suggestions', async () => {
    const expected = await expectedKeys('Summer2024!');
    expect(expected.refusal).toBe('pw.refused.GH_AUTH_PASSWORD_WEAK.guessable');
    expect(expected.suggestions).toContain('pw.suggestion.anotherWord');
  });
});
