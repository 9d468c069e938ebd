import { RE2JS } from 're2js';
import { AppError, ToolError } from '../../errors.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import { WorkerDeadlineError } from '../workers/worker-pool.ts';
import { requiredLiterals } from './trigram-query.ts';

/** Longest search pattern accepted; the tools' schemas say the same. */
export const MAX_PATTERN_CHARS = 1024;
/** A compiled pattern's size bound: matching costs up to this much per character. */
export const MAX_PATTERN_INSTRUCTIONS = 4000;
/** Counted repetitions (`{1,1000}`) multiply a program; such patterns are sized on a worker first. */
const CHECK_DEADLINE_MS = 10_000;

export interface CompiledPattern {
  /** What the caller typed. */
  source: string;
  /** Confirms one line on its own, the way ripgrep judges it (RE2: linear time, no backtracking). */
  line: RE2JS;
  /** Multi-line form that tests many lines at once; undefined when it could miss a line's match. */
  block: RE2JS | undefined;
  caseInsensitive: boolean;
  /** The pattern without its leading flag group, for the n-gram filter. */
  body: string;
  /** Runs every match contains exactly, longest first (none under case folding). */
  literals: string[];
}

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;

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

const NEEDS_BACKTRACKING: [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookahead and lookbehind'],
  [/\\[1-9]|\\k</, 'backreferences'],
];

function refuse(why: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_arguments', why, { field: 'pattern', ...details });
}

/** Escapes outside character classes in `source` that start a construct, e.g. `\1` or `(?=`. */
function unsupportedSyntax(source: string): string | undefined {
  // a backslash-escaped backslash is a literal one: drop pairs before looking
  const plain = source.replace(/\\\\/g, '');
  for (const [re, what] of NEEDS_BACKTRACKING) if (re.test(plain)) return what;
  return undefined;
}

/**
 * Compiles a search pattern in ripgrep's dialect for RE2 (re2js), which matches in time
 * linear in the text: no pattern can stall the server. Patterns over MAX_PATTERN_CHARS,
 * lookaround and backreferences are refused as invalid arguments naming why; a malformed
 * pattern is a ToolError that quotes the parser's complaint.
 */
export function compilePattern(pattern: string, opts: { ignoreCase?: boolean } = {}): CompiledPattern {
  if (pattern.length === 0)
    throw new ToolError('pattern is empty; give a regex such as "TODO" or "fn\\s+main"');
  if (pattern.length > MAX_PATTERN_CHARS) {
    throw refuse(`pattern is ${pattern.length} characters; the limit is ${MAX_PATTERN_CHARS}`, {
      limit: MAX_PATTERN_CHARS,
    });
  }
  if (pattern.includes('\0')) throw new ToolError('pattern refused: it contains a NUL byte');
  const unsupported = unsupportedSyntax(pattern);
  if (unsupported) {
    throw refuse(
      `pattern uses ${unsupported}, which needs a backtracking regex engine; search runs RE2 (linear time, so no pattern can stall the server). Match the text itself instead, e.g. "foo\\w*" rather than "foo(?=bar)"`,
    );
  }
  const lead = LEADING_FLAGS.exec(pattern);
  const caseInsensitive = (lead?.[1]?.includes('i') ?? false) || (opts.ignoreCase ?? false);
  const body = lead ? pattern.slice(lead[0].length) : pattern;
  if (hasNewlineEscape(body)) {
    throw new ToolError('pattern has "\\n": search matches within single lines, so it can never match');
  }
  const flags = caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0;
  let line: RE2JS;
  try {
    line = RE2JS.compile(pattern, flags);
  } catch (err) {
    const why = String((err as Error).message).replace(/^error parsing regexp: /, '');
    throw new ToolError(
      `invalid regex ${JSON.stringify(pattern)}: ${why}. Escape special characters (\\( \\[ \\. \\*) to search for them literally`,
    );
  }
  const instructions = line.re2Input.numberOfInstructions() as number;
  if (instructions > MAX_PATTERN_INSTRUCTIONS) throw tooComplex(instructions);
  // \A, \z and a flag group turning multi-line off anchor to the text, not the line
  const blockSafe = !/\\[Az]|\(\?[a-zA-Z]*-/.test(pattern);
  const block = blockSafe ? RE2JS.compile(pattern, flags | RE2JS.MULTILINE) : undefined;
  const literals = requiredLiterals(body, caseInsensitive);
  return { source: pattern, line, block, caseInsensitive, body, literals };
}

function tooComplex(instructions: number | undefined): AppError {
  const size =
    instructions === undefined
      ? `it does not compile within ${CHECK_DEADLINE_MS} ms`
      : `it compiles to ${instructions} instructions`;
  return refuse(
    `pattern is too complex: ${size}, the limit is ${MAX_PATTERN_INSTRUCTIONS}; use smaller counted repetitions ({n,m})`,
    { limit: MAX_PATTERN_INSTRUCTIONS },
  );
}

/** An upper bound on the program's size: its length times every counted repetition, as if nested. */
function repetitionBound(pattern: string): number {
  let bound = pattern.length;
  for (const m of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    bound *= Math.max(1, Number(m[1]), Number(m[2] || 0));
    if (bound > MAX_PATTERN_INSTRUCTIONS) break;
  }
  return bound;
}

/**
 * `compilePattern` for client input: counted repetitions can make a short pattern compile to
 * millions of instructions (seconds of work), so a pattern that might is sized on a worker first.
 */
export async function compileClientPattern(
  pattern: string,
  opts: { ignoreCase?: boolean; signal?: AbortSignal } = {},
): Promise<CompiledPattern> {
  if (repetitionBound(pattern) > MAX_PATTERN_INSTRUCTIONS && pattern.length <= MAX_PATTERN_CHARS) {
    const size = await runEngineTask(
      'patternSize',
      { source: pattern, ignoreCase: opts.ignoreCase ?? false },
      { signal: opts.signal, deadlineMs: CHECK_DEADLINE_MS },
    ).catch((err: unknown) => {
      if (err instanceof WorkerDeadlineError) throw tooComplex(undefined);
      throw err;
    });
    if (size > MAX_PATTERN_INSTRUCTIONS) throw tooComplex(size);
  }
  return compilePattern(pattern, opts);
}

/** The size of a pattern's program, or 0 when it does not compile (compilePattern says why). */
export function patternSize(source: string, ignoreCase: boolean): number {
  try {
    return RE2JS.compile(
      source,
      ignoreCase ? RE2JS.CASE_INSENSITIVE : 0,
    ).re2Input.numberOfInstructions() as number;
  } catch {
    return 0;
  }
}
