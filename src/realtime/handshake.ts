import type { Socket } from 'socket.io';
import type { RequestCredentials } from '../core/index.js';

/**
 * RFC 6265 cookie header → name/value map. The first occurrence of a name wins (browsers send the
 * most specific path first); values that are not valid percent-encoding are kept as sent.
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

/**
 * What the guard reads, built from a Socket.IO handshake so sockets pass the same checks as HTTP:
 * cookies from the upgrade/polling request, `auth.token` as a Bearer authorization.
 */
export function credentialsFromHandshake(handshake: Socket['handshake'], baseUrl: string, token?: string): RequestCredentials {
  const headers = handshake.headers as Record<string, string | string[] | undefined>;
  const cookieHeader = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  const authToken = token ?? (typeof handshake.auth?.token === 'string' ? handshake.auth.token : undefined);
  let url: string;
  try {
    url = new URL(handshake.url, baseUrl).toString();
  } catch {
    url = baseUrl;
  }
  return {
    method: 'GET',
    url,
    cookies: parseCookieHeader(cookieHeader),
    authorization: authToken ? `Bearer ${authToken}` : undefined,
    headers,
    ip: handshake.address,
  };
}

/**
 * Cookies ride along on a cross-site WebSocket upgrade (no CORS there), so a browser socket from a
 * foreign page could act as the user: only listed origins may open one. Clients that send no Origin
 * (native apps, tests) cannot carry a victim's cookies and are let through.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  return allowed.includes(origin);
}
