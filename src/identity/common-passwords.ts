import { readFileSync } from 'node:fs';

// The list ships as data next to this module (copied into dist/identity/data by `npm run build`),
// read once, on first use, into a Set of lower-cased entries.
const LIST_URL = new URL('./data/common-passwords.txt', import.meta.url);

let cached: Set<string> | undefined;

export function commonPasswords(): Set<string> {
  if (!cached) {
    const text = readFileSync(LIST_URL, 'utf8');
    cached = new Set(
      text
        .split('\n')
        .map((line) => line.replace(/\r$/, '').normalize('NFKC').toLowerCase())
        .filter((line) => line.length > 0),
    );
  }
  return cached;
}

/** Case-insensitive: "Password1" is as guessable as "password1". */
export function isCommonPassword(normalizedPassword: string): boolean {
  return commonPasswords().has(normalizedPassword.toLowerCase());
}
