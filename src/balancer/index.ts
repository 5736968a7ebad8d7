// balancer/: gatehouse's own L4/L7 load balancer — backend pools, the algorithms, health checks, the
// HTTP/WebSocket proxy, the admin API and config. Standalone: it imports core/ only.
export { ALGORITHMS } from './algorithms/index.js';
export { ALGORITHM_NAMES } from './types.js';
export type { Algorithm, AlgorithmName, AlgorithmOptions, Backend, BackendSpec, BackendState, PickContext } from './types.js';
export { backendId, createPool, isAlgorithmName, validateSpec } from './pool.js';
export type { Pool, PoolOptions } from './pool.js';
export { hash32 } from './hash.js';
export { startBalancer, reconcile } from './balancer.js';
export type { BalancerDeps, RunningBalancer } from './balancer.js';
export { DEFAULT_CONFIG, loadConfigFile, parseBackend, parseBalancerConfig, parseDuration, parseHostPort, isLoopback, readConfigFile, resolveBalancerConfig } from './config.js';
export type { BalancerConfig, BalancerFlagValues, HostPort } from './config.js';
export { BALANCER_FLAGS, BalancerFileSchema } from './config-schema.js';
export { createHttpProxy } from './http/proxy.js';
export type { HttpProxy, HttpProxyOptions } from './http/proxy.js';
export { startHealthChecks } from './health/active.js';
export type { HealthChecker, HealthCheckOptions } from './health/active.js';
export { applyChange, createAdminServer } from './admin/server.js';
export { generateAdminToken, loadOrCreateAdminToken } from './admin/token.js';
export type { AdminChange, AdminOptions } from './admin/server.js';
export { createTcpProxy, createUdpForwarder } from './l4/index.js';
export type { FlowCloseReason, L4Client, L4Target, ListenAddress, PickBackend, TcpProxy, TcpProxyOptions, TcpProxyStats, UdpForwarder, UdpForwarderOptions, UdpForwarderStats } from './l4/index.js';
export { encodeProxyV1, encodeProxyV2, parseProxyHeader, readProxyHeader } from './proxy-protocol/index.js';
export type { ProxyEndpoint, ProxyHeader, ProxyParseResult, ProxyTlv, ProxyV2Input } from './proxy-protocol/index.js';
export { EXPORT_FORMATS, exportConfig, isExportFormat, toHaproxy, toNginx } from './export/index.js';
export type { ExportFormat, ExportOptions } from './export/index.js';
