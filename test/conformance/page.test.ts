// docs/conformance.md says what the suite proves: the page is rendered from the same list, and every test
// the list names exists in the file it names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES, renderConformancePage } from './profiles.js';

describe('docs/conformance.md', () => {
  it('is the rendering of test/conformance/profiles.ts (run `npm run docs:conformance`)', () => {
    expect(readFileSync('docs/conformance.md', 'utf8')).toBe(renderConformancePage());
  });

  it('names only tests that exist, and every supported profile has a proof', () => {
    for (const profile of PROFILES) {
      if (profile.supported) expect(profile.proofs.length, profile.id).toBeGreaterThan(0);
      for (const proof of profile.proofs) {
        const source = readFileSync(join('test/conformance', proof.file), 'utf8');
        expect(source.includes(`it('${proof.test.replace(/'/g, "\\'")}'`), `${proof.file} › ${proof.test}`).toBe(true);
      }
    }
  });
});
