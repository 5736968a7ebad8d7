import { configKeys, redactValue } from '../../core/index.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { nodeConfig, storeFlags } from '../store-flags.js';

const usage = `Usage: gatehouse config print [--config FILE] [--data-dir DIR] [--database-url URL] [--redis-url URL]
                              [--port N] [--host ADDR] [--node-id NAME] [--json]

Shows the configuration a node started with the same flags, file and environment would run with, and
where each value came from: default, file, env NAME or flag. Secrets (tokens, client secrets, passwords
and queries of URLs) are redacted. Sources, later winning: defaults, gatehouse.yaml in the data
directory (or --config FILE), the environment (GATEHOUSE_<SECTION>_<KEY>, and PORT, DATABASE_URL, …),
flags. The keys: docs/configuration.md.`;

export const command: Command = {
  name: 'config print',
  summary: 'Show the effective configuration and where each value came from',
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...storeFlags, port: { type: 'string' }, host: { type: 'string' }, 'node-id': { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    const resolved = nodeConfig(values);
    const sections = resolved.config as unknown as Record<string, Record<string, unknown>>;
    const rows = configKeys().map((key) => {
      const [section, name] = key.path.split('.') as [string, string];
      return { path: key.path, value: redactValue(key.schema, sections[section]?.[name]), source: resolved.sources[key.path] ?? 'default' };
    });
    if (values.json === true) {
      console.log(JSON.stringify({ file: resolved.file, keys: Object.fromEntries(rows.map((r) => [r.path, { value: r.value ?? null, source: r.source }])) }, null, 2));
      return 0;
    }
    const width = Math.max(...rows.map((r) => r.path.length));
    const lines = rows.map((row) => `${row.path.padEnd(width)} = ${row.value === undefined ? '(unset)' : JSON.stringify(row.value)}  # ${row.source}`);
    console.log([`# file: ${resolved.file ?? '(none)'}`, ...lines].join('\n'));
    for (const warning of resolved.warnings) console.error(`warning: ${warning}`);
    return 0;
  },
};
