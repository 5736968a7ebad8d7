import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { infoLineSink, LOG_SERIALIZERS, type Logger } from '../core/index.js';

/**
 * One log line per completed request: Fastify's own request logging writes two ("incoming request" and
 * "request completed"), each through the redaction pass. The line carries only what the request
 * serializer makes of the request — method, the URL with credential query values blanked
 * (core/logger.ts `redactUrl`), host and peer address — plus status and time, so it holds no header,
 * cookie or body for redaction to find: it skips the redaction pass, which on every request cost more
 * CPU than the route itself. On a logger createLogger made, the line is formatted here and written to
 * the logger's destination (core/logger.ts `infoLineSink`), the same bytes pino's generic path would
 * write at a fraction of its cost; on any other logger it goes through a child logger. The request is serialized here, not by
 * the logger: a logger handed in without gatehouse's serializers (a library user's, a test's) would
 * otherwise dump the whole request — cookies and body included. A request that failed is logged with
 * its error through the request's own (redacting) logger, as Fastify does; every other line Fastify
 * writes (handled errors, 404s, stream errors) is left as it is.
 */
export function requestLogController(logger: Logger): LogController {
  const sink = infoLineSink(logger);
  // Without a sink: a child logger. The request is already serialized, so the logger's own `req`
  // serializer must not run again on the result (it would read `ip` and `socket` of a plain object
  // and drop the peer address).
  const lines = sink ? null : logger.child({}, { redact: [], serializers: { req: (req: unknown) => req } });
  class OneLinePerRequest extends LogController {
    override incomingRequest(): void {}

    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
      if (error) {
        reply.log.error({ req: LOG_SERIALIZERS.req(request), res: { statusCode: reply.statusCode }, err: error, responseTime: reply.elapsedTime }, 'request errored');
      } else if (!logger.isLevelEnabled('info')) {
        return;
      } else if (sink) {
        sink.write(`${sink.head()}${completedFields(request.id, LOG_SERIALIZERS.req(request), reply.statusCode, reply.elapsedTime)}`);
      } else {
        lines!.info({ reqId: request.id, req: LOG_SERIALIZERS.req(request), res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
      }
    }
  }
  return new OneLinePerRequest();
}

type SerializedRequest = ReturnType<typeof LOG_SERIALIZERS.req>;

/** The fields of a "request completed" line after pino's head, as pino's default JSON writes them. */
export function completedFields(reqId: string, req: SerializedRequest, statusCode: number, responseTime: number): string {
  let fields = `,"reqId":${JSON.stringify(reqId)},"req":{"method":${JSON.stringify(req.method ?? '')},"url":${JSON.stringify(req.url)}`;
  if (req.host !== undefined) fields += `,"host":${JSON.stringify(req.host)}`;
  if (req.remoteAddress !== undefined) fields += `,"remoteAddress":${JSON.stringify(req.remoteAddress)}`;
  if (req.remotePort !== undefined) fields += `,"remotePort":${req.remotePort}`;
  return `${fields}},"res":{"statusCode":${statusCode}},"responseTime":${responseTime},"msg":"request completed"}\n`;
}
