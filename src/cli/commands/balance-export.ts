import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { exportConfig, isExportFormat, resolveBalancerConfig, type ExportOptions } from '../../balancer/index.js';
import { parseFlags, UsageError } from '../args.js';
import { SHARED_BALANCER_FLAGS } from '../balancer-flags.js';
import type { Command } from '../command.js';
import { UP_DEFAULTS } from '../up-defaults.js';

const usage = `Usage: gatehouse balance export --format haproxy|nginx [--config lb.yaml] [--out FILE]
                                [--listen HOST:PORT] [--backend HOST:PORT[,weight=N]]... [--algorithm NAME]
                                [--mode http|tcp|udp] [--health-check PATH|tcp] [--hash-key KEY]
                                [--runtime-dir DIR] [--nginx-module PATH]... [--workers N]

Writes the HAProxy or nginx configuration equivalent to a gatehouse balancer config (the same file and
flags \`gatehouse balance\` takes), for running the same setup on HAProxy or nginx. Algorithms map to
roundrobin / leastconn / source / hash-type consistent / random(2) (HAProxy) and the default weighted
round robin / least_conn / hash / hash consistent / random two least_conn (nginx); what a format cannot
express is written as a "# note:" comment. The output is a standalone file: \`haproxy -f FILE\`,
\`nginx -c FILE\`. --runtime-dir puts nginx's pid, error log and temp files there; --nginx-module adds
load_module lines (tcp/udp on Debian's nginx need the stream module, added when it is installed).`;

const flags = {
  ...SHARED_BALANCER_FLAGS,
  format: { type: 'string' },
  out: { type: 'string' },
  'runtime-dir': { type: 'string' },
  'nginx-module': { type: 'string', multiple: true },
} as const;

/** Debian ships nginx's stream module as a dynamic module. */
const DEBIAN_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** An export without backends balances nothing: say so, and how to export what `npm start` runs. */
function noBackends(format: string): string {
  const backends = Array.from({ length: UP_DEFAULTS.nodes }, (_, i) => `--backend 127.0.0.1:${UP_DEFAULTS.nodePort + i}`).join(' ');
  return [
    'No backends to export: give --backend HOST:PORT (repeatable) or --config FILE with a backends list.',
    '',
    `What \`gatehouse up\` (npm start) runs by default, ${UP_DEFAULTS.nodes} nodes behind port ${UP_DEFAULTS.port}, exports as:`,
    '',
    `  gatehouse balance export --format ${format} --listen 0.0.0.0:${UP_DEFAULTS.port} ${backends} --health-check ${UP_DEFAULTS.healthCheck}`,
    '',
    `(with --nodes N or --node-port P, list the ports P .. P+N-1; the running balancer lists them at http://127.0.0.1:${UP_DEFAULTS.adminPort}/backends)`,
  ].join('\n');
}

export const command: Command = {
  name: 'balance export',
  summary: 'Write the equivalent HAProxy or nginx config for a balancer config',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, usage);
    if (!values.format || !isExportFormat(values.format)) throw new UsageError(`--format must be haproxy or nginx.\n\n${usage}`);
    // The same layering as `gatehouse balance`: what is exported is what would run. (--workers here
    // sets the exported HAProxy threads / nginx workers, read below.)
    const { workers: _threads, ...shared } = values;
    const config = await resolveBalancerConfig(values.config, shared);
    if (config.backends.length === 0) throw new UsageError(noBackends(values.format));

    const options: ExportOptions = {};
    if (values['runtime-dir']) options.runtimeDir = values['runtime-dir'];
    if (values.workers !== undefined) {
      const n = Number(values.workers);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers must be an integer 1-256.\n\n${usage}`);
      options.nginxWorkers = n;
      options.haproxyThreads = n;
    }
    if (values['nginx-module']) options.nginxModules = values['nginx-module'];
    else if (values.format === 'nginx' && config.mode !== 'http' && existsSync(DEBIAN_STREAM_MODULE)) options.nginxModules = [DEBIAN_STREAM_MODULE];

    const text = exportConfig(config, values.format, options);
    if (values.out) {
      await writeFile(values.out, text);
      console.error(`gatehouse balance export: wrote ${values.format} config to ${values.out}`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  },
};
