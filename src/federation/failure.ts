import { isGatehouseError } from '../core/index.js';

/** What the operator's log says about a failed sign-in: the code and the chain of causes, secrets scrubbed. */
export interface FailureRecord {
  reason: string;
  message: string;
  causes: string[];
}

const MAX_CAUSES = 5;

/**
 * Walks an error's cause chain (openid-client wraps fetch failures and token endpoint answers) into
 * short lines. Token endpoint errors keep their OAuth `error` / `error_description` and status, which
 * is what tells an operator "wrong client secret" from "wrong redirect URI". Any secret passed in is
 * blanked wherever it might appear, whatever a library put in its message.
 */
export function describeFailure(error: unknown, secrets: readonly (string | null | undefined)[] = []): FailureRecord {
  const scrub = (text: string) => secrets.reduce<string>((out, secret) => (secret && secret.length >= 4 ? out.split(secret).join('[redacted]') : out), text);
  const causes: string[] = [];
  let current: unknown = isGatehouseError(error) ? error.cause : error;
  for (let i = 0; i < MAX_CAUSES && current; i++) {
    causes.push(scrub(oneLine(current)).slice(0, 500));
    current = (current as { cause?: unknown }).cause;
  }
  return {
    reason: isGatehouseError(error) ? error.code : 'GH_OAUTH_FEDERATION_FAILED',
    message: scrub(error instanceof Error ? error.message : String(error)),
    causes,
  };
}

function oneLine(value: unknown): string {
  // oauth4webapi puts the parsed WWW-Authenticate challenges (an array) or the error body (an object)
  // in `cause`: the server's own error words, which is what the operator needs.
  if (!(value instanceof Error)) return typeof value === 'object' && value !== null ? safeJson(value) : String(value);
  const e = value as Error & { code?: unknown; status?: unknown; error?: unknown; error_description?: unknown };
  const parts = [`${e.name}: ${e.message}`];
  if (typeof e.code === 'string') parts.push(`code=${e.code}`);
  if (typeof e.status === 'number') parts.push(`status=${e.status}`);
  if (typeof e.error === 'string') parts.push(`error=${e.error}`);
  if (typeof e.error_description === 'string') parts.push(`error_description=${e.error_description}`);
  return parts.join(' ');
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
