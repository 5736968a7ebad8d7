// core/: what every other folder stands on and nothing else — the registry of coded errors, the
// configuration schema, the injected clock and id source, the instance secret and the logger type,
// what every area that reads requests or renders pages shares (the cookie header, the page language,
// HTML escaping), and the shapes the browser shares with the server (response schemas, the chat
// contract), which web/ imports.
export { ERRORS, GatehouseError, isErrorCode, isGatehouseError } from './errors.js';
export type { ErrorCode, ErrorDetails, ErrorSpec, GatehouseErrorOptions } from './errors.js';
export { ConfigSchema, DeclaredProvider, loadConfig, publicOrigin } from './config.js';
export { CONFIG_FILE, configFromEnv, configKeys, envLayer, envNameOf, layerOf, redactValue, resolveNodeConfig, SHORT_ENV } from './config-sources.js';
export type { ConfigKey, ConfigLayer, ResolvedConfig } from './config-sources.js';
export type { Config, DeepPartial, LoadedConfig } from './config.js';
export { createManualClock, systemClock } from './clock.js';
export type { Clock, ManualClock } from './clock.js';
export { cryptoIds, safeEqual, sha256 } from './ids.js';
export { sameOriginPath } from './redirect-target.js';
export { parseCookieHeader } from './cookie-header.js';
export { escapeHtml } from './html.js';
export { isLang, LANG_COOKIE, LANGS, preferredLang } from './locale.js';
export type { Lang } from './locale.js';
export type { IdSource } from './ids.js';
export { deriveKey, loadInstanceSecret, SECRET_FILE } from './secrets.js';
export { createLogger, infoLineSink, LOG_SERIALIZERS, redactUrl, REDACT_PATHS, silentLogger } from './logger.js';
export type { InfoLineSink, Logger } from './logger.js';
export type { Authenticate, CredentialKind, CredentialResolver, Principal, RequestCredentials } from './principal.js';
// Every response shape the browser shares: the module holds nothing else.
export * from './api-shapes.js';
export { ChatMessage, ChatUser, DirectMessage, Presence } from './chat-events.js';
export type { Ack, AckError, ClientToServerEvents, ServerToClientEvents } from './chat-events.js';
