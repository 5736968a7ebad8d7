import { Type } from '@sinclair/typebox';
import { ALGORITHM_NAMES } from './types.js';

// The balancer's configuration as it is written (YAML file, flags, or an object in code): one TypeBox
// schema holding every key, its type, unit and default. config.ts validates against it and turns the
// result into BalancerConfig (durations in ms); docs/configuration.md is generated from it.

/** A duration: a number of milliseconds, or a string such as 500ms, 5s, 1m. `hint` words the error. */
const Duration = (def: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m)?\\s*$' })], {
    default: def,
    description: `${description} (duration)`,
    hint: 'a duration such as 500ms, 5s or 1m',
  });
const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description, hint: `an integer ${min}-${max}` });
const section = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { default: {}, description, additionalProperties: false });

/** `host:port`, `:port` or `port`; IPv6 as `[::1]:port`. */
const Address = (def: string, description: string) => Type.String({ minLength: 1, maxLength: 300, default: def, description, hint: 'HOST:PORT' });

export const HealthCheckSchema = Type.Object(
  {
    path: Type.Optional(Type.String({ description: 'HTTP path to GET (a 2xx/3xx answer is healthy), or "tcp" for a TCP connect' })),
    interval: Duration('2s', 'Time between two checks of one backend (at least 50ms)'),
    timeout: Duration('1s', 'A check not answered within this fails (shorter than the interval)'),
    rise: Int(1, 100, 2, 'Passing checks in a row that bring a down backend back'),
    fall: Int(1, 100, 3, 'Failing checks in a row that take a backend down'),
  },
  { additionalProperties: false },
);

const BackendObject = Type.Object(
  {
    address: Type.Optional(Type.String({ description: 'HOST:PORT' })),
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const BalancerFileSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('http'), Type.Literal('tcp'), Type.Literal('udp')], { default: 'http', description: 'L7 HTTP/WebSocket proxy, or L4 TCP/UDP forwarding', hint: 'http, tcp or udp' }),
    listen: Address('127.0.0.1:8080', 'Address clients connect to (HOST:PORT; port 0 = ephemeral)'),
    admin: Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Literal(false), Type.Null()], {
      default: '127.0.0.1:9090',
      description: 'Admin API address (HOST:PORT), or false to turn it off; off loopback it needs adminToken',
      hint: 'HOST:PORT or false',
    }),
    adminToken: Type.Optional(Type.String({ minLength: 16, maxLength: 512, description: 'Bearer token the admin API requires (at least 16 characters)', hint: 'a string of at least 16 characters' })),
    algorithm: Type.Union(
      ALGORITHM_NAMES.map((name) => Type.Literal(name)),
      { default: 'round-robin', description: 'How a backend is chosen for each request (L7) or connection (L4)', hint: `one of: ${ALGORITHM_NAMES.join(', ')}` },
    ),
    hashKey: Type.String({ default: 'ip', description: 'consistent-hash key: ip, path, header:NAME or cookie:NAME', hint: 'ip, path, header:<name> or cookie:<name>' }),
    backends: Type.Array(Type.Union([Type.String(), BackendObject]), {
      default: [],
      description: 'Backends: "HOST:PORT[,weight=N][,id=NAME]" or { address, weight, id }',
      hint: 'a list of HOST:PORT strings or { address, weight, id } mappings',
    }),
    healthCheck: Type.Union([Type.Null(), Type.Literal(false), Type.String(), HealthCheckSchema], {
      default: null,
      description: 'Active checks: a path, "tcp", a mapping (keys below), or null for passive ejection only',
      hint: 'null, a path, "tcp" or a mapping of path, interval, timeout, rise, fall',
    }),
    passive: section(
      {
        maxFailures: Int(0, 1000, 3, 'Consecutive failures to reach a backend (refused, connect timeout) that eject it; 0 = off'),
        eject: Duration('10s', 'How long an ejected backend stays out before it returns in slow start'),
        failurePercent: Int(0, 100, 50, 'Failure rate (percent) over the window that ejects a backend; 0 = off'),
        minRequests: Int(1, 100_000, 20, 'Outcomes the window must hold before its failure rate counts'),
        window: Duration('10s', 'Length of the failure-rate window'),
        maxEjectionPercent: Int(0, 100, 50, 'Largest share of the pool (percent) that may be down at once for passive ejection to act'),
      },
      'Passive ejection (outlier detection)',
    ),
    retryBudget: section(
      {
        percent: Int(0, 100, 20, 'Retries allowed as a percent of first attempts'),
        minPerSecond: Int(0, 10_000, 10, 'Retries allowed per second whatever the traffic'),
      },
      'Retry budget',
    ),
    slowStart: Duration('10s', 'A returning backend ramps from 10% to full weight over this; 0 = off'),
    timeouts: section(
      {
        connect: Duration('3s', 'Upstream TCP connect (a failure is retried on another backend)'),
        response: Duration('60s', 'Upstream response head after the request was sent (504 past it)'),
        headers: Duration('10s', 'A client request head must arrive within this from its first byte (slowloris)'),
        request: Duration('120s', 'A whole client request (head and body) must arrive within this'),
        idle: Duration('120s', 'A client connection silent this long is closed (L4: either side)'),
        keepAlive: Duration('5s', 'An idle keep-alive client connection is closed after this'),
        shutdown: Duration('10s', 'On stop, requests in flight get this long to finish before connections are cut'),
      },
      'Timeouts',
    ),
    limits: section(
      {
        maxHeaderBytes: Int(1024, 1024 * 1024, 16 * 1024, 'Largest request head (bytes)'),
        maxBodyBytes: Int(0, 2 ** 40, 16 * 1024 * 1024, 'Largest request body (bytes); 413 above it'),
      },
      'Limits',
    ),
    retries: Int(0, 10, 2, 'Extra attempts on other backends: after a failed connect, or for an idempotent bodiless request'),
    trustForwarded: Type.Boolean({ default: false, description: 'Keep X-Forwarded-*/Forwarded from clients (only behind another trusted proxy)' }),
    socketioPath: Type.Union([Type.String({ pattern: '^/' }), Type.Literal(false)], { default: '/socket.io/', description: 'engine.io path for session-aware routing, or false', hint: 'a path starting with / or false' }),
    wsDrainWindow: Duration('10s', 'WebSockets of a drained backend are closed spread over this'),
    fastPath: Type.Boolean({ default: true, description: 'Frame plain bodiless HTTP/1.1 requests directly on the sockets; false = node:http only' }),
    workers: Int(1, 256, 1, 'Processes sharing the listening port'),
    proxyProtocol: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v2')], { description: 'L4: send a PROXY protocol header to backends (UDP: v2 only)', hint: 'v1 or v2' })),
    acceptProxyProtocol: Type.Boolean({ default: false, description: 'L4: require a PROXY protocol header from a balancer in front' }),
    udpIdleTimeout: Duration('30s', "UDP: a client's flow is forgotten after this much silence"),
  },
  { additionalProperties: false, hint: 'a mapping' },
);

/**
 * The flags `gatehouse balance` and `gatehouse balance export` share, and the key each one sets: both
 * commands layer them over the file through resolveBalancerConfig(), so they cannot drift apart.
 */
export const BALANCER_FLAGS = {
  listen: 'listen',
  backend: 'backends',
  algorithm: 'algorithm',
  mode: 'mode',
  'health-check': 'healthCheck.path',
  admin: 'admin',
  'admin-token': 'adminToken',
  'hash-key': 'hashKey',
  workers: 'workers',
} as const;

export type BalancerFlag = keyof typeof BALANCER_FLAGS;
