import { type CharRange, commentRanges } from '../languages/comment-ranges.ts';
import { languageOf } from '../languages/index.ts';

/** Removes the given ranges, keeping the newlines inside them so line structure holds. */
function cutRanges(text: string, ranges: readonly CharRange[]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += text.slice(at, start);
    out += text.slice(start, end).replace(/[^\n]/g, '');
    at = end;
  }
  return out + text.slice(at);
}

const LINE_COMMENT: Record<string, RegExp> = {
  kotlin: /^\s*\/\//,
  swift: /^\s*\/\//,
  dart: /^\s*\/\//,
  zig: /^\s*\/\//,
  css: /^\s*\/\*.*\*\/\s*$/,
  lua: /^\s*--/,
  sql: /^\s*--/,
  perl: /^\s*#(?!!)/,
  r: /^\s*#/,
  elixir: /^\s*#/,
  yaml: /^\s*#/,
  toml: /^\s*#/,
  make: /^\s*#/,
  dockerfile: /^\s*#/,
};

/** The smallest leading-space step used in the file (2, 4 …), or 1. */
function indentUnit(lines: readonly string[]): number {
  let unit = 0;
  for (const line of lines) {
    const m = /^( +)\S/.exec(line);
    if (!m?.[1]) continue;
    const n = m[1].length;
    unit = unit === 0 ? n : Math.min(unit, n);
    if (unit === 1) break;
  }
  return unit || 1;
}

/**
 * Code without comments, docstrings and blank lines, each indent level one space: the
 * logic stays whole and in order, only what a reader skims goes.
 */
export async function aggressiveText(relPath: string, text: string): Promise<string> {
  const ranges = await commentRanges(relPath, text);
  let lines: string[];
  if (ranges) {
    lines = cutRanges(text, ranges).split('\n');
  } else {
    const rule = LINE_COMMENT[languageOf(relPath) ?? ''];
    lines = text.split('\n').filter((l) => !rule?.test(l));
  }
  lines = lines.map((l) => l.trimEnd()).filter((l) => l !== '');
  const unit = indentUnit(lines);
  return lines
    .map((l) => {
      const lead = /^[ \t]*/.exec(l)?.[0] ?? '';
      const width = lead.replace(/\t/g, ' '.repeat(unit)).length;
      return ' '.repeat(Math.round(width / unit)) + l.slice(lead.length);
    })
    .join('\n');
}
