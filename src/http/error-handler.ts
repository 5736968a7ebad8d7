import type { GatehouseServer } from './server.js';
import type { FastifyError } from 'fastify';
import { GatehouseError, isGatehouseError } from '../core/index.js';
import { isStorageFault, isUnstorableText, storageUnavailable, unstorableText } from '../storage/index.js';
import { sendNotFoundPage, wantsPage } from './not-found-page.js';
import { WEB_CSP } from './routes/web.js';

/**
 * Every failure leaves as `{ error, message }` with a registry code. A client's mistake is a 4xx that
 * names the field; only our own faults are 500s, and those never echo internals.
 */
export function installErrorHandler(app: GatehouseServer, options: { retryAfterSec?: number } = {}): void {
  const retryAfter = String(options.retryAfterSec ?? 5);
  app.setErrorHandler((error: FastifyError | GatehouseError | Error, request, reply) => {
    const coded = toGatehouseError(error);
    if (coded.statusCode === 503) request.log.warn({ err: error, code: coded.code }, 'request refused: a dependency is unavailable');
    else if (coded.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: coded.code }, 'request refused');
    if (coded.headers) void reply.headers(coded.headers);
    // Every 503 says when to come back (RFC 9110 §10.2.3), whichever layer raised it.
    if (coded.statusCode === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', retryAfter);
    if (coded.statusCode === 404 && wantsPage(request)) return void sendNotFoundPage(request, reply, WEB_CSP);
    void reply.status(coded.statusCode).type('application/json; charset=utf-8').send(coded.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    if (wantsPage(request)) return void sendNotFoundPage(request, reply, WEB_CSP);
    // The registry's fixed message: a path is the client's input and is never echoed back.
    void reply.status(404).send(new GatehouseError('GH_CORE_NOT_FOUND').toJSON());
  });
}

export function toGatehouseError(error: unknown): GatehouseError {
  if (isGatehouseError(error) && error.statusCode === 503) return error;
  // A store that is down is a 503 on every path, even when a feature wrapped the driver error.
  if (isStorageFault(error)) return storageUnavailable(error);
  if (isUnstorableText(error)) return unstorableText(error);
  if (isGatehouseError(error)) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = first ? fieldOf(first.instancePath, first.params) : undefined;
    const where = fastifyError.validationContext ?? 'body';
    return new GatehouseError('GH_CORE_VALIDATION', {
      message: field ? `${where}.${field}: ${first?.message ?? 'is not valid'}` : `${where}: ${first?.message ?? 'is not valid'}`,
      details: { field: field ?? null, in: where },
    });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatehouseError('GH_CORE_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatehouseError('GH_CORE_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatehouseError('GH_CORE_VALIDATION', { message: 'The request body is not valid JSON.' });
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return new GatehouseError('GH_CORE_RATE_LIMITED');
    default:
      break;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    if (fastifyError.statusCode === 429) return new GatehouseError('GH_CORE_RATE_LIMITED');
    if (fastifyError.statusCode === 413) return new GatehouseError('GH_CORE_BODY_TOO_LARGE');
    if (fastifyError.statusCode === 415) return new GatehouseError('GH_CORE_UNSUPPORTED_MEDIA_TYPE');
    if (fastifyError.statusCode === 404) return new GatehouseError('GH_CORE_NOT_FOUND');
    if (fastifyError.statusCode === 405) return new GatehouseError('GH_CORE_METHOD_NOT_ALLOWED');
    return new GatehouseError('GH_CORE_VALIDATION', { message: 'The request is not valid.' });
  }
  return new GatehouseError('GH_CORE_INTERNAL', { cause: error });
}

function fieldOf(instancePath: string, params: Record<string, unknown>): string | undefined {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  // A missing property is named by our schema; an extra one by the client, so it is not echoed back
  // (the error then names the object that holds it).
  const leaf = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  if (leaf) return path ? `${path}.${leaf}` : leaf;
  return path || undefined;
}
