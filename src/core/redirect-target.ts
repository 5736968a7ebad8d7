const BASE = 'https://gatehouse.invalid';

/**
 * A `return_to`-style value as a same-origin absolute path, or null when it is anything else.
 *
 * Only printable ASCII is accepted: browsers drop tabs and newlines from URLs (so `/\t/evil.example`
 * becomes `//evil.example`), treat `\` as `/`, and a non-ASCII character could be an invisible one.
 * The value must start with one `/` (no scheme, no `//` host), and after the path is normalised
 * (`/.//evil.example` resolves to `//evil.example`) it must still be a path on this site.
 */
export function sameOriginPath(value: string): string | null {
  if (!/^\/[\x21-\x7e]*$/.test(value) || value.length > 2000) return null;
  if (value.startsWith('//') || value.includes('\\')) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return null;
  return path;
}
