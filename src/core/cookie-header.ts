/**
 * RFC 6265 cookie header → name/value map. The first occurrence of a name wins (browsers send the
 * most specific path first); values that are not valid percent-encoding are kept as sent. In core so
 * every area that reads a raw request (the Socket.IO handshake, the provider's pages, the cluster's
 * starting page) parses cookies one way.
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || Object.hasOwn(out, name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}
