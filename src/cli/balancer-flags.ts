/**
 * The command-line flags `gatehouse balance` and `gatehouse balance export` share: the config file and
 * the balancer settings laid over it (balancer's BALANCER_FLAGS says which key each sets), declared once
 * so that what is exported is what would run. `balance` adds the admin API's flags, `export` its output's.
 */
export const SHARED_BALANCER_FLAGS = {
  config: { type: 'string' },
  listen: { type: 'string' },
  backend: { type: 'string', multiple: true },
  algorithm: { type: 'string' },
  mode: { type: 'string' },
  'health-check': { type: 'string' },
  'hash-key': { type: 'string' },
  workers: { type: 'string' },
} as const;
