import { ERRORS } from './errors.js';

/**
 * docs/errors.md as the registry says it should read: `npm run docs:errors` writes it, and a test
 * compares the page on disk with this text, so a code cannot be added, changed or dropped on one side only.
 */
export function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    'Every error gatehouse returns has a stable code. HTTP bodies are `{ "error": CODE, "message": text }`;',
    'OAuth endpoints keep their own wire format (`error`, `error_description`); Socket.IO acks carry',
    '`{ error: CODE, message }`. Messages never contain a secret, token, password or session id, and never',
    'repeat what the client sent. Extra fields beside them (a field name, a retry delay) never replace the',
    'code or the message, and never carry internal record ids.',
    '',
    'This page is generated from `src/core/codes/*.ts` by `npm run docs:errors`; a test fails when it and the registry differ.',
    '',
    '| code | HTTP status | message |',
    '| --- | --- | --- |',
    ...Object.entries(ERRORS).map(([code, spec]) => `| \`${code}\` | ${spec.status} | ${spec.message} |`),
    '',
  ];
  return lines.join('\n');
}
