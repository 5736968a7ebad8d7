// Test support only: the differential desync harness. Each case's raw bytes are sent (then the client
// ends its side) once straight to a reference node:http server and once through the balancer to a
// recording node:http backend; llhttp frames both. Every request the backend parsed must be one the
// reference parsed from the client's bytes, at the same place, with the same method, target, body and
// end-to-end fields, and every answer the client read must be the backend's answer to that request or
// the balancer's own refusal. Anything else is a desync.
import type { Recorder, ParsedRequest } from './recorder.js';
import { converse, readResponses } from './responses.js';

export interface DesyncCase {
  id: number;
  name: string;
  bytes: string;
  /** forward: every request must reach the backend and be answered; refuse: the first must be refused. */
  expect?: 'forward' | 'refuse';
  /** With `refuse`, the status the refusal must carry. */
  status?: number;
}

/** The target marker every case puts in its requests' paths: /d/<case>/<index>. */
export const marker = (caseId: number, index: number | string): string => `/d/${caseId}/${index}`;

const MARK = /\/d\/(\d+)\/(\w+)/;

/** Runs `fn` over `items` with at most `width` in flight. */
export async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

/** Sends every case straight to the reference server. */
export async function runReference(cases: readonly DesyncCase[], reference: Recorder, width: number): Promise<void> {
  await inParallel(cases, width, async (c) => {
    await converse(reference.port, c.bytes, { halfClose: true });
  });
  await reference.allClosed();
}

/** Sends every case through the balancer; returns what each client read. */
export async function runThrough(cases: readonly DesyncCase[], port: number, width: number): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  await inParallel(cases, width, async (c) => {
    texts.set(c.id, await converse(port, c.bytes, { halfClose: true }));
  });
  return texts;
}

/** Fields the balancer owns or that describe one connection: not compared. */
const NOT_COMPARED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-authorization',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
]);

function endToEndFields(r: ParsedRequest, connectionNamed: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) {
    const lower = (r.rawHeaders[i] as string).toLowerCase();
    if (!NOT_COMPARED.has(lower) && !connectionNamed.has(lower)) out.push(`${lower}: ${r.rawHeaders[i + 1] as string}`);
  }
  return out;
}

function header(r: ParsedRequest, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) if ((r.rawHeaders[i] as string).toLowerCase() === name) out.push(r.rawHeaders[i + 1] as string);
  return out;
}

/** Origin-form of a target, and the authority an absolute-form one named. */
function originOf(url: string): { path: string; authority?: string } {
  const m = /^http:\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!m) return { path: url };
  const rest = m[2] as string;
  return { path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest, authority: m[1] as string };
}

/**
 * Compares one mode's run with the reference; returns every disagreement found (empty: none).
 * `backend` must be settled: the balancer closed and every upstream connection seen to close.
 */
