/**
 * Finds where a chunked body (RFC 9112 §7.1) ends while its bytes go through untouched, one byte at a
 * time for the framing lines and in one step over chunk data; nothing is allocated. It is strict where
 * a lenient reading could make two parsers disagree: CRLF only (no bare LF), hex sizes of at most 15
 * digits, extensions and trailers of visible characters only.
 */
export const CHUNKED_GARBAGE = -2;
export const CHUNKED_MORE = -1;

// Scanner states (plain numbers: the switch below runs once per framing byte).
const S = { Size: 0, Ext: 1, SizeLf: 2, Data: 3, DataCr: 4, DataLf: 5, Trailer: 6, TrailerLf: 7, Done: 8 } as const;
type State = (typeof S)[keyof typeof S];

export class ChunkedScanner {
  private state: State = S.Size;
  private size = 0;
  private left = 0;
  private digits = 0;
  private trailerLineLen = 0;

  /**
   * Consumes `buf` from `from`. Returns the index just after the body's last byte, CHUNKED_MORE when
   * the body goes on past `buf`, CHUNKED_GARBAGE when the bytes are not a chunked body. `onData`, when
   * given, is told each run of chunk data (start, end) in `buf`.
   */
  feed(buf: Uint8Array, from = 0, onData?: (start: number, end: number) => void): number {
    for (let i = from; i < buf.length; i++) {
      const c = buf[i] as number;
      switch (this.state) {
        case S.Size: {
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (v >= 0) {
            if (++this.digits > 15) return CHUNKED_GARBAGE;
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) return CHUNKED_GARBAGE;
          else if (c === 13) this.state = S.SizeLf;
          else if (c === 59) this.state = S.Ext;
          else return CHUNKED_GARBAGE;
          break;
        }
        case S.Ext:
          if (c === 13) this.state = S.SizeLf;
          else if (c !== 9 && (c < 32 || c === 127)) return CHUNKED_GARBAGE;
          break;
        case S.SizeLf:
          if (c !== 10) return CHUNKED_GARBAGE;
          if (this.size === 0) {
            this.state = S.Trailer;
            this.trailerLineLen = 0;
          } else {
            this.state = S.Data;
            this.left = this.size;
          }
          break;
        case S.Data: {
          const take = Math.min(this.left, buf.length - i);
          onData?.(i, i + take);
          this.left -= take;
          i += take - 1;
          if (this.left === 0) this.state = S.DataCr;
          break;
        }
        case S.DataCr:
          if (c !== 13) return CHUNKED_GARBAGE;
          this.state = S.DataLf;
          break;
        case S.DataLf:
          if (c !== 10) return CHUNKED_GARBAGE;
          this.state = S.Size;
          this.size = 0;
          this.digits = 0;
          break;
        case S.Trailer:
          if (c === 13) this.state = S.TrailerLf;
          else if (c !== 9 && (c < 32 || c === 127)) return CHUNKED_GARBAGE;
          else this.trailerLineLen++;
          break;
        case S.TrailerLf:
          if (c !== 10) return CHUNKED_GARBAGE;
          if (this.trailerLineLen === 0) {
            this.state = S.Done;
            return i + 1;
          }
          this.trailerLineLen = 0;
          this.state = S.Trailer;
          break;
        case S.Done:
          return i;
      }
    }
    return this.state === S.Done ? from : CHUNKED_MORE;
  }
}
