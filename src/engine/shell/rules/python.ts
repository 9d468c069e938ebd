import {
  foldRuns,
  isKeyLine,
  isProblemLine,
  lastFrame,
  type OutputRule,
  program,
  toolOf,
} from '../rule-kit.ts';

/** pytest: passing tests, session preamble and banner padding go; failures and tracebacks stay. */
export const pytest: OutputRule = {
  name: 'pytest',
  matches: (argv) => ['pytest', 'py.test'].includes(toolOf(argv).tool),
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

const isPip = (argv: readonly string[]) =>
  ['pip', 'pip3', 'uv'].includes(toolOf(argv).tool) || /^pip3?(\.\d+)?$/.test(program(argv));

/**
 * pip: `Requirement already satisfied` and download/progress runs become counts, the index
 * preamble goes; warnings, errors and `Successfully installed` stay. `pip list` becomes
 * `name version` pairs, several to a line.
 */
export const pip: OutputRule = {
  name: 'pip',
  matches: isPip,
  apply(lines) {
    const frames = lines.map(lastFrame);
    if (/^Package\s+Version/.test(frames[0] ?? '') && /^-+\s+-+/.test(frames[1] ?? '')) {
      const pairs = frames.slice(2).map((l) => l.trim().split(/\s+/).join(' '));
      const out: string[] = ['packages (name version):'];
      for (let i = 0; i < pairs.length; i += 8) out.push(pairs.slice(i, i + 8).join(', '));
      return out;
    }
    const kept = frames.filter(
      (l) =>
        isKeyLine(l) ||
        !(
          l.trim() === '' ||
          /^(Looking in (indexes|links):|\s*━|\s*\|[█ ]*\|)/.test(l) ||
          /^\s+(Downloading|Using cached) /.test(l)
        ),
    );
    return foldRuns(
      kept,
      (l) => /^(Requirement already satisfied|Collecting|Using cached|Downloading|Obtaining) /.test(l),
      (run) => {
        const verb = /^(\S+(?: already satisfied)?)/.exec(run[0] as string)?.[1];
        const names = run.map((l) => /^\S+(?: already satisfied:?)? (\S+)/.exec(l)?.[1] ?? '?');
        return run.length === 1
          ? (run[0] as string)
          : `[${verb}: ${run.length} packages: ${names.join(' ')}]`;
      },
    );
  },
};

export const PYTHON_RULES: readonly OutputRule[] = [pytest, pip];
