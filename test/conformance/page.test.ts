// docs/conformance.md (and its Korean twin) says what the suite proves: the pages are rendered from the same
// list, and every test the list names exists in the file it names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CELLS_KO, PROFILE_NAMES_KO, PROFILE_NOTES_KO } from './profiles.ko.js';
import { PROFILES, renderConformancePage } from './profiles.js';

describe('docs/conformance.md', () => {
  it('is the rendering of test/conformance/profiles.ts (run `npm run docs:conformance`)', () => {
    expect(readFileSync('docs/conformance.md', 'utf8')).toBe(renderConformancePage());
  });

  it('has its Korean twin docs/conformance.ko.md, rendered from the same rows with every word translated', () => {
    expect(readFileSync('docs/conformance.ko.md', 'utf8')).toBe(renderConformancePage(PROFILES, 'ko'));
    for (const profile of PROFILES) {
      expect(PROFILE_NAMES_KO[profile.id], profile.id).toBeTruthy();
      if (profile.note) expect(PROFILE_NOTES_KO[profile.id], `${profile.id} note`).toBeTruthy();
      for (const compared of [profile.nodeOidcProvider, profile.keycloak]) expect(CELLS_KO[compared], `${profile.id}: ${compared}`).toBeTruthy();
    }
    // Both pages carry the same rows: one per profile.
    const rows = (page: string) => page.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Profile') && !line.startsWith('| 프로필')).length;
    expect(rows(renderConformancePage(PROFILES, 'ko'))).toBe(PROFILES.length);
    expect(rows(renderConformancePage())).toBe(PROFILES.length);
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
