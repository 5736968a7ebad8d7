import type { Socket } from 'socket.io';
import { parseCookieHeader } from '../core/index.js';
import type { RequestCredentials } from '../core/index.js';

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
