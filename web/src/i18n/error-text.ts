import type { Translate } from './i18n.js';
import type { MsgKey } from './messages.js';

/** What the web app knows of a failure: the API's coded body, or a socket acknowledgement's. */
export interface CodedError {
  error: string;
  message?: string;
  /** Set by the server on schema failures and on field-specific errors. */
  field?: unknown;
}

// The web app's own codes (GH_WEB_*): "no answer at all" (fetch threw) and "no answer in time".
export const NETWORK_CODE = 'GH_WEB_NETWORK';

/**
 * The sentence to show for a coded error in the reader's language. The server's message is English
 * and, for schema failures, a validator's phrase ("body.email: must match format …"): never shown.
 */
export function describeError(error: CodedError, t: Translate, has: (key: string) => key is MsgKey): string {
  if (error.error === 'GH_CORE_VALIDATION') {
    const fieldKey = `error.field.${String(error.field)}`;
    if (typeof error.field === 'string' && has(fieldKey)) return t('error.field', { field: t(fieldKey) });
    if (error.message === 'The request body is not valid JSON.') return t('error.json');
  }
  const key = `error.${error.error}`;
  return has(key) ? t(key) : t('error.unknown', { code: error.error });
}
