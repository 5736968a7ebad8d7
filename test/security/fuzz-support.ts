// Arbitraries of the fuzz suite: requests derived from the OpenAPI document (bodies, parameters) and
// deviating from it (wrong types, missing and extra fields, odd encodings, headers, cookies, methods).
import type http from 'node:http';
import fc from 'fast-check';

export interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

export interface Operation {
  method: string;
  path: string;
  pathParams: Record<string, JsonSchema>;
  query: Record<string, JsonSchema>;
  body: JsonSchema | null;
  /** Form-encoded OAuth parameters (the OpenID Provider's endpoints, not in the document). */
  form?: readonly string[];
}

interface OpenApiParameter {
  in: string;
  name: string;
  schema: JsonSchema;
}

/** Every route and method the document declares. */
export function operationsOf(document: { paths: Record<string, Record<string, { parameters?: OpenApiParameter[]; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pick = (where: string) => Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, p.schema]));
      out.push({ method: method.toUpperCase(), path, pathParams: pick('path'), query: pick('query'), body: op.requestBody?.content?.['application/json']?.schema ?? null });
    }
  }
  return out;
}

/**
 * Strings an attacker tries first, beside random ones: the values the test knows (ids, tokens,
 * emails) are added by the caller so requests also reach the handlers past the lookups.
 */
const NASTY_STRINGS = [
  '', ' ', '\u0000', '\t', '\r\n', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-1', '0', '1e309',
  '../../etc/passwd', '..%2f..%2f', '%00', '%', '%zz', '\u202e', '\ud800', '\uffff', '😀', '한국어', '<script>alert(1)</script>',
  "' OR 1=1 --", '${jndi:ldap://x}', '{{7*7}}', 'a'.repeat(300), 'x'.repeat(5000), 'javascript:alert(1)', '//evil.example', 'https://evil.example/',
];

export function stringArb(extra: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    ...(extra.length ? [{ weight: 3, arbitrary: fc.constantFrom(...extra) }] : []),
  );
}

/** Values a schema accepts (mostly: patterns and formats are followed, lengths sometimes stretched). */
export function validValue(schema: JsonSchema, known: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, known, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'string': {
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), ...(known.length ? [fc.constantFrom(...known.filter((k) => k.includes('@')))] : []));
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 60, 60);
      const edges = [schema.maxLength, schema.maxLength !== undefined ? schema.maxLength + 1 : undefined].filter((n): n is number => n !== undefined).map((n) => 'a'.repeat(n));
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, max) }) },
        { weight: 2, arbitrary: stringArb(known) },
        ...(edges.length ? [{ weight: 1, arbitrary: fc.constantFrom(...edges) }] : []),
      );
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(validValue(schema.items ?? {}, known, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object': {
      const props = schema.properties ?? {};
      if (depth > 3) return fc.constant({});
      const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fuzzValue(s, known, depth + 1)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of the schema, or one just beside it: the wrong type, missing or extra fields, any JSON. */
export function fuzzValue(schema: JsonSchema, known: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.jsonValue({ maxDepth: 2 }), stringArb(known), fc.integer(), fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}));
  if (schema.type !== 'object' || depth > 3) return fc.oneof({ weight: 5, arbitrary: validValue(schema, known, depth) }, { weight: 1, arbitrary: wrong });
  const extraKey = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'admin', 'roles', 'id', 'userId'));
  const withExtra = fc.tuple(validValue(schema, known, depth), extraKey, fc.jsonValue({ maxDepth: 2 })).map(([value, key, extra]) => {
    const out = { ...(value as Record<string, unknown>) };
    Object.defineProperty(out, key, { value: extra, enumerable: true, writable: true, configurable: true });
    return out;
  });
  const withoutOne = fc.tuple(validValue(schema, known, depth), fc.nat()).map(([value, n]) => {
    const out = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(out);
    if (keys.length) delete out[keys[n % keys.length]!];
    return out;
  });
  return fc.oneof({ weight: 5, arbitrary: validValue(schema, known, depth) }, { weight: 1, arbitrary: withExtra }, { weight: 1, arbitrary: withoutOne }, { weight: 1, arbitrary: wrong });
}

/** Byte-level spellings of a path that a router may still resolve to the same route. */
const PATH_SPELLINGS = ['plain', 'percent-letters', 'double-slash', 'upper-case', 'dot-segment', 'trailing-slash', 'bad-percent', 'latin1'] as const;

export function spellPath(path: string, spelling: (typeof PATH_SPELLINGS)[number], n: number): string {
  switch (spelling) {
    case 'plain':
      return path;
    case 'percent-letters':
      return path.replace(/[a-z]/g, (c, i: number) => ((i + n) % 3 === 0 ? `%${c.charCodeAt(0).toString(16)}` : c));
    case 'double-slash':
      return path.replace(/\//g, (s, i: number) => ((i + n) % 2 === 0 ? '//' : s));
    case 'upper-case':
      return path.toUpperCase();
    case 'dot-segment':
      return path.replace(/^\/([^/]+)/, `/$1/./x/..`);
    case 'trailing-slash':
      return `${path}/`;
    case 'bad-percent':
      return `${path}${['%', '%zz', '%c0%ae', '%ff', '%00'][n % 5]}`;
    case 'latin1':
      return `${path}${String.fromCharCode(0xa0 + (n % 0x5f))}`;
  }
}

/** A parameter value on the request line: bytes a client can send (printable, no space), else escaped. */
export function onTheLine(value: string, raw: boolean): string {
  if (!raw) return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'));
  return value.replace(/[^\u0021-\u00ff]|[#?]/g, (c) => encodeURIComponent(c.replace(/[\ud800-\udfff]/, '?')));
}

export const pathSpellingArb = fc.constantFrom(...PATH_SPELLINGS);

/** Header values a client can put on the wire (RFC 9110 field-value: visible ASCII, tab, obs-text). */
export const headerValueArb = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x7e : c)), maxLength: 80 });
export const headerNameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'] as const;

/** A JWT-looking string with any header and claims (alg none, no signature, garbage segments). */
export const forgedJwtArb = fc.tuple(fc.jsonValue({ maxDepth: 1 }), fc.jsonValue({ maxDepth: 1 }), fc.string({ maxLength: 20 })).map(([header, claims, sig]) =>
  [header, claims].map((part) => Buffer.from(JSON.stringify(part) ?? 'null').toString('base64url')).concat(Buffer.from(sig).toString('base64url')).join('.'),
);

/** Damages a credential a little: one character changed, cut short, or lengthened. */
export function mutate(value: string, n: number): string {
  if (!value) return 'x';
  switch (n % 3) {
    case 0:
      return `${value.slice(0, n % value.length)}${value[n % value.length] === 'A' ? 'B' : 'A'}${value.slice((n % value.length) + 1)}`;
    case 1:
      return value.slice(0, Math.max(1, value.length - 1 - (n % 8)));
    default:
      return `${value}${value}`;
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What an answer must never hold: a stack frame, a source path, or any of the given secrets. */
export function leakIn(answer: Answer, secrets: Iterable<string>): string | null {
  if (/\n\s+at |\bat (?:async )?[\w.<>]+ \(/.test(answer.body)) return 'a stack trace';
  if (/(?:\/[\w.-]+)+\.(?:ts|js|mjs|cjs):\d+/.test(answer.body) || answer.body.includes(process.cwd()) || answer.body.includes('node_modules')) return 'a source path';
  const text = `${JSON.stringify(answer.headers)}\n${answer.body}`;
  for (const secret of secrets) if (text.includes(secret)) return `a secret (${secret.slice(0, 4)}…)`;
  return null;
}
