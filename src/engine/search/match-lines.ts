import type { CompiledPattern } from './compile-pattern.ts';

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Calls `onHit` for every line of `text` that the pattern matches, in order, the way
 * ripgrep judges a line: on its own, without its line ending. Scans the whole text with
 * one global regex and re-checks a line alone only when the match ran past it or the file
 * has `\r` (JS treats `\r` as a line end, ripgrep does not). `onHit` returns false to stop.
 */
export function matchLines(
  text: string,
  pattern: CompiledPattern,
  onHit: (line: number, lineText: string) => boolean,
): void {
  const re = pattern.scan;
  const strict = text.includes('\r');
  const endsWithNewline = text.endsWith('\n');
  let lineNo = 1;
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
