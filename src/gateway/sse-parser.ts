/** One server-sent event (WHATWG "event stream" interpretation). */
export interface SseEvent {
  /** The `event:` field; empty when the stream gave none (a "message"). */
  event: string;
  data: string;
  /** The `id:` field of this event, when it had one. */
  id: string | undefined;
}

const LF = 10;
const CR = 13;

/**
 * Splits decoded text chunks into events: lines end at CRLF, LF or CR (also across chunks),
 * `:` lines are comments, a blank line dispatches. Work is linear in the input however it is
 * cut, so a 10 MiB `data:` line costs one pass. An event longer than `maxEventChars` throws
 * (before it is all held).
 */
export class SseParser {
  private readonly parts: string[] = [];
  private partChars = 0;
  private afterCr = false;
  private data: string[] = [];
  /** Characters of the current event's complete lines. */
  private eventChars = 0;
  private event = '';
  private id: string | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxEventChars = Number.POSITIVE_INFINITY,
  ) {}

  push(chunk: string): void {
    // An empty chunk says nothing, and must not forget that the last one ended in CR.
    if (chunk === '') return;
    let start = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (chunk.charCodeAt(0) === LF) start = 1;
    }
    let lf = -1;
    let cr = -1;
    while (start < chunk.length) {
      if (lf < start) lf = indexOrEnd(chunk, '\n', start);
      if (cr < start) cr = indexOrEnd(chunk, '\r', start);
      const end = Math.min(lf, cr);
      if (end === chunk.length) break;
      const tail = chunk.slice(start, end);
      const line = this.parts.length > 0 ? this.parts.join('') + tail : tail;
      this.parts.length = 0;
      this.partChars = 0;
      this.line(line);
      start = end + 1;
      if (chunk.charCodeAt(end) === CR) {
        if (start === chunk.length) this.afterCr = true;
        else if (chunk.charCodeAt(start) === LF) start++;
      }
    }
    if (start < chunk.length) {
      this.parts.push(chunk.slice(start));
      this.partChars += chunk.length - start;
      this.checkSize();
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent({ event: this.event, data: this.data.join('\n'), id: this.id });
      this.data = [];
      this.eventChars = 0;
      this.event = '';
      this.id = undefined;
      return;
    }
    this.eventChars += line.length + 1;
    this.checkSize();
    if (line.charCodeAt(0) === 0x3a) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private checkSize(): void {
    if (this.eventChars + this.partChars > this.maxEventChars) {
      throw new RangeError(`an event of more than ${this.maxEventChars} characters`);
    }
  }
}

function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}
