import { isGit, isKeyLine, type OutputRule, program, word } from '../rule-kit.ts';

const GIT_STATUS_SECTIONS: Record<string, string> = {
  'Changes to be committed:': 'staged:',
  'Changes not staged for commit:': 'unstaged:',
  'Untracked files:': 'untracked:',
  'Unmerged paths:': 'unmerged:',
};
const STATUS_TAGS: Record<string, string> = {
  'new file': 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  typechange: 'T',
  'both modified': 'U',
};

/** git status: hints go, section titles and entries shortened to `M path`. */
export const gitStatus: OutputRule = {
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
      if (entry) return [`  ${entry[1] ? STATUS_TAGS[entry[1]] : '?'} ${entry[2]}`];
      return [line];
    }),
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Wed Dec 2 07:48:20 2026 +0000` → `2026-12-02`; other formats as they are. */
const shortDate = (date: string) => {
  const m = /^\w{3} (\w{3}) (\d{1,2}) [\d:]+ (\d{4})/.exec(date);
  const month = m ? MONTHS.indexOf(m[1] as string) + 1 : 0;
  return m && month > 0
    ? `${m[3]}-${String(month).padStart(2, '0')}-${(m[2] as string).padStart(2, '0')}`
    : date;
};

/** git log: one `sha date author` line and the subject line per commit; the body only where it reports a problem. */
export const gitLog: OutputRule = {
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
      else if (wantSubject && line.startsWith('Date: ')) date = shortDate(line.slice(6).trim());
      else if (wantSubject && line.startsWith('    ')) {
        // a subject that reports a problem stays a line of its own, as written
        if (isKeyLine(line)) out.push(`${head} ${date} ${author}`, line);
        else out.push(`${head} ${date} ${author}: ${line.trim()}`);
        wantSubject = false;
      } else if (!wantSubject && isKeyLine(line)) out.push(line);
    }
    return capCommits(out);
  },
};

/** Commits shown in full by `git log`; past it, only commits whose lines are key lines stay. */
const MAX_LOG_COMMITS = 50;

/** The newest MAX_LOG_COMMITS one-line commits, then key lines only, and how many were left out. */
function capCommits(lines: string[]): string[] {
  let commits = 0;
  let dropped = 0;
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const next = lines[i + 1] ?? '';
    const isCommit = /^[0-9a-f]{7,10}\b/.test(line);
    if (isCommit) commits++;
    // a commit line followed by its key subject line stays with it
    if (
      commits <= MAX_LOG_COMMITS ||
      isKeyLine(line) ||
      (isCommit && isKeyLine(next) && !/^[0-9a-f]{7,10}\b/.test(next))
    ) {
      out.push(line);
    } else if (isCommit) dropped++;
  }
  if (dropped > 0)
    out.push(
      `… ${dropped} older commits left out (the full log: ctx_expand, or git log --skip ${MAX_LOG_COMMITS})`,
    );
  return out;
}

/** git diff / show (and log -p): file headers shortened, context cut to one line either side of a change. */
export const gitDiff: OutputRule = {
  name: 'git diff',
  matches: (argv) => isGit('diff', 'show')(argv) || (isGit('log')(argv) && argv.includes('-p')),
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

/** git blame: one `sha author date` line per run of lines from one commit, then `line code`. */
export const gitBlame: OutputRule = {
  name: 'git blame',
  matches: (argv) =>
    (isGit('blame')(argv) || (program(argv) === 'git' && word(argv, 1) === 'annotate')) &&
    !argv.some((a) => /^(-p|--porcelain|--line-porcelain|--incremental)$/.test(a)),
  apply(lines) {
    const out: string[] = [];
    let last = '';
    for (const line of lines) {
      const m =
        /^\^?([0-9a-f]{7,40})\s(?:\S+\s+)?\((.+?)\s+(\d{4}-\d\d-\d\d) [\d:]+ [+-]\d{4}\s+(\d+)\) ?(.*)$/.exec(
          line,
        );
      if (!m || isKeyLine(line)) {
        out.push(line);
        last = '';
        continue;
      }
      const [, sha, author, date, n, code] = m;
      const who = `${sha} ${(author as string).trim()} ${date}`;
      if (who !== last) out.push(`@ ${who}`);
      last = who;
      out.push(`${n} ${code}`);
    }
    return out;
  },
};

export const GIT_RULES: readonly OutputRule[] = [gitStatus, gitLog, gitDiff, gitBlame];
