// Test support only: the raw request cases of the desync suite — a hand-written corpus of the known
// smuggling shapes and a fast-check generator of request streams around them.
import fc from 'fast-check';
import { marker, type DesyncCase } from './desync.js';

type Mark = (index: number | string) => string;
interface CorpusEntry {
  name: string;
  expect?: 'forward' | 'refuse';
  status?: number;
  build: (t: Mark) => string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const smuggle = (t: Mark): string => `GET ${t('s')} HTTP/1.1\r\nHost: victim\r\nCookie: sid=attacker\r\n\r\n`;
const chunk = (body: string): string => `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
const req = (t: Mark, i: number, method: string, fields: string, body = '', version = 'HTTP/1.1'): string => `${method} ${t(i)} ${version}\r\nHost: app${fields ? `\r\n${fields}` : ''}\r\n\r\n${body}`;
const follow = (t: Mark, i: number): string => `GET ${t(i)} HTTP/1.1\r\nHost: app\r\n\r\n`;

function corpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const m of METHODS) {
    out.push(
      { name: `${m} with Content-Length`, expect: 'forward', build: (t) => req(t, 1, m, 'Content-Length: 5', 'hello') + follow(t, 2) },
      { name: `${m} chunked carrying a request`, expect: 'forward', build: (t) => req(t, 1, m, 'Transfer-Encoding: chunked', chunk(smuggle(t))) + follow(t, 2) },
      { name: `${m} CL.TE`, expect: 'refuse', status: 400, build: (t) => req(t, 1, m, 'Content-Length: 6\r\nTransfer-Encoding: chunked', `0\r\n\r\n${smuggle(t)}`) },
      { name: `${m} TE.CL`, expect: 'refuse', status: 400, build: (t) => req(t, 1, m, 'Transfer-Encoding: chunked\r\nContent-Length: 4', `${chunk(smuggle(t))}`) },
      { name: `${m} Content-Length: 0 then a request`, expect: 'forward', build: (t) => req(t, 1, m, 'Content-Length: 0') + follow(t, 2) },
      { name: `${m} without length, bytes after`, build: (t) => req(t, 1, m, '') + smuggle(t).replace(t('s'), t(2)) },
    );
  }
  const refuse = (name: string, fields: string, body = '', status = 400): CorpusEntry => ({ name, expect: 'refuse', status, build: (t) => req(t, 1, 'POST', fields, body) + follow(t, 2) });
  out.push(
    refuse('repeated equal Content-Length', 'Content-Length: 3\r\nContent-Length: 3', 'abc'),
    refuse('repeated differing Content-Length', 'Content-Length: 3\r\nContent-Length: 30', 'abc'),
    refuse('Content-Length list', 'Content-Length: 3, 3', 'abc'),
    refuse('Content-Length with plus sign', 'Content-Length: +3', 'abc'),
    refuse('negative Content-Length', 'Content-Length: -1', 'abc'),
    refuse('hex Content-Length', 'Content-Length: 0x3', 'abc'),
    refuse('Content-Length with inner space', 'Content-Length: 1 2', 'abc'),
    refuse('empty Content-Length', 'Content-Length: ', 'abc'),
    refuse('overflowing Content-Length', 'Content-Length: 99999999999999999999999', 'abc'),
    refuse('Transfer-Encoding gzip', 'Transfer-Encoding: gzip', 'abc'),
    refuse('Transfer-Encoding gzip, chunked', 'Transfer-Encoding: gzip, chunked', chunk('abc')),
    refuse('Transfer-Encoding chunked, gzip', 'Transfer-Encoding: chunked, gzip', chunk('abc')),
    refuse('Transfer-Encoding chunked, chunked', 'Transfer-Encoding: chunked, chunked', chunk('abc')),
    refuse('Transfer-Encoding twice', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', chunk('abc')),
    refuse('Transfer-Encoding identity', 'Transfer-Encoding: identity', 'abc'),
    refuse('Transfer-Encoding xchunked', 'Transfer-Encoding: xchunked', chunk('abc')),
    refuse('space before the colon of Transfer-Encoding', 'Transfer-Encoding : chunked', chunk('abc')),
    refuse('obs-fold', 'X-A: b\r\n c', ''),
    refuse('obs-folded Transfer-Encoding', 'Transfer-Encoding: gzip,\r\n chunked', chunk('abc')),
    refuse('NUL in a field value', 'X-A: a\x00b'),
    refuse('control byte in a field value', 'X-A: a\x01b'),
    refuse('DEL in a field value', 'X-A: a\x7fb'),
    refuse('bare CR in a field', 'X-A: a\rX-B: b'),
    refuse('empty field name', ': nameless'),
    refuse('whitespace-led field', ' X-A: b'),
    refuse('two Host fields', 'Host: other'),
    refuse('too many fields', Array.from({ length: 120 }, (_, i) => `X-F${i}: v`).join('\r\n'), '', 431),
    { name: 'chunked with extension and trailer', expect: 'forward', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', '3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n') + follow(t, 2) },
    { name: 'chunked, upper-case coding', expect: 'forward', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: CHUNKED', chunk('abc')) + follow(t, 2) },
    { name: 'chunked, size with trailing space', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', '3 \r\nabc\r\n0\r\n\r\n') + follow(t, 2) },
    { name: 'chunked, bare LF after size', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', '3\nabc\n0\n\n') + follow(t, 2) },
    { name: 'chunked, 0x size', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', '0x3\r\nabc\r\n0\r\n\r\n') + follow(t, 2) },
    { name: 'chunked, overflowing size', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', 'FFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n') + follow(t, 2) },
    { name: 'chunked, bad extension', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', '3;x=y z\r\nabc\r\n0\r\n\r\n') + follow(t, 2) },
    { name: 'chunked, data longer than its size', build: (t) => req(t, 1, 'POST', 'Transfer-Encoding: chunked', `3\r\nabcdef\r\n0\r\n\r\n`) + follow(t, 2) },
    { name: 'Content-Length shorter than the body', build: (t) => req(t, 1, 'POST', 'Content-Length: 2', `ab${smuggle(t)}`) },
    { name: 'Content-Length longer than the bytes', build: (t) => req(t, 1, 'POST', 'Content-Length: 500', 'abc') },
    { name: 'leading zeros in Content-Length', expect: 'forward', build: (t) => req(t, 1, 'POST', 'Content-Length: 003', 'abc') + follow(t, 2) },
    { name: 'bare LF line endings', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/1.1\nHost: app\n\n` },
    { name: 'bare LF after one field', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/1.1\r\nHost: app\nX-A: b\r\n\r\n` },
    { name: 'NUL in the target', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)}\x00x HTTP/1.1\r\nHost: app\r\n\r\n` },
    { name: 'raw 8-bit byte in the target', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)}\xe9 HTTP/1.1\r\nHost: app\r\n\r\n` },
    { name: 'obs-text in a field value', expect: 'forward', build: (t) => req(t, 1, 'GET', 'X-Obs: caf\xe9') },
    { name: 'absolute-form, same host', expect: 'forward', build: (t) => `GET http://app${t(1)}?q=1 HTTP/1.1\r\nHost: app\r\n\r\n` + follow(t, 2) },
    { name: 'absolute-form, host with default port', expect: 'forward', build: (t) => `GET http://app:80${t(1)} HTTP/1.1\r\nHost: app\r\n\r\n` },
    { name: 'absolute-form naming another host', expect: 'refuse', status: 400, build: (t) => `GET http://admin.internal${t(1)} HTTP/1.1\r\nHost: app\r\n\r\n` },
    { name: 'absolute-form without Host', expect: 'refuse', status: 400, build: (t) => `GET http://app${t(1)} HTTP/1.1\r\n\r\n` },
    { name: 'HTTP/1.1 without Host', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/1.1\r\n\r\n` },
    { name: 'empty Host', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/1.1\r\nHost: \r\n\r\n` },
    { name: 'HTTP/1.0 without Host', expect: 'forward', build: (t) => `GET ${t(1)} HTTP/1.0\r\n\r\n` },
    { name: 'HTTP/1.0 keep-alive, pipelined', build: (t) => `GET ${t(1)} HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPOST ${t(2)} HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi` },
    { name: 'HTTP/1.0 chunked', expect: 'refuse', status: 400, build: (t) => `POST ${t(1)} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(smuggle(t))}` },
    { name: 'HTTP/0.9-looking line', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)}\r\n\r\n` },
    { name: 'HTTP/2.0 version', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/2.0\r\nHost: app\r\n\r\n` },
    { name: 'HTTP/1.2 version', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} HTTP/1.2\r\nHost: app\r\n\r\n` },
    { name: 'lower-case version', expect: 'refuse', status: 400, build: (t) => `GET ${t(1)} http/1.1\r\nHost: app\r\n\r\n` },
    { name: 'over-long request line', expect: 'refuse', status: 414, build: (t) => `GET ${t(1)}?${'a'.repeat(9000)} HTTP/1.1\r\nHost: app\r\n\r\n` },
    { name: 'leading empty lines', expect: 'forward', build: (t) => `\r\n\r\n${follow(t, 1)}` },
    { name: 'three pipelined GETs', expect: 'forward', build: (t) => follow(t, 1) + follow(t, 2) + follow(t, 3) },
    { name: 'GET, sized POST, chunked PUT, GET pipelined', expect: 'forward', build: (t) => follow(t, 1) + req(t, 2, 'POST', 'Content-Length: 3', 'abc') + req(t, 3, 'PUT', 'Transfer-Encoding: chunked', chunk('xyz')) + follow(t, 4) },
    { name: 'Connection: close, then more', build: (t) => req(t, 1, 'GET', 'Connection: close') + follow(t, 2) },
    { name: 'Expect: 100-continue', expect: 'forward', build: (t) => req(t, 1, 'POST', 'Expect: 100-continue\r\nContent-Length: 3', 'abc') + follow(t, 2) },
    { name: 'Connection names a field', expect: 'forward', build: (t) => req(t, 1, 'GET', 'Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nX-End: e') },
    { name: 'refused upgrade, then a request', build: (t) => `GET ${t(1).replace('/d/', '/ws-refuse/d/')} HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n${follow(t, 2)}` },
    { name: 'Upgrade without Connection: upgrade', expect: 'forward', build: (t) => req(t, 1, 'GET', 'Upgrade: websocket') + follow(t, 2) },
    { name: 'upgrade with a body', expect: 'refuse', status: 400, build: (t) => req(t, 1, 'POST', 'Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 3', 'abc') },
    { name: 'CONNECT', expect: 'refuse', status: 400, build: (t) => `CONNECT app:80 HTTP/1.1\r\nHost: app:80\r\nX-M: ${t(1)}\r\n\r\n` },
  );
  return out;
}

export function corpusCases(firstId: number): DesyncCase[] {
  return corpus().map((entry, i) => {
    const id = firstId + i;
    const c: DesyncCase = { id, name: entry.name, bytes: entry.build((index) => marker(id, index)) };
    if (entry.expect) c.expect = entry.expect;
    if (entry.status !== undefined) c.status = entry.status;
    return c;
  });
}

// ---- generated cases ----------------------------------------------------------------------------

/** A defect that makes a request ambiguous or malformed; most generated requests have none. */
type Defect = 'cl+te' | 'te+cl' | 'cl-twice' | 'cl-bad' | 'te-bad' | 'cl-off' | 'te-1.0' | 'no-host' | 'two-hosts' | 'absolute-other' | 'bad-field' | 'bare-lf' | 'obs-fold' | 'unframed-body';
const DEFECTS: Defect[] = ['cl+te', 'te+cl', 'cl-twice', 'cl-bad', 'te-bad', 'cl-off', 'te-1.0', 'no-host', 'two-hosts', 'absolute-other', 'bad-field', 'bare-lf', 'obs-fold', 'unframed-body'];

interface GenRequest {
  method: string;
  form: 'origin' | 'absolute';
  version: '1.1' | '1.0';
  framing: 'none' | 'cl' | 'te';
  defect: Defect | null;
  clBad: string;
  teBad: string;
  clOff: number;
  body: string;
  splits: number[];
  extension: boolean;
  trailer: boolean;
  fields: { name: string; value: string }[];
  badValue: string;
  connection: 'none' | 'keep-alive' | 'close' | 'named';
  expect100: boolean;
}

const CL_BAD = ['+3', '-3', '0x3', '3 3', '', '3, 3', '3.0', '1e1'];
const TE_BAD = ['gzip', 'gzip, chunked', 'chunked, gzip', 'identity', 'chunked, chunked', 'xchunked', 'chunked;q=1'];
const FIELD_NAMES = ['X-A', 'Accept', 'Cookie', 'X-Forwarded-For', 'Content-Type', 'TE', 'Trailer', 'Keep-Alive', 'Proxy-Connection'];

const bodyChars = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.constantFrom('0\r\n\r\n', 'GET {S} HTTP/1.1\r\nHost: x\r\n\r\n', '\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a).toString('latin1')) },
);

const genRequest: fc.Arbitrary<GenRequest> = fc.record({
  method: fc.constantFrom(...METHODS),
  form: fc.constantFrom<GenRequest['form']>('origin', 'origin', 'origin', 'absolute'),
  version: fc.constantFrom<GenRequest['version']>(...Array<'1.1'>(15).fill('1.1'), '1.0'),
  framing: fc.constantFrom<GenRequest['framing']>('none', 'cl', 'te'),
  defect: fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...DEFECTS) }),
  clBad: fc.constantFrom(...CL_BAD),
  teBad: fc.constantFrom(...TE_BAD),
  clOff: fc.integer({ min: -3, max: 3 }).filter((n) => n !== 0),
  body: fc.array(bodyChars, { maxLength: 3 }).map((parts) => parts.join('')),
  splits: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
  extension: fc.boolean(),
  trailer: fc.boolean(),
  fields: fc.array(fc.record({ name: fc.constantFrom(...FIELD_NAMES), value: fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/) }), { maxLength: 3 }),
  badValue: fc.constantFrom('a\x00b', 'a\rb', 'a\nb', 'a\x01b', 'a\x7fb'),
  connection: fc.constantFrom<GenRequest['connection']>(...Array<GenRequest['connection']>(24).fill('none'), 'keep-alive', 'keep-alive', 'named', 'close'),
  expect100: fc.constantFrom(...Array<boolean>(15).fill(false), true),
});

function chunked(body: string, splits: number[], extension: boolean, trailer: boolean): string {
  let out = '';
  let at = 0;
  for (const size of splits) {
    if (at >= body.length) break;
    const part = body.slice(at, at + size);
    out += `${part.length.toString(16)}${extension ? ';e=1' : ''}\r\n${part}\r\n`;
    at += part.length;
  }
  if (at < body.length) out += `${(body.length - at).toString(16)}\r\n${body.slice(at)}\r\n`;
  return `${out}0\r\n${trailer ? 'X-T: 1\r\n' : ''}\r\n`;
}

/** Renders one generated request; `valid` says whether every rule lets it through unchanged. */
function render(g: GenRequest, t: Mark, index: number): { text: string; valid: boolean; keepsOpen: boolean } {
  // A request hidden in a body names this case, so a backend that frames it shows whose it was.
  const r = { ...g, body: g.body.replaceAll('{S}', t('s')) };
  const d = r.defect;
  const version = d === 'te-1.0' ? '1.0' : r.version;
  const host = d === 'absolute-other' ? 'elsewhere' : 'app';
  const target = r.form === 'origin' && d !== 'absolute-other' ? t(index) : `http://${host}${t(index)}`;
  const lines: string[] = [`${r.method} ${target} HTTP/${version}`];
  if (d !== 'no-host' || version === '1.0') lines.push('Host: app');
  if (d === 'two-hosts') lines.push('Host: app2');
  let body = r.body;
  const framing = d === 'te-1.0' ? 'te' : d === 'unframed-body' ? 'none' : r.framing;
  if (framing === 'none' && d !== 'unframed-body') body = '';
  if (d === 'cl+te') lines.push(`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked');
  else if (d === 'te+cl') lines.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
  else if (d === 'cl-twice') lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
  else if (d === 'cl-bad') lines.push(`Content-Length: ${r.clBad}`);
  else if (d === 'te-bad') lines.push(`Transfer-Encoding: ${r.teBad}`);
  else if (d === 'cl-off') lines.push(`Content-Length: ${Math.max(0, body.length + r.clOff)}`);
  else if (framing === 'cl') lines.push(`Content-Length: ${body.length}`);
  else if (framing === 'te') lines.push('Transfer-Encoding: chunked');
  const chunkedBody = d === 'cl+te' || d === 'te-bad' || (framing === 'te' && d !== 'te+cl');
  if (chunkedBody) body = chunked(body, r.splits, r.extension, r.trailer);
  for (const f of r.fields) lines.push(`${f.name}: ${f.value}`);
  if (d === 'bad-field') lines.push(`X-Bad: ${r.badValue}`);
  if (r.connection === 'keep-alive') lines.push('Connection: keep-alive');
  if (r.connection === 'close') lines.push('Connection: close');
  if (r.connection === 'named') lines.push('Connection: X-A');
  if (r.expect100 && version === '1.1') lines.push('Expect: 100-continue');
  if (d === 'obs-fold') lines.splice(1, 0, 'X-Fold: a', ' b');
  let text = `${lines.join('\r\n')}\r\n\r\n`;
  if (d === 'bare-lf') {
    const at = text.indexOf('\r\n', text.indexOf('\r\n') + 1);
    text = text.slice(0, at) + text.slice(at + 1);
  }
  // HTTP/1.0 keep-alive holds only when the answer has a length, which node:http cannot always give.
  const keepsOpen = r.connection !== 'close' && version === '1.1';
  // A pipelined request with Expect gets no 100 Continue, so the balancer closes after answering it.
  const expects = r.expect100 && version === '1.1';
  return { text: text + body, valid: d === null && !(framing === 'te' && version === '1.0'), keepsOpen: keepsOpen && !expects };
}

/** A connection's worth: `perConnection` generated requests, pipelined. */
const genConnection = (perConnection: number): fc.Arbitrary<{ requests: GenRequest[]; leadingCrlf: boolean }> =>
  fc.record({ requests: fc.array(genRequest, { minLength: perConnection, maxLength: perConnection }), leadingCrlf: fc.constantFrom(false, false, false, true) });

/**
 * `connections` connections of `perConnection` generated requests each (one generated case is one
 * request), from a fixed seed; ids from `firstId`.
 */
export function generatedCases(firstId: number, connections: number, perConnection: number, seed: number): DesyncCase[] {
  return fc.sample(genConnection(perConnection), { seed, numRuns: connections }).map((g, i) => {
    const id = firstId + i;
    const t: Mark = (index) => marker(id, index);
    let bytes = g.leadingCrlf ? '\r\n' : '';
    let valid = true;
    let open = true;
    g.requests.forEach((r, j) => {
      const out = render(r, t, j + 1);
      bytes += out.text;
      valid &&= out.valid && open;
      open &&= out.keepsOpen;
    });
    const c: DesyncCase = { id, name: `generated #${i}`, bytes };
    if (valid) c.expect = 'forward';
    return c;
  });
}
