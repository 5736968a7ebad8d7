import { ERRORS, type ErrorSpec } from './codes/index.js';

export { ERRORS };
export type { ErrorSpec };

export type ErrorCode = keyof typeof ERRORS;

/**
 * What a client may see beside the code and message. The body's own keys are not among them: a detail
 * can never replace the code or the message a client reads.
 */
export type ErrorDetails = Record<string, unknown> & { error?: never; message?: never };

export interface GatehouseErrorOptions {
  /**
   * Replaces the registry's message for this occurrence (which rule, which setting). Never input a
   * client sent, a secret, a token or a password.
   */
  message?: string;
  cause?: unknown;
  /** Safe, structured extras (a field name, a retry delay): echoed to clients. */
  details?: ErrorDetails;
  /**
   * What the server itself needs about the failure (record ids for the audit trail, the user it
   * concerned): kept on the error, never serialised, so internal ids cannot travel to a client.
   */
  internal?: Record<string, string>;
  /** Response headers the error implies (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
}

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetails | undefined;
  readonly internal: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, options: GatehouseErrorOptions = {}) {
    const spec: ErrorSpec = ERRORS[code];
    super(options.message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.statusCode = spec.status;
    this.details = options.details;
    this.internal = options.internal;
    this.headers = options.headers;
  }

  /** The HTTP body shape fixed by the architecture: `{ error, message }` (plus safe details). */
  toJSON(): { error: ErrorCode; message: string } & Record<string, unknown> {
    // The code and message come last, so no detail (from an untyped caller) can replace them.
    return { ...(this.details ?? {}), error: this.code, message: this.message };
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERRORS, value);
}
