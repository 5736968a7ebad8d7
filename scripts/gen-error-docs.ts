// Writes docs/errors.md from the registry in src/core/errors.ts: `npm run docs:errors`.
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../src/core/index.js';

const lines = [
  '# Error codes',
  '',
  'Every error gatehouse returns has a stable code. HTTP bodies are `{ "error": CODE, "message": text }`;',
  'OAuth endpoints keep their own wire format (`error`, `error_description`); Socket.IO acks carry',
  '`{ error: CODE, message }`. Messages never contain a secret, token, password or session id.',
  '',
  'This page is generated from `src/core/codes/*.ts` by `npm run docs:errors`; a test fails when a code is missing.',
  '',
  '| code | HTTP status | message |',
  '| --- | --- | --- |',
  ...Object.entries(ERRORS).map(([code, spec]) => `| \`${code}\` | ${spec.status} | ${spec.message} |`),
  '',
];
writeFileSync(new URL('../docs/errors.md', import.meta.url), lines.join('\n'));
console.log(`docs/errors.md: ${Object.keys(ERRORS).length} codes`);
