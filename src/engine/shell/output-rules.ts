import { basename } from 'node:path';

/**
 * Lines no rule may drop or change: errors, warnings, failures, and anything carrying a
 * `file:line` (or tsc's `file(line,col)`) location.
 */
const PROBLEM_LINE =
  /\b(error|errors|warn|warning|warnings|fail|failed|failing|failure|fatal|panic|exception|not ok|denied|refused|conflict)\b|[✖✗×]/i;
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

const word = (argv: readonly string[], i: number) => argv[i] ?? '';
const program = (argv: readonly string[]) => basename(word(argv, 0));
/** `git -C dir status` → status. */
const gitSub = (argv: readonly string[]) => {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-C' || a === '-c') i++;
    else if (!a.startsWith('-')) return a;
  }
  return '';
};
const isGit = (sub: string) => (argv: readonly string[]) => program(argv) === 'git' && gitSub(argv) === sub;

const GIT_STATUS_SECTIONS: Record<string, string> = {
  'Changes to be committed:': 'staged:',
  'Changes not staged for commit:': 'unstaged:',
  'Untracked files:': 'untracked:',
  'Unmerged paths:': 'unmerged:',
};

const gitStatus: OutputRule = {
  name: 'git status',
  matches: isGit('status'),
  apply: (lines) =>
    lines.flatMap((line) => {
      if (isKeyLine(line)) return [line];
      if (/^\s*\((use|commit or discard) .*\)\s*$/.test(line) || line.trim() === '') return [];
      const section = GIT_STATUS_SECTIONS[line.trim()];
      if (section) return [section];
      const entry = /^\t(?:(new file|modified|deleted|renamed|typechange|both modified):\s+)?(.*)$/.exec(
        line,
      );
      if (entry) {
        const tag = {
          'new file': 'A',
          modified: 'M',
          deleted: 'D',
          renamed: 'R',
          typechange: 'T',
          'both modified': 'U',
        };
        return [`  ${entry[1] ? tag[entry[1] as keyof typeof tag] : '?'} ${entry[2]}`];
      }
      return [line];
    }),
};

/** git log: one `sha date author` line and the subject line per commit; the body only where it reports a problem. */
const gitLog: OutputRule = {
  name: 'git log',
  matches: (argv) =>
    isGit('log')(argv) && !argv.some((a) => /^--(format|pretty|oneline)/.test(a) || a === '-p'),
  apply(lines) {
    const out: string[] = [];
    let head = '';
    let author = '';
    let date = '';
    let wantSubject = false;
    for (const line of lines) {
      const commit = /^commit ([0-9a-f]{7,64})\b(.*)$/.exec(line);
      if (commit) {
        head = `${(commit[1] as string).slice(0, 10)}${commit[2]}`;
        wantSubject = true;
      } else if (wantSubject && line.startsWith('Author: '))
        author = line.slice(8).replace(/\s*<[^>]*>$/, '');
      else if (wantSubject && line.startsWith('Date: ')) date = line.slice(6).trim();
      else if (wantSubject && line.startsWith('    ')) {
        // the subject stays as written: it may be the line that reports a problem
        out.push(`${head} ${date} ${author}`, line);
        wantSubject = false;
      } else if (!wantSubject && isKeyLine(line)) out.push(line);
    }
    return out;
  },
};

/** git diff / show: file headers shortened, context cut to one line either side of a change. */
const gitDiff: OutputRule = {
  name: 'git diff',
  matches: (argv) => isGit('diff')(argv) || isGit('show')(argv),
  apply(lines) {
    const keep = new Uint8Array(lines.length);
    lines.forEach((line, i) => {
      if (!line.startsWith(' ')) keep[i] = 1;
      else if (/^[+-]/.test(lines[i - 1] ?? '') || /^[+-]/.test(lines[i + 1] ?? '')) keep[i] = 1;
    });
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (/^index [0-9a-f]+\.\.[0-9a-f]+/.test(line) || /^(---|\+\+\+) [ab]\//.test(line)) return;
      const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      if (header) out.push(`== ${header[2]}`);
      else if (keep[i] || isKeyLine(line)) out.push(line);
      else if (out.at(-1) !== ' …') out.push(' …');
    });
    return out;
  },
};

/** TAP (node --test, many npm test scripts): passing tests and their YAML blocks go, failures stay. */
const tapTests: OutputRule = {
  name: 'test run',
  matches: (argv) => {
    const p = program(argv);
    const sub = word(argv, 1);
    return (
      (p === 'node' && argv.includes('--test')) ||
      (['npm', 'pnpm', 'yarn'].includes(p) &&
        (sub === 'test' || sub === 't' || (sub === 'run' && /test/.test(word(argv, 2))))) ||
      ['vitest', 'jest', 'mocha', 'tap'].includes(p)
    );
  },
  apply(lines) {
    const out: string[] = [];
    let passed = 0;
    let skipping = false;
    for (const line of lines) {
      const indent = /^\s*/.exec(line)?.[0].length ?? 0;
      if (/^\s*ok \d+ /.test(line) && !isKeyLine(line)) {
        passed++;
        skipping = true;
        continue;
      }
      if (/^\s*# Subtest: /.test(line) || /^\s*✔ /.test(line)) {
        if (/✔/.test(line)) passed++;
        continue;
      }
      if (skipping) {
        if (/^\s*(---|\.\.\.|duration_ms:|type: )/.test(line) && !isKeyLine(line)) continue;
        skipping = false;
      }
      if (/^\s*(---|\.\.\.|duration_ms:)/.test(line) && !isKeyLine(line)) continue;
      out.push(indent > 0 && !isKeyLine(line) ? line.replace(/^\s{4,}/, '  ') : line);
    }
    if (passed > 0) out.push(`[${passed} passing tests omitted]`);
    return out;
  },
};

