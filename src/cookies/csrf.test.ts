import { describe, expect, it } from 'vitest';
import { checkCsrf, type CsrfInput } from './index.js';

const SELF = ['http://localhost:3000', 'https://auth.example.com'];
const base: CsrfInput = { method: 'POST', selfOrigins: SELF, hasCustomHeader: false };

describe('CSRF check', () => {
  it.each([
    // [description, input, ok]
    ['safe GET from anywhere', { method: 'GET', origin: 'https://evil.example' }, true],
    ['HEAD without anything', { method: 'HEAD' }, true],
    ['same-origin JSON POST', { origin: 'http://localhost:3000', contentType: 'application/json' }, true],
    ['same-origin JSON with charset', { origin: 'https://auth.example.com', contentType: 'Application/JSON; charset=utf-8' }, true],
    ['same-origin form POST with the custom header', { origin: 'http://localhost:3000', contentType: 'application/x-www-form-urlencoded', hasCustomHeader: true }, true],
    ['same-origin +json type', { origin: 'http://localhost:3000', contentType: 'application/merge-patch+json', method: 'PATCH' }, true],
    ['origin with default port spelled out', { origin: 'https://auth.example.com:443', contentType: 'application/json' }, true],
    ['no Origin, Sec-Fetch-Site same-origin, JSON', { secFetchSite: 'same-origin', contentType: 'application/json' }, true],
    ['no Origin, Sec-Fetch-Site none (typed by the user), custom header', { secFetchSite: 'none', hasCustomHeader: true }, true],
    ['DELETE same-origin with custom header', { method: 'DELETE', origin: 'http://localhost:3000', hasCustomHeader: true }, true],
    ['cross-site JSON POST', { origin: 'https://evil.example', contentType: 'application/json' }, false],
    ['sibling port is another origin', { origin: 'http://localhost:3001', contentType: 'application/json' }, false],
    ['scheme differs', { origin: 'http://auth.example.com', contentType: 'application/json' }, false],
    ['opaque origin "null"', { origin: 'null', contentType: 'application/json' }, false],
    ['garbage origin', { origin: 'not a url', contentType: 'application/json' }, false],
    ['same-origin simple form POST (no JSON, no header)', { origin: 'http://localhost:3000', contentType: 'application/x-www-form-urlencoded' }, false],
    ['same-origin text/plain POST', { origin: 'http://localhost:3000', contentType: 'text/plain' }, false],
    ['same-origin multipart POST', { origin: 'http://localhost:3000', contentType: 'multipart/form-data; boundary=x' }, false],
    ['same-site but cross-origin by fetch metadata', { secFetchSite: 'same-site', contentType: 'application/json' }, false],
    ['cross-site by fetch metadata', { secFetchSite: 'cross-site', hasCustomHeader: true }, false],
    ['neither Origin nor Sec-Fetch-Site', { contentType: 'application/json', hasCustomHeader: true }, false],
    ['cross-site PUT', { method: 'PUT', origin: 'https://evil.example', hasCustomHeader: true }, false],
    // Only POST can be a "simple" request; DELETE/PUT/PATCH always need a CORS preflight.
    ['same-origin DELETE without a body', { method: 'DELETE', origin: 'http://localhost:3000' }, true],
    ['same-origin PUT with a form type', { method: 'put', origin: 'http://localhost:3000', contentType: 'text/plain' }, true],
    ['cross-site DELETE without a body', { method: 'DELETE', origin: 'https://evil.example' }, false],
    ['DELETE with no origin information', { method: 'DELETE' }, false],
  ] as [string, Partial<CsrfInput>, boolean][])('%s → %s', (_, input, ok) => {
    const verdict = checkCsrf({ ...base, ...input });
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toMatch(/\S/);
  });

  it('names why it refused', () => {
    expect(checkCsrf({ ...base, origin: 'https://evil.example' })).toEqual({ ok: false, reason: 'cross-origin' });
    expect(checkCsrf({ ...base, origin: 'http://localhost:3000' })).toEqual({ ok: false, reason: 'simple-request' });
    expect(checkCsrf({ ...base })).toEqual({ ok: false, reason: 'no-origin' });
  });
});
