// Writes docs/configuration.md from ConfigSchema in src/core/config.ts: `npm run docs:config`.
import { writeFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { BALANCER_FLAGS, BalancerFileSchema } from '../src/balancer/index.js';
import { ConfigSchema, CONFIG_FILE, envNameOf, SHORT_ENV } from '../src/core/index.js';

interface Described {
  type?: string;
  const?: unknown;
  anyOf?: Described[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Described>;
  items?: Described;
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
  if (schema.type === 'object' && schema.properties) return 'mapping';
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
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
    .replace(/\s*\((?:DATABASE_URL|REDIS_URL|SMTP_URL|MAIL_FROM|GATEHOUSE_[A-Z_]+)(?:=1)?\)/, '')
    .replace(/\|/g, '\\|');

/** Each key's derived variable, and the short name of the interface contract where it has one. */
const shortNames = new Map<string, string[]>();
for (const [name, path] of Object.entries(SHORT_ENV)) shortNames.set(path, [...(shortNames.get(path) ?? []), name]);
const envOf = (path: string): string =>
  [envNameOf(path), ...(shortNames.get(path) ?? []), ...(path === 'federation.providers' ? ['GATEHOUSE_PROVIDER_<ID>_<FIELD>'] : [])].map((n) => `\`${n}\``).join(', ');

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
  'Where values come from, later winning:',
  '',
  '1. the defaults below;',
  `2. a YAML file: \`${CONFIG_FILE}\` in the data directory, or the file named by \`--config FILE\` (sections and keys`,
  '   as in the tables, e.g. `sessions:` then `idleTimeoutSec: 900` indented under it);',
  '3. the environment: every key has a variable derived from its path (`sessions.idleTimeoutSec` →',
  '   `GATEHOUSE_SESSIONS_IDLE_TIMEOUT_SEC`; `true`/`false`/`1`/`0` for switches, JSON for lists). The short',
  '   names of the interface contract (`PORT`, `DATABASE_URL`, `REDIS_URL`, `GATEHOUSE_PUBLIC_URL`, …) keep',
  '   working; when both are set the derived name wins. An empty variable counts as unset;',
  '4. the flags of `gatehouse serve` (`--port`, `--host`, `--data-dir`, `--node-id`).',
  '',
  '`gatehouse serve`, `gatehouse up` and every command that opens the store (`user`, `client`, `keys`,',
  '`provider`, `mail`) read them the same way, and `up` hands file and environment to each node it starts.',
  '`gatehouse config print [--config FILE] [--data-dir DIR] [--json]` shows the',
  'effective configuration and where each value came from, with secrets (tokens, passwords in URLs, client',
  'secrets) redacted. When gatehouse is embedded, the `config` object of `buildApp({ config })` takes the',
  'place of flags (tests do this). Sign-in providers can also come from `federation.providersFile` (see',
  '[oauth.md](oauth.md)). The balancer (`gatehouse balance`) has its own schema, at the end of this page.',
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
    const env = envOf(path);
    const unit = unitOf(key, description);
    lines.push(`| \`${path}\` | ${typeOf(schema)} | ${defaultOf(schema, unit)} | ${unit} | ${cleanDescription(description)} | ${env} |`);
  }
  lines.push('');
}

// The balancer's keys: top-level ones, sections (passive, timeouts…) and the mapping form of healthCheck.
const flagOf = new Map<string, string>(Object.entries(BALANCER_FLAGS).map(([flag, key]) => [key, `\`--${flag}\``]));
const balancerUnit = (key: string, schema: Described): string => {
  const description = schema.description ?? '';
  if (/\(duration\)$/.test(description)) return 'duration';
  if (/percent/i.test(key)) return 'percent';
  return unitOf(key, description);
};
const balancerRow = (path: string, schema: Described): string => {
  const unit = balancerUnit(path.split('.').at(-1)!, schema);
  const text = (schema.description ?? '').replace(/\s*\(duration\)$/, '').replace(/\s*\(bytes\)/, '').replace(/\|/g, '\\|');
  return `| \`${path}\` | ${typeOf(schema)} | ${defaultOf(schema, unit === 'duration' ? '' : unit)} | ${unit} | ${text} | ${flagOf.get(path) ?? ''} |`;
};
const balancerRoot = BalancerFileSchema as unknown as Described;
let balancerKeys = 0;
lines.push(
  '# Load balancer (`gatehouse balance`)',
  '',
  'The balancer reads a YAML file (`--config lb.yaml`), the flags in the last column laid over it (the same',
  'way for `gatehouse balance` and `gatehouse balance export`), or an object passed to `startBalancer()`.',
  'The one schema is `BalancerFileSchema` in `src/balancer/config-schema.ts`; an unknown key or a bad value',
  'refuses to start with `GH_BALANCER_CONFIG_INVALID` naming the key. A duration is a number of',
  'milliseconds or a string such as `500ms`, `5s`, `1m`. `GATEHOUSE_ADMIN_TOKEN` stands in for',
  '`--admin-token`. What the settings do: [load-balancing.md](load-balancing.md).',
  '',
  '| key | type | default | unit | what it does | flag |',
  '| --- | --- | --- | --- | --- | --- |',
);
for (const [key, schema] of Object.entries(balancerRoot.properties ?? {})) {
  const nested = schema.properties ?? schema.anyOf?.find((s) => s.properties)?.properties;
  if (schema.properties && nested) lines.push(`| \`${key}\` | mapping |  |  | ${schema.description ?? ''} |  |`);
  else {
    lines.push(balancerRow(key, schema));
    balancerKeys++;
  }
  for (const [inner, leaf] of Object.entries(nested ?? {})) {
    lines.push(balancerRow(`${key}.${inner}`, leaf));
    balancerKeys++;
  }
}
lines.push('');
writeFileSync(new URL('../docs/configuration.md', import.meta.url), lines.join('\n'));
const count = Object.values(root.properties ?? {}).reduce((n, s) => n + Object.keys(s.properties ?? {}).length, 0);
console.log(`docs/configuration.md: ${count} keys; balancer: ${balancerKeys} keys`);
