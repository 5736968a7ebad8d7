// Writes docs/errors.md from the registry in src/core/codes/*.ts: `npm run docs:errors`.
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../src/core/index.js';
import { renderErrorDocs } from '../src/core/error-docs.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
console.log(`docs/errors.md: ${Object.keys(ERRORS).length} codes`);
