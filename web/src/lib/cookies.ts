// document.cookie as a list: what scripts can see. HttpOnly cookies never appear here, which is the point.

export interface VisibleCookie {
  name: string;
  value: string;
}

export function parseCookieHeader(header: string): VisibleCookie[] {
  const out: VisibleCookie[] = [];
  for (const piece of header.split(';')) {
    const at = piece.indexOf('=');
    if (at <= 0) continue;
    const name = piece.slice(0, at).trim();
    const raw = piece.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A value that is not percent-encoding stays as sent.
    }
    if (name) out.push({ name, value });
  }
  return out;
}

export function readCookie(header: string, name: string): string | null {
  return parseCookieHeader(header).find((cookie) => cookie.name === name)?.value ?? null;
}