export function disagreements(cases: readonly DesyncCase[], reference: Recorder, backend: Recorder, texts: Map<number, string>): string[] {
  const problems: string[] = [];
  const byCase = new Map<number, DesyncCase>(cases.map((c) => [c.id, c]));
  const refIndex = new Map<string, ParsedRequest>();
  const refByCase = new Map<number, ParsedRequest[]>();
  for (const r of reference.requests) {
    const m = MARK.exec(r.url);
    if (!m) continue;
    const key = `${m[1]}/${m[2]}`;
    // The first request the reference framed with that marker (a smuggled copy would come later).
    if (!refIndex.has(key)) refIndex.set(key, r);
    const list = refByCase.get(Number(m[1])) ?? [];
    list.push(r);
    refByCase.set(Number(m[1]), list);
  }
  // The reference connection of a case is the one that received exactly its bytes.
  const refConnByBytes = new Map<string, { parseError?: string }>();
  for (const conn of reference.connections.values()) refConnByBytes.set(Buffer.concat(conn.raw).toString('latin1'), conn);
  const backendByCase = new Map<number, ParsedRequest[]>();

  // 1. Every request the backend parsed is one of the reference's, in meaning.
  for (const r of backend.requests) {
    const m = MARK.exec(r.url);
    const c = m ? byCase.get(Number(m[1])) : undefined;
    if (!m || !c) {
      problems.push(`backend parsed a request no case sent: ${r.method} ${JSON.stringify(r.url)}`);
      continue;
    }
    const list = backendByCase.get(c.id) ?? [];
    list.push(r);
    backendByCase.set(c.id, list);
    const q = refIndex.get(`${m[1]}/${m[2]}`);
    const where = `case ${c.id} (${c.name}) request ${m[2]}`;
    if (!q) {
      problems.push(`${where}: the backend parsed ${r.method} ${r.url}, which Node's parser never framed from the client's bytes`);
      continue;
    }
    const target = originOf(q.url);
    if (r.method !== q.method || r.url !== target.path) problems.push(`${where}: backend saw ${r.method} ${r.url}, client sent ${q.method} ${q.url}`);
    if (r.complete ? r.body !== q.body : !q.body.startsWith(r.body)) {
      problems.push(`${where}: body differs: backend ${JSON.stringify(r.body.slice(0, 80))} (complete ${r.complete}), client ${JSON.stringify(q.body.slice(0, 80))}`);
    }
    if (r.complete && !q.complete) problems.push(`${where}: the backend got a whole body where the client's was cut short`);
    const named = new Set(header(q, 'connection').flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase())));
    const mine = endToEndFields(r, named).join('\n');
    const theirs = endToEndFields(q, named).join('\n');
    if (mine !== theirs) problems.push(`${where}: fields differ:\n  backend ${JSON.stringify(mine)}\n  client  ${JSON.stringify(theirs)}`);
    const hosts = header(r, 'host');
    const wanted = target.authority ?? header(q, 'host')[0];
    if (hosts.length !== 1 || (wanted !== undefined && hosts[0]?.toLowerCase() !== wanted.toLowerCase())) {
      problems.push(`${where}: Host ${JSON.stringify(hosts)} where the client meant ${JSON.stringify(wanted)}`);
    }
  }

  // 2. The backend's parser never choked on what the balancer sent. The only allowed complaint is
  //    an end of stream inside a body the balancer gave up on (the client went away mid-body).
  const lastOnConn = new Map<number, ParsedRequest>();
  for (const r of backend.requests) lastOnConn.set(r.conn, r);
  for (const conn of backend.connections.values()) {
    if (!conn.parseError) continue;
    const last = lastOnConn.get(conn.id);
    if (conn.parseError.startsWith('HPE_INVALID_EOF_STATE') && last && !last.complete) continue;
    problems.push(`backend connection ${conn.id} could not be parsed (${conn.parseError}); bytes: ${JSON.stringify(Buffer.concat(conn.raw).toString('latin1').slice(-300))}`);
  }

  // 3. Each answer the client read is the backend's answer to that very request, or the balancer's
  //    refusal, which ends the conversation.
  for (const c of cases) {
    const text = texts.get(c.id) ?? '';
    // The reference's requests in the order its parser framed them: the i-th answer answers the i-th.
    const refs = refByCase.get(c.id) ?? [];
    const methods = refs.map((r) => r.method);
    const read = readResponses(text, methods);
    const where = `case ${c.id} (${c.name})`;
    if (read.error) problems.push(`${where}: the client could not read the answers (${methods.join(' ')}): ${read.error}: ${JSON.stringify(text.slice(0, 300))}`);
    let refused = false;
    read.responses.forEach((res, j) => {
      const seq = res.headers['x-recorder-seq'];
      if (refused && seq !== undefined) problems.push(`${where}: the backend's answer came after the balancer's refusal`);
      if (seq === undefined) {
        refused = true;
        // A refusal carries a coded body (none when it answers a HEAD).
        if (res.status < 400 || (res.body !== '' && !/"error":"GH_BALANCER_/.test(res.body))) problems.push(`${where}: answer ${j + 1} is neither the backend's nor a coded refusal: ${res.status} ${res.body.slice(0, 100)}`);
        return;
      }
      const r = backend.requests[Number(seq)];
      const m = r ? MARK.exec(r.url) : null;
      const wanted = refs[j] ? MARK.exec(refs[j].url) : null;
      if (!r || !m || !wanted || m[0] !== wanted[0]) {
        problems.push(`${where}: answer ${j + 1} answers ${r ? `${r.method} ${r.url}` : `unknown request ${seq}`}`);
      }
    });
    const forwarded = backendByCase.get(c.id) ?? [];
    const refError = refConnByBytes.get(c.bytes)?.parseError;
    if (c.expect === 'refuse') {
      const first = read.responses[0];
      if (!first || first.headers['x-recorder-seq'] !== undefined || (c.status !== undefined && first.status !== c.status)) {
        problems.push(`${where}: expected a refusal${c.status ? ` (${c.status})` : ''}, the client read ${first ? `${first.status} ${first.body.slice(0, 100)}` : 'nothing'}`);
      }
      if (forwarded.length > 0) problems.push(`${where}: expected a refusal, yet the backend got ${forwarded.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    }
    if (c.expect === 'forward') {
      const answered = read.responses.filter((res) => res.headers['x-recorder-seq'] !== undefined).length;
      if (refError || answered !== refs.length) {
        problems.push(`${where}: expected all ${refs.length} requests answered by the backend (reference error: ${refError ?? 'none'}), the client read ${read.responses.map((res) => res.status).join(', ') || 'nothing'}`);
      }
    }
  }
  return problems;
}

/** Runs everything for one balancer and reports the disagreements. */
export async function differential(
  cases: readonly DesyncCase[],
  reference: Recorder,
  through: { port: number; backend: Recorder; close: () => Promise<void> },
  width: number,
): Promise<string[]> {
  const texts = await runThrough(cases, through.port, width);
  // Closing the balancer ends every upstream connection, so the backend has parsed all it will.
  await through.close();
  await through.backend.allClosed();
  return disagreements(cases, reference, through.backend, texts);
}