/** pytest: passing tests, session preamble and banner padding go; failures and tracebacks stay. */
const pytest: OutputRule = {
  name: 'pytest',
  matches: (argv) => {
    const p = program(argv);
    return (
      p === 'pytest' ||
      p === 'py.test' ||
      (p.startsWith('python') && word(argv, 1) === '-m' && word(argv, 2) === 'pytest')
    );
  },
  apply(lines) {
    let passed = 0;
    const out = lines.flatMap((line) => {
      if (isProblemLine(line)) return [line];
      if (/ PASSED\s+\[\s*\d+%\]$/.test(line)) {
        passed++;
        return [];
      }
      if (
        /^(platform |cachedir: |hypothesis profile |benchmark: |rootdir: |plugins: |configfile: |collecting \.\.\.)/.test(
          line,
        )
      )
        return [];
      if (line.trim() === '') return [];
      // a banner's padding (`==== title ====`) costs tokens and says nothing
      return [line.replace(/^([=_])\1{3,} (.*?) [=_]{4,}$/, '$1$1$1 $2')];
    });
    if (passed > 0) out.push(`[${passed} passing tests omitted]`);
    return out;
  },
};

/** eslint / biome / tsc: code frames and blank lines go; every diagnostic line stays. */
const linters: OutputRule = {
  name: 'lint or typecheck',
  matches: (argv) => {
    const p = program(argv);
    return (
      ['tsc', 'eslint', 'biome'].includes(p) ||
      (p === 'npx' && ['tsc', 'eslint', 'biome'].includes(word(argv, 1)))
    );
  },
  apply: (lines) =>
    lines.filter(
      (line) =>
        isKeyLine(line) ||
        !(line.trim() === '' || /^\s*(\d+\s*)?│|^\s*[>^]\s|^\s*\^+\s*$|^\s*[│┌└─]/.test(line)),
    ),
};

/** ls -l: the name and size, without permissions, links, owner and group. */
const lsLong: OutputRule = {
  name: 'ls',
  matches: (argv) => program(argv) === 'ls',
  apply: (lines) =>
    lines.flatMap((line) => {
      if (/^total \d+/.test(line)) return [];
      const long =
        /^([-dlcbps])[-rwxsStT@+.]{9,}\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w{3}\s+\d+\s+[\d:]+\s+(.*)$/.exec(line);
      if (!long) return [line];
      const [, type, size, name] = long;
      return [type === 'd' ? `${name}/` : `${name} ${size}`];
    }),
};

/** find: paths grouped under their directory. */
const find: OutputRule = {
  name: 'find',
  matches: (argv) => program(argv) === 'find' || program(argv) === 'fd',
  apply(lines) {
    const groups = new Map<string, string[]>();
    const other: string[] = [];
    for (const line of lines) {
      if (isKeyLine(line) || line.trim() === '') {
        if (line.trim() !== '') other.push(line);
        continue;
      }
      const slash = line.lastIndexOf('/');
      const dir = slash === -1 ? '.' : line.slice(0, slash + 1);
      const list = groups.get(dir) ?? [];
      list.push(line.slice(slash + 1));
      groups.set(dir, list);
    }
    return [...other, ...[...groups].map(([dir, names]) => `${dir} ${names.join('  ')}`)];
  },
};

/** grep/rg: matched text trimmed of its indentation; file:line stays on each line. */
const grep: OutputRule = {
  name: 'grep',
  matches: (argv) =>
    ['grep', 'rg', 'egrep', 'ag'].includes(program(argv)) ||
    (program(argv) === 'git' && gitSub(argv) === 'grep'),
  apply(lines) {
    let previous: string | undefined;
    return lines.map((line) => {
      const hit = /^([^:\s]+:\d+:)\s*(.*)$/.exec(line);
      if (!hit || isProblemLine(line)) return line;
      const same = hit[2] === previous;
      previous = hit[2];
      return same ? `${hit[1]} 〃` : `${hit[1]} ${hit[2]}`;
    });
  },
};

export const COMMAND_RULES: readonly OutputRule[] = [
  gitStatus,
  gitLog,
  gitDiff,
  pytest,
  tapTests,
  linters,
  lsLong,
  find,
  grep,
];

/** Consecutive equal lines (numbers aside) folded into one, with a count line after it. */
export function foldRepeats(lines: string[]): string[] {
  const out: string[] = [];
  const shape = (l: string) => l.replace(/\d+/g, '#');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    let j = i + 1;
    while (
      j < lines.length &&
      (isKeyLine(line) ? lines[j] === line : shape(lines[j] as string) === shape(line))
    )
      j++;
    out.push(line);
    if (j - i > 2) out.push(`[… ${j - i - 1} more like the line above]`);
    else if (j - i === 2) out.push(lines[i + 1] as string);
    i = j;
  }
  return out;
}

/** Past `maxLines`: the first and last lines, and every key line in between. */
export function headTail(lines: string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return lines;
  const edge = Math.floor(maxLines / 2);
  const out = lines.slice(0, edge);
  let skipped = 0;
  for (let i = edge; i < lines.length - edge; i++) {
    const line = lines[i] as string;
    if (isKeyLine(line)) {
      if (skipped > 0) out.push(`[… ${skipped} lines]`);
      skipped = 0;
      out.push(line);
    } else skipped++;
  }
  if (skipped > 0) out.push(`[… ${skipped} lines]`);
  return [...out, ...lines.slice(lines.length - edge)];
}
