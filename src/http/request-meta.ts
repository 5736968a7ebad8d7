import type { FastifyRequest } from 'fastify';

/** Who is on the other end, for sessions and audit events (the client IP honours trustProxy). */
export function requestMeta(request: FastifyRequest): { ip: string; userAgent: string | null } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: agent ? agent.slice(0, 512) : null };
}
