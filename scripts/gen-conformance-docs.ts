// Writes docs/conformance.md and docs/conformance.ko.md from the conformance suite's profile list.
import { writeFileSync } from 'node:fs';
import { PROFILES, renderConformancePage } from '../test/conformance/profiles.js';

for (const [file, lang] of [['docs/conformance.md', 'en'], ['docs/conformance.ko.md', 'ko']] as const) {
  writeFileSync(file, renderConformancePage(PROFILES, lang));
  console.log(`wrote ${file}`);
}
