// The first hour of a newcomer, walked in real Chromium in English and in Korean, on a desktop and on a
// 390×844 phone: signed-out pages, a mistyped email, a wrong password, sign-up, the explainer, the
// account page, chat, an unknown docs page. No console errors, no raw JSON, and in the Korean run no
// sentence of the English catalogue on screen. Screenshots land in test-output/screenshots/.
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { ko } from '../../web/src/i18n/ko.js';
import { useTestNode } from '../support/app.js';
import { screenshot, useBrowser, webLogin } from '../support/browser.js';
import { TestClient, freshUser } from '../support/client.js';

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const LANGS = { en: 'en-US', ko: 'ko-KR' } as const;

// English sentences a Korean page must not show: catalogue values that have a Korean translation.
const ENGLISH = Object.entries(en)
  .filter(([key, value]) => value.includes(' ') && value.length >= 10 && ko[key as keyof typeof ko] !== value && !/\{/.test(value))
  .map(([, value]) => value);

describe('the first hour in Chromium', () => {
  const env = useTestNode();
  const chromium = useBrowser();

  for (const lang of ['en', 'ko'] as const) {
    for (const device of ['desktop', 'phone'] as const) {
      it(`walks it in ${lang} on a ${device}`, async () => {
        const context: BrowserContext = await chromium.browser.newContext({ locale: LANGS[lang], viewport: VIEWPORTS[device], isMobile: device === 'phone', hasTouch: device === 'phone' });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(`${message.text()} @ ${message.location().url}`);
        });
        page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
        const requests: string[] = [];
        page.on('request', (request) => requests.push(new URL(request.url()).pathname));
        const shot = (step: string) => screenshot(page, `first-hour-${lang}-${device}-${step}`);

        /** What a person sees is in their language, is not JSON, and fits the screen. */
        const looksRight = async (where: string) => {
          const text = await page.evaluate(() => document.body.innerText);
          expect(text, where).not.toMatch(/"error"\s*:|\bGH_[A-Z_]{3,}/);
          if (lang === 'ko') for (const sentence of ENGLISH) expect(text, `${where}: English left: "${sentence}"`).not.toContain(sentence);
          if (device === 'phone') {
            const fit = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth, header: document.querySelector('header.top')?.getBoundingClientRect().height ?? 0 }));
            expect(fit.scroll, `${where}: sideways scroll`).toBeLessThanOrEqual(fit.width);
            expect(fit.header, `${where}: header height`).toBeLessThan(VIEWPORTS.phone.height / 2);
          }
          expect(errors, where).toEqual([]);
        };

        try {
          // Signed out: the home page and the dashboard ask nothing that answers 401.
          await page.goto(`${env.node.url}/`);
          await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 30_000 }).toBe(lang === 'ko' ? ko['user.anonymous'] : en['user.anonymous']);
          await shot('home');
          await looksRight('home');
          await page.goto(`${env.node.url}/dashboard`);
          await page.getByRole('link', { name: lang === 'ko' ? ko['nav.login'] : en['nav.login'] }).last().waitFor();
          await shot('dashboard-signed-out');
          expect(requests.filter((path) => path.startsWith('/api/cluster'))).toEqual([]);
          await looksRight('dashboard signed out');
          // Every other page, signed out, asks only what answers without an error.
          for (const path of ['/chat', '/explain', '/account', '/learn', '/login']) {
            await page.goto(`${env.node.url}${path}`);
            await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 30_000 }).toBe(lang === 'ko' ? ko['user.anonymous'] : en['user.anonymous']);
            await page.waitForLoadState('networkidle');
            await looksRight(`${path} signed out`);
          }
          expect(requests.filter((path) => path === '/api/me' || path === '/api/auth/jwt/refresh')).toEqual([]);

          // The browser refuses what the server refuses, in the page's language.
          const who = freshUser(`first-${lang}-${device}`);
          await page.goto(`${env.node.url}/signup`);
          await page.getByTestId('email').fill('alice@localhost');
          await page.getByTestId('password').fill(who.password);
          await page.getByTestId('submit').click();
          expect(await page.getByTestId('email').evaluate((input: HTMLInputElement) => input.validationMessage)).toBe(lang === 'ko' ? ko['form.email.invalid'] : en['form.email.invalid']);
          expect(page.url()).toMatch(/\/signup$/);
          expect(requests).not.toContain('/api/auth/signup');

          // Sign up, and land on the explainer signed in.
          await page.getByTestId('email').fill(who.email);
          await page.getByTestId('submit').click();
          await page.waitForURL('**/explain', { timeout: 30_000 });
          await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 30_000 }).toContain('session');
          await shot('explain');
          await looksRight('explain');

          await page.goto(`${env.node.url}/account`);
          await page.getByTestId('sessions').waitFor();
          await shot('account');
          await looksRight('account');
          if (device === 'phone') {
            // Cards: each session row is a block as wide as the screen, its header row hidden.
            const row = await page.locator('[data-testid=sessions] tbody tr').first().evaluate((tr) => ({ display: getComputedStyle(tr).display, width: tr.getBoundingClientRect().width }));
            expect(row.display).toBe('block');
            expect(row.width).toBeGreaterThan(VIEWPORTS.phone.width * 0.7);
          }

          // Chat: the message's time is the 24-hour clock.
          await page.goto(`${env.node.url}/chat`);
          await page.getByTestId('message-input').waitFor();
          await expect.poll(() => page.getByTestId('message-input').isEnabled(), { timeout: 30_000 }).toBe(true);
          await page.getByTestId('message-input').fill(`hello from ${lang} ${device}`);
          await page.getByTestId('message-input').press('Enter');
          const time = page.locator('time').last();
          await time.waitFor({ timeout: 30_000 });
          expect(await time.textContent()).toMatch(/^\d{2}:\d{2}:\d{2}$/);
          await shot('chat');
          await looksRight('chat');

          // Log out; a wrong password then reads in the page's language (its 401 is the one expected error).
          await page.getByTestId('logout').click();
          await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 30_000 }).toBe(lang === 'ko' ? ko['user.anonymous'] : en['user.anonymous']);
          await page.goto(`${env.node.url}/login`);
          await page.getByTestId('email').fill(who.email);
          await page.getByTestId('password').fill('not the password at all');
          await page.getByTestId('submit').click();
          await expect
            .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
            .toBe(lang === 'ko' ? ko['error.GH_AUTH_INVALID_CREDENTIALS'] : en['error.GH_AUTH_INVALID_CREDENTIALS']);
          await shot('login-failed');
          expect(errors.length).toBeLessThanOrEqual(1);
          expect(errors.join('\n')).toMatch(/^$|401.*\/api\/auth\/session\/login/);
          errors.length = 0;
          await looksRight('login failed');

          // An address that does not exist: a page with a way back, not JSON.
          const response = await page.goto(`${env.node.url}/docs/no-such-page`);
          expect(response?.status()).toBe(404);
          errors.length = 0; // the navigation's own 404 is the answer under test, not a page fault
          await page.getByTestId('not-found-home').click();
          await page.waitForURL(`${env.node.url}/`);
          await looksRight('back from not found');
        } finally {
          await context.close();
        }
      }, 180_000);
    }
  }

  for (const lang of ['en', 'ko'] as const) {
    it(`shows an admin whose each security event is, on a phone in ${lang}, without a name wrapping letter by letter`, async () => {
      // A long address: the kind that, squeezed into a narrow cell, used to break after every letter.
      const member = freshUser(`a-newcomer-with-a-rather-long-address-${lang}`);
      expect((await new TestClient(env.node.url).post('/api/auth/signup', member)).status).toBe(201);
      const admin = freshUser(`first-admin-${lang}`);
      await env.node.node.ctx.identity.signup({ email: admin.email, password: admin.password, roles: ['user', 'admin'] });
      const context = await chromium.browser.newContext({ locale: LANGS[lang], viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      try {
        await webLogin(page, env.node.url, admin);
        await page.goto(`${env.node.url}/account`);
        const owners = page.locator('[data-testid=audit] [data-testid=audit-owner]');
        await expect.poll(() => owners.allTextContents(), { timeout: 30_000 }).toContain(member.email);
        await screenshot(page, `first-hour-${lang}-phone-admin-events`);
        const cell = owners.filter({ hasText: member.email }).first();
        const shape = await cell.evaluate((td) => {
          const style = getComputedStyle(td);
          // The address on one line, in the cell's font: how wide it is when nothing wraps.
          const probe = document.createElement('span');
          probe.textContent = td.textContent;
          probe.style.whiteSpace = 'nowrap';
          probe.style.position = 'absolute';
          td.append(probe);
          const natural = probe.getBoundingClientRect().width;
          probe.remove();
          // The lines the address takes in the cell (its label above is a pseudo-element, not in the range).
          const range = document.createRange();
          range.selectNodeContents(td);
          const lines = new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size;
          return { width: td.getBoundingClientRect().width, natural, lines, wordBreak: style.wordBreak };
        });
        // As wide as the card, and the address wraps into about as many lines as its width needs (one
        // more for breaking at a dot or dash): a letter-by-letter wrap of it would be dozens of lines.
        expect(shape.wordBreak).not.toBe('break-all');
        expect(shape.width).toBeGreaterThan(VIEWPORTS.phone.width * 0.7);
        expect(shape.lines).toBeGreaterThan(0);
        expect(shape.lines).toBeLessThanOrEqual(Math.ceil(shape.natural / shape.width) + 1);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
