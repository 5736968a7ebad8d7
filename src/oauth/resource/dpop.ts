import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import type { Clock, RequestCredentials } from '../../core/index.js';
import type { KeyValueStore } from '../../storage/index.js';
import { resourceError } from './challenge.js';

const PROOF_WINDOW_SEC = 60;
const ALGS = ['ES256', 'EdDSA', 'Ed25519'];

/**
 * Checks the DPoP proof of a request to the resource server (RFC 9449 §4.3, §7): signed by the key the
 * token is bound to (`cnf.jkt`), for this method and URL, fresh, bound to this very token (`ath`), and
 * never seen before (its jti is remembered for the proof window in the shared store).
 */
export async function verifyDpopProof(input: {
  request: RequestCredentials;
  accessToken: string;
  jkt: string;
  clock: Clock;
  kv: KeyValueStore;
}): Promise<void> {
  const fail = (cause?: unknown) => resourceError('GH_OAUTH_DPOP_INVALID', { scheme: 'DPoP', cause });
  const raw = input.request.headers.dpop;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192) throw fail();
  let header;
  try {
    header = decodeProtectedHeader(raw);
  } catch (cause) {
    throw fail(cause);
  }
  if (header.typ !== 'dpop+jwt' || !header.jwk || 'd' in header.jwk) throw fail();
  let payload;
  try {
    ({ payload } = await jwtVerify(raw, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ALGS }));
  } catch (cause) {
    throw fail(cause);
  }
  const url = new URL(input.request.url);
  const htu = `${url.origin}${url.pathname}`;
  const now = Math.floor(input.clock.now() / 1000);
  const ath = createHash('sha256').update(input.accessToken).digest('base64url');
  if (
    payload.htm !== input.request.method ||
    typeof payload.htu !== 'string' ||
    stripQuery(payload.htu) !== htu ||
    typeof payload.iat !== 'number' ||
    Math.abs(now - payload.iat) > PROOF_WINDOW_SEC ||
    typeof payload.jti !== 'string' ||
    payload.jti.length > 256 ||
    payload.ath !== ath
  ) {
    throw fail();
  }
  if ((await calculateJwkThumbprint(header.jwk, 'sha256')) !== input.jkt) throw fail();
  const fresh = await input.kv.setIfAbsent(`dpop:jti:${input.jkt}:${payload.jti}`, '1', PROOF_WINDOW_SEC * 2 * 1000);
  if (!fresh) throw fail();
}

function stripQuery(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '';
  }
}
