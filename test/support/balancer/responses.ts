// Test support only: a strict, deliberately simple reader of the responses a client received, written
// apart from the balancer's own parser so that a test does not judge the balancer by itself.
import net from 'node:net';

export interface SeenResponse {
  status: number;
  /** Lower-cased names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface ReadResult {
  responses: SeenResponse[];
  /** Bytes left that do not make a whole response (a cut-off or a malformed one). */
  rest: string;
  /** Why reading stopped before the end of the bytes, if it did. */
  error?: string;
}

/**
 * Frames `text` (latin1) into responses, `methods[i]` being the method of the request the i-th final
 * response answers (HEAD answers have no body). 1xx interim responses are skipped; a response without
 * length or chunking runs to the end of the bytes.
 */
export function readResponses(text: string, methods: readonly string[]): ReadResult {
  const responses: SeenResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) return { responses, rest: text.slice(at) };
    const lines = text.slice(at, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m) return { responses, rest: text.slice(at), error: `bad status line ${JSON.stringify(lines[0])}` };
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { responses, rest: text.slice(at), error: `bad header line ${JSON.stringify(line)}` };
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    at = end + 4;
    if (status >= 100 && status < 200 && status !== 101) continue;
    const method = methods[responses.length] ?? 'GET';
    if (status === 101 || method === 'HEAD' || status === 204 || status === 304) {
      responses.push({ status, headers, body: '' });
      if (status === 101) return { responses, rest: text.slice(at) };
      continue;
    }
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      if (te.toLowerCase() !== 'chunked') return { responses, rest: text.slice(at), error: `transfer-encoding ${te}` };
      let body = '';
      for (;;) {
        const lineEnd = text.indexOf('\r\n', at);
        if (lineEnd < 0) return { responses, rest: text.slice(at) };
        const size = parseInt(text.slice(at, lineEnd).split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) return { responses, rest: text.slice(at), error: 'bad chunk size' };
        at = lineEnd + 2;
        if (size === 0) {
          // Trailers, then the empty line.
          const trailerEnd = text.indexOf('\r\n', at);
          if (trailerEnd < 0) return { responses, rest: text.slice(at) };
          if (trailerEnd !== at) return { responses, rest: text.slice(at), error: 'unexpected trailer' };
          at += 2;
          break;
        }
        if (text.length < at + size + 2) return { responses, rest: text.slice(at) };
        body += text.slice(at, at + size);
        if (text.slice(at + size, at + size + 2) !== '\r\n') return { responses, rest: text.slice(at), error: 'chunk not followed by CRLF' };
        at += size + 2;
      }
      responses.push({ status, headers, body });
      continue;
    }
    const cl = headers['content-length'];
    if (cl === undefined) {
      responses.push({ status, headers, body: text.slice(at) });
      return { responses, rest: '' };
    }
    if (!/^\d+$/.test(cl)) return { responses, rest: text.slice(at), error: `content-length ${cl}` };
    const length = Number(cl);
    if (text.length < at + length) return { responses, rest: text.slice(at) };
    responses.push({ status, headers, body: text.slice(at, at + length) });
    at += length;
  }
  return { responses, rest: '' };
}

/**
 * Writes `data` on a fresh connection and collects every byte until the server closes, or until
 * `enough(text)` says the answer is complete (then the client closes). `halfClose` ends the client's
 * side right after writing, the way a client with nothing more to send may.
 */
export function converse(port: number, data: string | Buffer, options: { halfClose?: boolean; enough?: (text: string) => boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
      socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      if (options.halfClose) socket.end();
    });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (options.enough?.(text)) socket.destroy();
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve(text));
    socket.on('error', (error) => (text ? resolve(text) : reject(error)));
  });
}
