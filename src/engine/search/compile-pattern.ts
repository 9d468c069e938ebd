import { ToolError } from '../../errors.ts';
import { requiredLiterals } from './trigram-query.ts';

export interface CompiledPattern {
  /** What the caller typed. */
  source: string;
  /** Global + multiline: finds candidate lines in a whole file. */
  scan: RegExp;
  /** Neither global nor multiline: confirms one line on its own, the way ripgrep judges it. */
  line: RegExp;
  caseInsensitive: boolean;
  unicode: boolean;
  /** Runs every match contains exactly, longest first (none under case folding). */
  literals: string[];
}

// ripgrep's POSIX classes, written as JS class bodies.
const POSIX_CLASSES = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  lower: 'a-z',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
} as const;

/** Rewrites the ripgrep spellings JS lacks: a leading `(?i)` and `[[:alpha:]]`-style classes. */
function translate(pattern: string): { body: string; caseInsensitive: boolean } {
  let body = pattern;
  let caseInsensitive = false;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead?.[1]) {
    for (const flag of lead[1]) {
      if (flag === 'i') caseInsensitive = true;
      else if (flag !== 'm' && flag !== 's')
        throw new ToolError(`inline flag "(?${flag})" is not supported; only (?i) is`);
    }
    body = body.slice(lead[0].length);
  }
  body = body.replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => {
    const cls = (POSIX_CLASSES as Record<string, string>)[name];
    if (!cls) throw new ToolError(`unknown POSIX class "${whole}" in the pattern`);
    if (negate) throw new ToolError(`negated POSIX class "${whole}" is not supported; use [^...]`);
    return cls;
  });
  return { body, caseInsensitive };
}

/** True when the pattern has an unescaped `\n` escape, which can never match inside one line. */
function hasNewlineEscape(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      if (body[i + 1] === 'n') return true;
      i++;
    }
  }
  return false;
}

function tryCompile(body: string, flags: string): RegExp | SyntaxError {
  try {
    return new RegExp(body, flags);
  } catch (err) {
    return err as SyntaxError;
  }
}

/**
 * Compiles a search pattern the way ripgrep reads it, for JS's engine: Unicode mode when
 * the pattern allows it, plain mode otherwise. Bad patterns become a ToolError that quotes
 * the engine's complaint and says how to write a literal.
 */
export function compilePattern(pattern: string, opts: { ignoreCase?: boolean } = {}): CompiledPattern {
  if (pattern.length === 0)
    throw new ToolError('pattern is empty; give a regex such as "TODO" or "fn\\s+main"');
  if (pattern.includes('\0')) throw new ToolError('pattern refused: it contains a NUL byte');
  const { body, caseInsensitive: inline } = translate(pattern);
  const caseInsensitive = inline || (opts.ignoreCase ?? false);
  if (hasNewlineEscape(body)) {
    throw new ToolError('pattern has "\\n": search matches within single lines, so it can never match');
  }
  const i = caseInsensitive ? 'i' : '';
  let unicode = true;
  let scan = tryCompile(body, `gmu${i}`);
  if (scan instanceof SyntaxError) {
    const plain = tryCompile(body, `gm${i}`);
    if (plain instanceof SyntaxError) {
      const why = plain.message.replace(/^Invalid regular expression: /, '');
      throw new ToolError(
        `invalid regex ${JSON.stringify(pattern)}: ${why}. Escape special characters (\\( \\[ \\. \\*) to search for them literally`,
      );
    }
    scan = plain;
    unicode = false;
  }
  const line = new RegExp(body, `${unicode ? 'u' : ''}${i}`);
  const literals = requiredLiterals(body, caseInsensitive);
  return { source: pattern, scan, line, caseInsensitive, unicode, literals };
}
