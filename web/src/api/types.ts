// The shapes of the API responses the pages read are the server's own response schemas (their static
// types, imported type-only: nothing of the server reaches the bundle), so a page cannot read a field
// the server does not send. Only what is the browser's own is declared here.
export type * from '../../../src/core/api-shapes.js';

export type LoginMode = 'cookie' | 'session' | 'jwt';
export interface ApiError {
  error: string;
  /** In the reader's language (the client replaces the server's English with the catalogue's text). */
  message: string;
  /** A refusal's details travel beside the code: the field a schema failure is about, and a weak
   *  password's reason, estimator codes and length bounds. */
  field?: unknown;
  reason?: unknown;
  warningCode?: unknown;
  suggestionCodes?: unknown;
  minLength?: unknown;
  maxLength?: unknown;
}
