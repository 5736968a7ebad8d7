// Writes docs/conformance.md from the conformance suite's profile list.
import { writeFileSync } from 'node:fs';
import { renderConformancePage } from '../test/conformance/profiles.js';

writeFileSync('docs/conformance.md', renderConformancePage());
console.log('wrote docs/conformance.md');
