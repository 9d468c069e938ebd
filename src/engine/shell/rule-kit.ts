import { basename } from 'node:path';

/**
 * Lines no rule may drop or change: errors, warnings, failures, and anything carrying a
 * `file:line` (or tsc's `file(line,col)`) location.
 */
const PROBLEM_LINE =
  /\b(error|errors|warn|warning|warnings|fail|failed|failing|failure|fatal|panic|exception|not ok|denied|refused|conflict)\b|[✖✗×✕]/i;
// Starts only where a path can start and is bounded, so a long run of word characters costs linear time.
const LOCATION = /(?<![\w./-])[\w./-]{0,256}\.\w{1,16}(?::\d+|\(\d+,\d+\))/g;

/** Errors, warnings and failures: kept word for word. */
export const isProblemLine = (line: string): boolean => PROBLEM_LINE.test(line);
/** `file:line` and tsc's `file(line,col)` places in a text: each must still appear after compression. */
export const locationsIn = (text: string): string[] => text.match(LOCATION) ?? [];
export const isKeyLine = (line: string): boolean => isProblemLine(line) || locationsIn(line).length > 0;

/** A rule that rewrites the lines of one command family's output; key lines pass through. */
export interface OutputRule {
  name: string;
  matches(argv: readonly string[]): boolean;
  apply(lines: string[]): string[];
}

export const word = (argv: readonly string[], i: number): string => argv[i] ?? '';
export const program = (argv: readonly string[]): string => basename(word(argv, 0));

/** The first word after the program that is not an option (`git -C dir status` → status). */
export function subcommand(argv: readonly string[], optionsWithValue: readonly string[] = []): string {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (optionsWithValue.includes(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return '';
}

export const gitSub = (argv: readonly string[]): string => subcommand(argv, ['-C', '-c']);
export const isGit =
  (...subs: string[]) =>
  (argv: readonly string[]): boolean =>
    program(argv) === 'git' && subs.includes(gitSub(argv));

/** `npx tsc`, `pnpm exec eslint`, `python -m mypy`, `uv run pytest` → the tool that really runs. */
export function toolOf(argv: readonly string[]): { tool: string; rest: readonly string[] } {
  const p = program(argv);
  if (p === 'npx' || p === 'bunx') return { tool: basename(word(argv, 1)), rest: argv.slice(2) };
  if (['pnpm', 'yarn', 'uv', 'poetry'].includes(p) && ['exec', 'run', 'dlx'].includes(word(argv, 1))) {
    return { tool: basename(word(argv, 2)), rest: argv.slice(3) };
  }
  if (p.startsWith('python') && word(argv, 1) === '-m') return { tool: word(argv, 2), rest: argv.slice(3) };
  return { tool: p, rest: argv.slice(1) };
}

/** What a terminal shows of a line that rewrote itself with carriage returns: its last state. */
export const lastFrame = (line: string): string => {
  const parts = line.split('\r').filter((p) => p !== '');
  return parts.at(-1) ?? '';
};

/**
 * Runs of consecutive lines that `matches` accepts become one summary line; key lines always
 * stay as they are and end a run.
 */
export function foldRuns(
  lines: string[],
  matches: (line: string) => boolean,
  summary: (run: string[]) => string,
): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) out.push(summary(run));
    run = [];
  };
  for (const line of lines) {
    if (!isKeyLine(line) && matches(line)) run.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

/** Cuts a line past `max` characters, unless what is cut holds a key word or a location. */
export function clip(line: string, max: number): string {
  if (line.length <= max) return line;
  const cut = line.slice(max);
  const kept = line.slice(0, max);
  if (isProblemLine(line) || locationsIn(line).some((p) => !kept.includes(p))) return line;
  return `${kept}… [+${cut.length} chars]`;
}
