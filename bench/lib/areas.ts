// The benchmark areas the project has, in report order. The list is static on purpose: an area whose
// module is not there is reported as missing, never silently skipped.
export interface AreaSpec {
  area: string;
  /** The module `npm run bench -- <area>` loads, relative to bench/. */
  module: string;
  title: string;
  /** Peers this area compares against; the set-up step checks (and installs) these. */
  peers: string[];
}

export const AREAS: AreaSpec[] = [
  { area: 'sessions', module: 'sessions.ts', title: 'Server-side sessions', peers: ['autocannon', 'express-session', '@fastify/session'] },
  { area: 'jwt', module: 'jwt.ts', title: 'JWT access and refresh tokens', peers: ['autocannon', '@fastify/jwt'] },
  { area: 'oauth', module: 'oauth.ts', title: 'OAuth 2.0 / OpenID Connect server', peers: ['autocannon'] },
  { area: 'realtime', module: 'realtime.ts', title: 'Realtime (Socket.IO)', peers: ['socket.io', 'socket.io-client'] },
  { area: 'balancer', module: 'balancer.ts', title: 'Load balancer (L7 and L4)', peers: ['haproxy', 'nginx', 'wrk', 'autocannon', 'http-proxy-3'] },
  { area: 'lab', module: 'lab.ts', title: 'I/O models lab', peers: [] },
  { area: 'event-loop', module: 'event-loop.ts', title: 'The event loop on the real server (argon2 off vs on the loop)', peers: ['autocannon'] },
];

export const AREA_NAMES = AREAS.map((a) => a.area);
