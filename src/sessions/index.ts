// sessions/: server-side sessions — an opaque 256-bit token in the cookie, only its SHA-256 in the
// store (memory, SQL or Redis behind one contract), sliding idle and absolute expiry by the injected
// clock, and list / revoke for the user.
export { createSessionManager } from './manager.js';
export { createMemorySessionStore } from './memory-store.js';
export { createSqlSessionStore } from './sql-store.js';
export { createCachedSessionStore, redisSessionChanges } from './cached-store.js';
export { createRedisSessionStore } from './redis-store.js';
export type { Session, SessionManager, SessionManagerDeps, SessionRecord, SessionStore } from './types.js';
