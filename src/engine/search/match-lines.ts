import { runEngineTask } from '../workers/engine-pool.ts';
import type { Pacer } from '../workers/pacer.ts';
import { type CompiledPattern, compilePattern } from './compile-pattern.ts';

/** Part of a text that starts at a line start and ends after a newline (or at the end). */
export interface LineRange {
  start: number;
  end: number;
  /** 1-based number of the line at `start`. */
  line: number;
}

export type OnHit = (line: number, lineText: string) => boolean;

const WHOLE: LineRange = { start: 0, end: Number.POSITIVE_INFINITY, line: 1 };

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Reports a line the pattern matched, without the `\r` of a CRLF ending (ripgrep's output). */
const report = (onHit: OnHit, line: number, lineText: string) =>
  onHit(line, lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText);

/**
 * Only lines holding every required literal can match, so those are found with `indexOf`
 * (far faster than a regex over the whole text) and only they meet the regex. With several
 * literals the search leapfrogs: when one is missing from a line, the next line to try is
 * the one where it occurs next, so common literals cost no more than the rarest one.
 */
function matchLiteralLines(text: string, pattern: CompiledPattern, onHit: OnHit, firstLine: number): void {
  const [first, ...others] = pattern.literals as [string, ...string[]];
  const lineStartOf = (at: number) => (at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1);
  let lineNo = firstLine;
  let counted = 0;
  let from = 0;
  next: for (;;) {
    const at = text.indexOf(first, from);
    if (at === -1) return;
    const lineStart = lineStartOf(at);
    let lineEnd = text.indexOf('\n', at + first.length);
    if (lineEnd === -1) lineEnd = text.length;
    for (const other of others) {
      const seen = text.indexOf(other, lineStart);
      if (seen === -1) return;
      if (seen >= lineEnd) {
        from = lineStartOf(seen);
        continue next;
      }
    }
    const lineText = text.slice(lineStart, lineEnd);
    if (pattern.line.test(lineText)) {
      lineNo += countNewlines(text, counted, lineStart);
      counted = lineStart;
      if (!report(onHit, lineNo, lineText)) return;
    }
    if (lineEnd >= text.length) return;
    from = lineEnd + 1;
  }
}

/** Tests the lines of `text` one by one, after one multi-line test says any of them may match. */
function matchRegexLines(text: string, pattern: CompiledPattern, onHit: OnHit, firstLine: number): void {
  if (text.length === 0 || (pattern.block && !pattern.block.test(text))) return;
  let lineNo = firstLine;
  for (let start = 0; start < text.length; lineNo++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineText = text.slice(start, end);
    if (pattern.line.test(lineText) && !report(onHit, lineNo, lineText)) return;
    start = end + 1;
  }
}

/**
 * Calls `onHit` for every line of `text` (or of `range` in it) that the pattern matches, in
 * order, the way ripgrep judges a line: on its own, without its newline (a `\r` stays part
 * of the line, as in ripgrep without --crlf). `onHit` returns false to stop. Synchronous:
 * for texts of any size, `matchLinesPaced` shares the time with other requests.
 */
export function matchLines(
  text: string,
  pattern: CompiledPattern,
  onHit: OnHit,
  range: LineRange = WHOLE,
): void {
  // a slice of a flat string is a view: searching it bounds indexOf and the regex to the range
  const part = range.start === 0 && range.end >= text.length ? text : text.slice(range.start, range.end);
  if (pattern.literals.length > 0) matchLiteralLines(part, pattern, onHit, range.line);
  else matchRegexLines(part, pattern, onHit, range.line);
}

/** Text matched in one go on the event loop; more waits for the next turn. */
const PIECE_CHARS = 64 * 1024;
/** A piece this long holds a very long line: it is matched on a worker thread. */
const LONG_PIECE_CHARS = 256 * 1024;
/**
 * `matchLines` in pieces of about 64 KB with a turn of the event loop between them, so a
 * search over a large text never holds the loop; a piece that is one very long line is
 * matched on a worker thread. `limit` bounds the hits a worker sends back.
 */
export async function matchLinesPaced(
  text: string,
  pattern: CompiledPattern,
  onHit: OnHit,
  pacer: Pacer,
  range: LineRange = WHOLE,
  limit = Number.POSITIVE_INFINITY,
): Promise<void> {
  const end = Math.min(range.end, text.length);
  let line = range.line;
  let stopped = false;
  const hit: OnHit = (n, t) => {
    if (onHit(n, t)) return true;
    stopped = true;
    return false;
  };
  for (let start = range.start; start < end && !stopped; ) {
    await pacer.pace();
    const nl = start + PIECE_CHARS >= end ? -1 : text.indexOf('\n', start + PIECE_CHARS);
    const stop = nl === -1 || nl >= end ? end : nl + 1;
    if (stop - start <= LONG_PIECE_CHARS) {
      matchLines(text, pattern, hit, { start, end: stop, line });
    } else {
      const hits = await runEngineTask(
        'matchLines',
        {
          source: pattern.source,
          ignoreCase: pattern.caseInsensitive,
          text: text.slice(start, stop),
          line,
          limit,
        },
        { signal: pacer.signal },
      );
      for (const [n, t] of hits) if (!hit(n, t)) break;
    }
    if (stop < end) line += countNewlines(text, start, stop);
    start = stop;
  }
}

/** The worker's side of `matchLinesPaced`: up to `limit + 1` hits, so the caller sees that more exist. */
export function matchLinesHere(input: {
  source: string;
  ignoreCase: boolean;
  text: string;
  line: number;
  limit: number;
}): [number, string][] {
  const out: [number, string][] = [];
  const pattern = compilePattern(input.source, { ignoreCase: input.ignoreCase });
  matchLines(
    input.text,
    pattern,
    (n, t) => {
      out.push([n, t]);
      return out.length <= input.limit;
    },
    { start: 0, end: input.text.length, line: input.line },
  );
  return out;
}
