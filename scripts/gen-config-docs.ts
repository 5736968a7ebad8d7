// Writes docs/configuration.md from ConfigSchema in src/core/config.ts: `npm run docs:config`.
import { writeFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from '../src/core/index.js';

interface Described {
  type?: string;
  const?: unknown;
  anyOf?: Described[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Described>;
}

/** The unit a key is measured in: from its name's suffix, else from "(unit)" in its description. */
function unitOf(key: string, description: string): string {
  if (/Sec$/.test(key)) return 'seconds';
  if (/Ms$/.test(key)) return 'milliseconds';
  if (/Bytes$/.test(key)) return 'bytes';
  if (/KiB$/.test(key)) return 'KiB';
  const match = /\((seconds|ms|bytes|KiB|characters)\)/.exec(description);
  if (!match) return '';
  return match[1] === 'ms' ? 'milliseconds' : match[1]!;
}

function typeOf(schema: Described): string {
  if (schema.anyOf) return schema.anyOf.map((s) => (s.const !== undefined ? `\`${JSON.stringify(s.const)}\`` : typeOf(s))).join(' \\| ');
  const range = schema.minimum !== undefined || schema.maximum !== undefined ? ` ${schema.minimum ?? ''}–${schema.maximum ?? ''}` : '';
  return `${schema.type ?? 'any'}${range}`;
}

/** 604800 seconds reads better as "7 d" next to the exact figure. */
function human(seconds: number): string {
  for (const [size, name] of [[86_400, 'd'], [3_600, 'h'], [60, 'min']] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${name}`;
  }
  return '';
}

function defaultOf(schema: Described, unit: string): string {
  if (schema.default === undefined) return '(unset)';
  const value = schema.default;
  const text = typeof value === 'number' && value >= 10_000 ? value.toLocaleString('en-US').replace(/,/g, '_') : JSON.stringify(value);
  const seconds = typeof value !== 'number' ? 0 : unit === 'seconds' ? value : unit === 'milliseconds' ? value / 1000 : 0;
  const readable = seconds > 0 ? human(seconds) : '';
  return `\`${text}\`${readable ? ` (${readable})` : ''}`;
}

/** "… (seconds)" says the unit twice once the table has a unit column. */
const cleanDescription = (description: string): string =>
  description
    .replace(/\s*\((seconds|ms|bytes|characters)\)$/, '')
    // The env column names the variable already.
    .replace(/\s*\((?:DATABASE_URL|REDIS_URL|GATEHOUSE_[A-Z_]+)\)/, '')
    .replace(/\|/g, '\\|');

const ENV: Record<string, string> = {
  'server.port': 'PORT',
  'server.publicUrl': 'GATEHOUSE_PUBLIC_URL',
  'server.dataDir': 'GATEHOUSE_DATA_DIR',
  'server.nodeId': 'GATEHOUSE_NODE_ID',
  'storage.databaseUrl': 'DATABASE_URL',
  'storage.redisUrl': 'REDIS_URL',
  'federation.providersFile': 'GATEHOUSE_PROVIDERS_FILE',
  'federation.providers': 'GATEHOUSE_PROVIDER_<ID>_<FIELD>',
};

const root = ConfigSchema as unknown as Described & TSchema;
const lines = [
  '# Configuration',
  '',
  'Every setting of an app node, with its default and unit. The one schema is `ConfigSchema` in',
  '`src/core/config.ts`; it is validated once at start, and contradictory settings refuse to start with',
  '`GH_CORE_CONFIG_CONTRADICTION` (an idle timeout longer than the absolute lifetime, an access token that',
  'would outlive its refresh family, a refresh grace window as long as the access token, a minimum password',
  'length above the maximum, an OAuth access token outliving its refresh token). Insecure-but-allowed',
  'settings (`cookies.secure: false`, `lab.syncHashOnLoop`, argon2 memory below 19 MiB, open dynamic',
  'registration) start with one warning each. No secret has a default: the instance secret comes from',
  '`GATEHOUSE_SECRET` or is generated on first start and kept in the data directory.',
  '',
  'Where values come from, later winning: the defaults below, the environment variables of the',
  'interface contract (last column), the flags of `gatehouse serve` (`--port`, `--host`, `--data-dir`,',
  '`--node-id`) and of `gatehouse up`, and the `config` object of `buildApp({ config })` when gatehouse is',
  'embedded (tests do this). There is no configuration file for an app node yet, except the providers',
  'file of `federation.providersFile` (sign-in providers, see [oauth.md](oauth.md)). The',
  'balancer (`gatehouse balance`) has its own options: `gatehouse balance --help` and',
  '[load-balancing.md](load-balancing.md).',
  '',
  'This page is generated from the schema by `npm run docs:config`; a test fails when a key is missing.',
  '',
];
for (const [sectionName, section] of Object.entries(root.properties ?? {})) {
  lines.push(`## \`${sectionName}\` — ${section.description ?? ''}`, '');
  lines.push('| key | type | default | unit | what it does | env |', '| --- | --- | --- | --- | --- | --- |');
  for (const [key, schema] of Object.entries(section.properties ?? {})) {
    const description = schema.description ?? '';
    const path = `${sectionName}.${key}`;
    const env = ENV[path] ? `\`${ENV[path]}\`` : '';
    const unit = unitOf(key, description);
    lines.push(`| \`${path}\` | ${typeOf(schema)} | ${defaultOf(schema, unit)} | ${unit} | ${cleanDescription(description)} | ${env} |`);
  }
  lines.push('');
}
writeFileSync(new URL('../docs/configuration.md', import.meta.url), lines.join('\n'));
const count = Object.values(root.properties ?? {}).reduce((n, s) => n + Object.keys(s.properties ?? {}).length, 0);
console.log(`docs/configuration.md: ${count} keys`);
