import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { LOG_SERIALIZERS, type Logger } from '../core/index.js';

/**
 * One log line per completed request: Fastify's own request logging writes two ("incoming request" and
 * "request completed"), each through the redaction pass. The line carries only what the request
 * serializer makes of the request — method, the URL with credential query values blanked
 * (core/logger.ts `redactUrl`), host and peer address — plus status and time, so it holds no header,
 * cookie or body for redaction to find: it is written by a child logger without the redaction pass,
 * which on every request cost more CPU than the route itself. The request is serialized here, not by
 * the logger: a logger handed in without gatehouse's serializers (a library user's, a test's) would
 * otherwise dump the whole request — cookies and body included. A request that failed is logged with
 * its error through the request's own (redacting) logger, as Fastify does; every other line Fastify
 * writes (handled errors, 404s, stream errors) is left as it is.
 */
export function requestLogController(logger: Logger): LogController {
  const lines = logger.child({}, { redact: [] });
  class OneLinePerRequest extends LogController {
    override incomingRequest(): void {}

    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
      if (error) {
        reply.log.error({ req: LOG_SERIALIZERS.req(request), res: { statusCode: reply.statusCode }, err: error, responseTime: reply.elapsedTime }, 'request errored');
      } else if (lines.isLevelEnabled('info')) {
        lines.info({ reqId: request.id, req: LOG_SERIALIZERS.req(request), res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
      }
    }
  }
  return new OneLinePerRequest();
}
