// The server's shape of an email address (src/identity/email.ts): one @ and a dotted domain, no spaces or
// control characters. The browser's own type=email check accepts `alice@localhost`, which the server
// refuses; this pattern on the inputs makes the browser refuse it too, before anything is sent.
export const EMAIL_PATTERN = '[^\\s@\\p{Cc}]+@[^\\s@\\p{Cc}]+\\.[^\\s@\\p{Cc}]+';

/** The same test in script, as the `pattern` attribute applies it (whole value, `v` flag). */
export function looksLikeEmail(value: string): boolean {
  return new RegExp(`^(?:${EMAIL_PATTERN})$`, 'v').test(value.trim());
}
