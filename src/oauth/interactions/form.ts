import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatehouseError, safeEqual } from '../../core/index.js';

const FORM_LIMIT = 16 * 1024;

/**
 * Reads an application/x-www-form-urlencoded body from the raw request (the /oidc routes leave the
 * stream unread so oidc-provider can read its own bodies). Repeated names become arrays.
 */
export async function readForm(req: IncomingMessage): Promise<Record<string, string[]>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID', { message: 'Expected a form submission.' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT) throw new GatehouseError('GH_OAUTH_INTERACTION_INVALID', { message: 'The form is too large.' });
    chunks.push(chunk as Buffer);
  }
  const form: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) (form[key] ??= []).push(value);
  return form;
}

export function field(form: Record<string, string[]>, name: string): string {
  return form[name]?.[0] ?? '';
}

/**
 * The CSRF token of an interaction's forms: an HMAC of its uid under a key derived from the instance
 * secret. Only someone shown the page can know it; the interaction cookie binds the uid to the browser.
 */
export function interactionCsrf(key: Uint8Array, uid: string): string {
  return createHmac('sha256', key).update(`oidc-interaction:${uid}`).digest('base64url');
}

export function checkInteractionCsrf(key: Uint8Array, uid: string, presented: string, origin: string | undefined, selfOrigin: string): void {
  if (origin !== undefined && origin !== 'null' && origin !== selfOrigin && !sameLoopback(origin, selfOrigin)) {
    throw new GatehouseError('GH_AUTH_CSRF', { details: { reason: 'origin' } });
  }
  if (!presented || !safeEqual(presented, interactionCsrf(key, uid))) {
    throw new GatehouseError('GH_AUTH_CSRF', { details: { reason: 'token' } });
  }
}

/** localhost and 127.0.0.1 name the same development origin. */
function sameLoopback(a: string, b: string): boolean {
  const norm = (o: string) => o.replace('://localhost', '://127.0.0.1');
  return norm(a) === norm(b);
}
