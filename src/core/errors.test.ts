import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderErrorDocs } from './error-docs.js';
import { ERRORS, GatehouseError, isErrorCode, type ErrorDetails } from './errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runtime TypeScript under `dir` (tests left out; test support lives under test/support). */
function runtimeSources(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = relative(root, join(entry.parentPath, entry.name));
    out.push({ path, text: readFileSync(join(root, path), 'utf8') });
  }
  return out;
}

/** The (code, status, message) rows of a rendered errors page. */
const rowsOf = (page: string) =>
  page
    .split('\n')
    .map((line) => /^\| `(GH_[A-Z0-9_]+)` \| (\d+) \| (.*) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]} ${m[3]}`);

describe('error registry', () => {
  it('docs/errors.md is exactly the page the registry renders (run npm run docs:errors)', () => {
    const onDisk = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    const fromRegistry = Object.entries(ERRORS).map(([code, spec]) => `${code} ${spec.status} ${spec.message}`);
    // Both directions, row by row, so a failure names the code that drifted…
    expect(rowsOf(onDisk).filter((row) => !fromRegistry.includes(row))).toEqual([]);
    expect(fromRegistry.filter((row) => !rowsOf(onDisk).includes(row))).toEqual([]);
    // …and then the whole page, prose and order included.
    expect(onDisk).toBe(renderErrorDocs());
  });

  it('names every code GH_<AREA>_<REASON> with an HTTP status and a fixed sentence for a message', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^GH_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      // A registry message is written once and read by everyone: no placeholder to fill with input.
      expect(spec.message).toMatch(/^[A-Z].*[.?!]$/);
      expect(spec.message).not.toMatch(/[{}$%]|<[a-z]/i);
    }
  });

  it('holds no code that nothing raises (each is used by runtime code outside the registry)', () => {
    // The catalogues name every code (they translate them), so they prove nothing about use.
    const sources = [...runtimeSources('src'), ...runtimeSources('web/src')].filter((f) => !f.path.startsWith('src/core/codes/') && !f.path.startsWith('web/src/i18n/'));
    const unused = Object.keys(ERRORS).filter((code) => !sources.some((f) => f.text.includes(code)));
    expect(unused).toEqual([]);
  });

  it('serialises to the fixed body shape', () => {
    const error = new GatehouseError('GH_AUTH_THROTTLED', { details: { retryAfter: 3 } });
    expect(error.statusCode).toBe(429);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ error: 'GH_AUTH_THROTTLED', message: ERRORS.GH_AUTH_THROTTLED.message, retryAfter: 3 });
    expect(isErrorCode('GH_AUTH_THROTTLED')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('never lets a detail replace the code or the message', () => {
    // The type refuses these keys; an untyped caller (a cast, a spread of foreign data) still cannot win.
    const details = { error: 'GH_NOTHING', message: 'spoofed', field: 'email' } as unknown as ErrorDetails;
    const body = new GatehouseError('GH_CORE_VALIDATION', { details }).toJSON();
    expect(body).toEqual({ error: 'GH_CORE_VALIDATION', message: ERRORS.GH_CORE_VALIDATION.message, field: 'email' });
  });

  it('keeps internal ids on the error and out of every serialised form', () => {
    const error = new GatehouseError('GH_TOKEN_REFRESH_REUSED', { internal: { familyId: 'fam-123', userId: 'user-456' } });
    expect(error.internal).toEqual({ familyId: 'fam-123', userId: 'user-456' });
    const wire = JSON.stringify(error);
    expect(wire).not.toContain('fam-123');
    expect(wire).not.toContain('user-456');
  });

  it('puts no record id of ours in the details of any error raised in runtime code', () => {
    // userId, familyId, sessionId, grant_id…: such ids go in `internal` (audit, logs), never to a client.
    const leaks = runtimeSources('src').flatMap((f) =>
      [...f.text.matchAll(/details:\s*\{([^}]*)\}/g)]
        .filter((m) => /\b\w*(?:Id|_id)\b\s*[:,}]|\b\w*(?:Id|_id)\s*$/.test(m[1]!))
        .map((m) => `${f.path}: ${m[0]}`),
    );
    expect(leaks).toEqual([]);
  });

  it('raises no plain Error in runtime code that can reach a user or an operator', () => {
    // Errors that never leave the module that throws them: each is caught right there and turned into a
    // coded error (key-material: GH_TOKEN_KEYSTORE_UNREADABLE) or reported by the lab's parent process
    // (GH_LAB_MODEL_FAILED).
    const caughtWhereThrown = new Set(['src/tokens/key-material.ts', 'src/lab/models/wire.ts', 'src/lab/models/prepared.ts']);
    const plain = runtimeSources('src')
      .filter((f) => !caughtWhereThrown.has(f.path))
      .filter((f) => /throw new (Type|Range)?Error\(/.test(f.text))
      .map((f) => f.path);
    expect(plain).toEqual([]);
  });
});
