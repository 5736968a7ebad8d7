import { GatehouseError } from '../core/index.js';
import { MODEL_NAMES, type ModelName } from './models/catalog.js';

/** One workload: `clients` clients, each sending `requests` requests in turn to a server that answers after `delayMs`. */
export interface IoLabOptions {
  clients: number;
  delayMs: number;
  /** Requests per client, sent one after another (a closed loop: the next leaves when the answer arrives). */
  requests: number;
  /** Which models to run, in this order (default: all four). */
  models: ModelName[];
  /** A model run still going after this long is killed (default: generous, from the workload's size). */
  timeoutMs?: number;
}

/** What a caller may leave out (or pass as undefined, as a CLI flag not given): the defaults fill it in. */
export type IoLabInput = { [K in keyof IoLabOptions]?: IoLabOptions[K] | undefined };

export const IO_LAB_DEFAULTS = { clients: 50, delayMs: 20, requests: 10 } as const;

/** Each client holds two FIFOs open on each side, so descriptors, not CPU, set the ceiling. */
export const IO_LAB_LIMITS = {
  clients: { min: 1, max: 256 },
  delayMs: { min: 1, max: 5_000 },
  requests: { min: 1, max: 10_000 },
  totalRequests: 200_000,
} as const;

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GatehouseError('GH_LAB_INVALID_OPTION', {
      message: `${name} must be a whole number from ${min} to ${max}.`,
      details: { option: name },
    });
  }
  return value;
}

/** Completes and checks lab options; anything out of range is a GH_LAB_INVALID_OPTION naming the option. */
export function resolveIoLabOptions(input: IoLabInput = {}): IoLabOptions {
  const clients = integerIn('clients', input.clients ?? IO_LAB_DEFAULTS.clients, IO_LAB_LIMITS.clients.min, IO_LAB_LIMITS.clients.max);
  const delayMs = integerIn('delayMs', input.delayMs ?? IO_LAB_DEFAULTS.delayMs, IO_LAB_LIMITS.delayMs.min, IO_LAB_LIMITS.delayMs.max);
  const requests = integerIn('requests', input.requests ?? IO_LAB_DEFAULTS.requests, IO_LAB_LIMITS.requests.min, IO_LAB_LIMITS.requests.max);
  if (clients * requests > IO_LAB_LIMITS.totalRequests) {
    throw new GatehouseError('GH_LAB_INVALID_OPTION', {
      message: `clients × requests must stay at or below ${IO_LAB_LIMITS.totalRequests}.`,
      details: { option: 'requests' },
    });
  }
  const models = input.models ?? [...MODEL_NAMES];
  if (models.length === 0 || models.some((m) => !MODEL_NAMES.includes(m))) {
    throw new GatehouseError('GH_LAB_INVALID_OPTION', {
      message: `models must be some of: ${MODEL_NAMES.join(', ')}.`,
      details: { option: 'models' },
    });
  }
  const resolved: IoLabOptions = { clients, delayMs, requests, models: [...new Set(models)] };
  if (input.timeoutMs !== undefined) resolved.timeoutMs = integerIn('timeoutMs', input.timeoutMs, 1_000, 3_600_000);
  return resolved;
}

/**
 * How long one model may take before it is stopped: the blocking model needs clients × requests × delay
 * of wall time, so the budget grows with that, with room for a loaded machine.
 */
export function modelTimeoutMs(options: IoLabOptions): number {
  return options.timeoutMs ?? 30_000 + 4 * options.clients * options.requests * options.delayMs;
}
