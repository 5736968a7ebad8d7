import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, GatehouseError, isErrorCode } from './errors.js';

describe('error registry', () => {
  it('documents every code in docs/errors.md (run npm run docs:errors)', () => {
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const missing = Object.keys(ERRORS).filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('names every code GH_<AREA>_<REASON> with an HTTP status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^GH_[A-Z]+_[A-Z0-9_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
    }
  });

  it('serialises to the fixed body shape', () => {
    const error = new GatehouseError('GH_AUTH_THROTTLED', { details: { retryAfter: 3 } });
    expect(error.statusCode).toBe(429);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ error: 'GH_AUTH_THROTTLED', message: ERRORS.GH_AUTH_THROTTLED.message, retryAfter: 3 });
    expect(isErrorCode('GH_AUTH_THROTTLED')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });
});
