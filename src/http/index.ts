// http/: the composition root — buildApp() creates the stores and features for one node, registers
// every route plugin, and owns the one guard that turns any credential into a principal.
export { buildApp } from './app.js';
export type { BuildAppOptions, GatehouseApp } from './app.js';
export { createContext, prepareStore } from './context.js';
// The primary of `gatehouse up` relays Socket.IO between nodes; cluster/ reaches realtime through here.
export { createClusterRelay } from '../realtime/index.js';
export type { AppContext, ContextOptions } from './context.js';
export { createGuard, bearerChallenge, requestCredentials } from './guard.js';
export type { AuthHooks } from './guard.js';
export type { RevocationEvent, SecurityEvents } from './events.js';
export type { Actor } from './accounts/admin.js';
