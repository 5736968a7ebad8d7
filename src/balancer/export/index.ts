// `gatehouse balance export`: the same balancer config written as HAProxy or nginx configuration, for
// users who outgrow one process. What a format cannot express is kept as a "# note:" comment.
import { GatehouseError } from '../../core/index.js';
import type { BalancerConfig } from '../config.js';
import { toHaproxy } from './haproxy.js';
import { toNginx } from './nginx.js';
import { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './shared.js';

export { toHaproxy } from './haproxy.js';
export { toNginx } from './nginx.js';
export { EXPORT_FORMATS } from './shared.js';
export type { ExportFormat, ExportOptions } from './shared.js';

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** Renders `config` as a standalone config file for `format`. */
export function exportConfig(config: BalancerConfig, format: ExportFormat | string, options: ExportOptions = {}): string {
  if (format === 'haproxy') return toHaproxy(config, options);
  if (format === 'nginx') return toNginx(config, options);
  throw new GatehouseError('GH_BALANCER_EXPORT_UNSUPPORTED', { message: `Unknown export format "${String(format).slice(0, 20)}"; use haproxy or nginx.` });
}
