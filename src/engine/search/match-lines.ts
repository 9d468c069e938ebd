import type { CompiledPattern } from './compile-pattern.ts';

/** Part of a text that starts at a line start and ends after a newline (or at the end). */
export interface LineRange {
  start: number;
  end: number;
  /** 1-based number of the line at `start`. */
  line: number;
}

const WHOLE: LineRange = { start: 0, end: Number.POSITIVE_INFINITY, line: 1 };

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Only lines holding every required literal can match, so those are found with `indexOf`
 * (far faster than a regex over the whole text) and only they meet the regex. With several
 * literals the search leapfrogs: when one is missing from a line, the next line to try is
 * the one where it occurs next, so common literals cost no more than the rarest one.
 */
function matchLiteralLines(
  text: string,
  pattern: CompiledPattern,
  onHit: (line: number, lineText: string) => boolean,
  firstLine: number,
): void {
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
    let lineText = text.slice(lineStart, lineEnd);
    if (pattern.line.test(lineText)) {
      lineNo += countNewlines(text, counted, lineStart);
      counted = lineStart;
      if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
      if (!onHit(lineNo, lineText)) return;
    }
    if (lineEnd >= text.length) return;
    from = lineEnd + 1;
  }
}

/**
 * Calls `onHit` for every line of `text` (or of `range` in it) that the pattern matches, in order, the way
 * ripgrep judges a line: on its own, without its line ending. Scans the whole text with
 * one global regex and re-checks a line alone only when the match ran past it or the file
 * has `\r` (JS treats `\r` as a line end, ripgrep does not). `onHit` returns false to stop.
 */
export function matchLines(
  text: string,
  pattern: CompiledPattern,
  onHit: (line: number, lineText: string) => boolean,
  range: LineRange = WHOLE,
): void {
  // a slice of a flat string is a view: searching it bounds indexOf and the regex to the range
  const part = range.start === 0 && range.end >= text.length ? text : text.slice(range.start, range.end);
  if (pattern.literals.length > 0) matchLiteralLines(part, pattern, onHit, range.line);
  else matchRegexLines(part, pattern, onHit, range.line);
}

function matchRegexLines(
  text: string,
  pattern: CompiledPattern,
  onHit: (line: number, lineText: string) => boolean,
  firstLine: number,
): void {
  const re = pattern.scan;
  const strict = text.includes('\r');
  const endsWithNewline = text.endsWith('\n');
  let lineNo = firstLine;
  let counted = 0;
  re.lastIndex = 0;
  while (re.lastIndex <= text.length) {
    const m = re.exec(text);
    if (!m) break;
    const start = m.index;
    if (start === text.length && (text.length === 0 || endsWithNewline)) break;
    lineNo += countNewlines(text, counted, start);
    counted = start;
    const lineStart = start === 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', start);
    if (lineEnd === -1) lineEnd = text.length;
    let lineText = text.slice(lineStart, lineEnd);
    let ok = true;
    if (strict || start + m[0].length > lineEnd) ok = pattern.line.test(lineText);
    if (ok) {
      if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
      if (!onHit(lineNo, lineText)) return;
    }
    re.lastIndex = lineEnd + 1;
  }
}
