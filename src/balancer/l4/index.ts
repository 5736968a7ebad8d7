// The balancer's L4 side (the note's stream vs datagram): a TCP proxy that joins each client connection
// to one backend, and a UDP forwarder that keeps per-client flows. Both speak the PROXY protocol.
export { createTcpProxy } from './tcp-proxy.js';
export type { TcpProxy, TcpProxyOptions, TcpProxyStats } from './tcp-proxy.js';
export { createUdpForwarder } from './udp-forwarder.js';
export type { FlowCloseReason, UdpForwarder, UdpForwarderOptions, UdpForwarderStats } from './udp-forwarder.js';
export type { L4Client, L4Target, ListenAddress, PickBackend } from './types.js';
