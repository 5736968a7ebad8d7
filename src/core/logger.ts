import { pino, symbols, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { sharedDestination } from './log-destination.js';

export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear: credentials must never reach a log line
 * (OWASP ASVS V7, RFC 9700). Handlers still must not log bodies wholesale.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.code',
  '*.secret',
  '*.sessionId',
];

// Query parameters whose values are credentials: an OAuth callback's `code`, a token in a link, a state
// that binds a flow. A request's URL is logged on every request, so their values never reach the log.
const SECRET_PARAMS = /([?&;](?:code|state|token|access_token|refresh_token|id_token|client_secret|session_state|password|ticket)=)[^&;#]*/gi;

/** The URL with the values of credential-carrying query parameters blanked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number | undefined } | null;
}

/** Fastify's request serializer, with the URL's secrets blanked (it is logged on every request). */
export const LOG_SERIALIZERS = {
  req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
};

/** Loggers createLogger made: no formatters, mixins, hooks or transports, so their line format is pino's default JSON. */
const DEFAULT_FORMAT = new WeakSet<Logger>();

export function createLogger(options: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: LOG_SERIALIZERS,
  };
  if (options.name) config.name = options.name;
  // Standard output through the shared buffered destination (log-destination.ts): written in batches.
  const logger = pino(config, options.destination ?? sharedDestination(1));
  DEFAULT_FORMAT.add(logger);
  return logger;
}

/** Where a pre-formatted info line goes, and what pino would have written before its own fields. */
export interface InfoLineSink {
  /** `{"level":30,"time":<now>` and the logger's bindings (pid, hostname, name…): a line's start. */
  head(): string;
  /** Writes one whole line (its fields, `"msg"`, `}` and the newline included). */
  write(line: string): void;
}

interface PinoInternals {
  [symbols.streamSym]: DestinationStream & { [symbols.needsMetadataGsym]?: boolean };
  [symbols.chindingsSym]: string;
}

/**
 * A line that is written on every request pays pino's generic path (a stringifier per key, nested
 * objects through safe-stable-stringify): about 6 µs, several times the request's own work. For a logger
 * createLogger made, whose format is known to be pino's default JSON, this sink lets the caller format
 * the line itself and write it to the same destination, byte for byte what pino would write
 * (test/request-log.test.ts compares the two). Any other logger (a caller's, with its own formatters or
 * transport), or a destination that wants pino's per-line metadata (a multistream), gets null: use the
 * logger.
 */
export function infoLineSink(logger: Logger): InfoLineSink | null {
  if (!DEFAULT_FORMAT.has(logger)) return null;
  const internals = logger as unknown as PinoInternals;
  const stream = internals[symbols.streamSym];
  if (stream[symbols.needsMetadataGsym]) return null;
  return {
    head: () => `{"level":30,"time":${Date.now()}${internals[symbols.chindingsSym]}`,
    write: (line) => stream.write(line),
  };
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
