import { foldRuns, isKeyLine, type OutputRule, program, word } from '../rule-kit.ts';

const CARGO_PROGRESS =
  /^\s*(Compiling|Checking|Downloaded|Downloading|Fresh|Updating|Locking|Adding|Blocking|Documenting|Packaging|Verifying|Unpacking|Installing|Removing|Updated) \S/;

/**
 * cargo build/test/clippy/check: `Compiling x` runs become one count, passing tests a count,
 * code frames and std-library backtrace frame names go; every diagnostic and its location stay.
 */
export const cargo: OutputRule = {
  name: 'cargo',
  matches: (argv) => program(argv) === 'cargo' || program(argv) === 'rustc',
  apply(lines) {
    let passed = 0;
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (isKeyLine(line)) out.push(line);
      else if (/^test \S+ \.\.\. ok$/.test(line)) passed++;
      else if (line.trim() === '' || /^\s*(\d+\s*)?\|/.test(line)) return;
      else if (/^\s+\d+: /.test(line) && /^\s+at \/rustc\//.test(lines[i + 1] ?? '')) return;
      else out.push(line);
    });
    const folded = foldRuns(
      out,
      (l) => CARGO_PROGRESS.test(l),
      (run) => {
        const verb = CARGO_PROGRESS.exec(run[0] as string)?.[1];
        return run.length === 1
          ? (run[0] as string)
          : `[${verb} ${run.length} crates: ${run[0]?.trim().split(' ')[1]} … ${run.at(-1)?.trim().split(' ')[1]}]`;
      },
    );
    if (passed > 0) folded.push(`[${passed} passing tests omitted]`);
    return folded;
  },
};

/**
 * go build/test/vet: `=== RUN` lines, passing tests and packages without tests become counts;
 * `go: downloading` runs fold; failures, `file:line` diagnostics and `ok`/FAIL package lines stay.
 */
export const goTool: OutputRule = {
  name: 'go',
  matches: (argv) =>
    program(argv) === 'go' &&
    ['build', 'test', 'vet', 'run', 'install', 'mod', 'get'].includes(word(argv, 1)),
  apply(lines) {
    let passed = 0;
    let noTests = 0;
    const out: string[] = [];
    for (const line of lines) {
      if (isKeyLine(line)) out.push(line);
      else if (/^\s*=== (RUN|PAUSE|CONT|NAME)\s/.test(line)) continue;
      else if (/^\s*--- PASS: /.test(line)) passed++;
      else if (/^\?\s+\S+\s+\[no test files\]$/.test(line)) noTests++;
      else if (line.trim() !== '' && line.trim() !== 'PASS')
        out.push(line.replace(/^ok\s+/, 'ok ').replace(/\t/g, ' '));
    }
    const folded = foldRuns(
      out,
      (l) => /^go: (downloading|extracting|finding) /.test(l),
      (run) => `[go: downloaded ${run.length} modules]`,
    );
    if (passed > 0) folded.push(`[${passed} passing tests omitted]`);
    if (noTests > 0) folded.push(`[${noTests} packages without test files]`);
    return folded;
  },
};

const COMPILER =
  /^(\S*\/)?(cc|gcc|g\+\+|c\+\+|clang|clang\+\+|ld|ar|ranlib|as|nasm|javac|rustc|go|ocamlfind|libtool|\/bin\/sh \.\.\/libtool)\s/;

/**
 * make: `Entering/Leaving directory` lines go; runs of echoed compiler commands become the
 * first one and a count; everything the recipes print stays.
 */
export const make: OutputRule = {
  name: 'make',
  matches: (argv) => ['make', 'gmake', 'ninja', 'cmake'].includes(program(argv)),
  apply(lines) {
    // gcc/clang code frames (`    1 | int x;`, `      |     ^~~`) under a diagnostic go with the directory lines
    const kept = lines.filter(
      (line) =>
        isKeyLine(line) ||
        !(/^g?make(\[\d+\])?: (Entering|Leaving) directory /.test(line) || /^\s+\d*\s?\|/.test(line)),
    );
    return foldRuns(
      kept,
      (l) => COMPILER.test(l),
      (run) => {
        if (run.length < 3) return run.join('\n');
        return `${run[0]}\n[… ${run.length - 1} more commands like it]`;
      },
    ).flatMap((l) => l.split('\n'));
  },
};

export const NATIVE_RULES: readonly OutputRule[] = [cargo, goTool, make];
