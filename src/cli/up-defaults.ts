/** What `gatehouse up` (and so `npm start`) runs without flags; `balance export` explains it with these. */
export const UP_DEFAULTS = { nodes: 3, port: 8080, nodePort: 3001, adminPort: 9090, healthCheck: '/readyz' } as const;
