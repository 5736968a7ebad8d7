import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

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

export function createLogger(options: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: LOG_SERIALIZERS,
  };
  if (options.name) config.name = options.name;
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that writes nothing: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
