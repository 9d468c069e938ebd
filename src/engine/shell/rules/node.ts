import { foldRuns, isKeyLine, lastFrame, type OutputRule, program, toolOf, word } from '../rule-kit.ts';

const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'];
const isTestScript = (argv: readonly string[]) => {
  const sub = word(argv, 1);
  return sub === 'test' || sub === 't' || (sub === 'run' && /test/.test(word(argv, 2)));
};

/**
 * Test runners (node --test's TAP and spec reporters, vitest, jest, mocha): passing tests
 * become a count; failures, their messages and the summary stay.
 */
export const testRun: OutputRule = {
  name: 'test run',
  matches: (argv) => {
    const p = program(argv);
    const { tool } = toolOf(argv);
    return (
      (p === 'node' && argv.includes('--test')) ||
      (PACKAGE_MANAGERS.includes(p) && isTestScript(argv)) ||
      ['vitest', 'jest', 'mocha', 'tap', 'ava'].includes(tool)
    );
  },
  apply(lines) {
    const out: string[] = [];
    let passed = 0;
    let skipping = false;
    for (const line of lines) {
      const indent = /^\s*/.exec(line)?.[0].length ?? 0;
      if (isKeyLine(line)) {
        skipping = false;
        out.push(line);
        continue;
      }
      if (/^\s*ok \d+ /.test(line)) {
        passed++;
        skipping = true;
        continue;
      }
      // TAP subtest titles, spec-reporter ✔, vitest/jest ✓ and jest's PASS file lines
      if (/^\s*# Subtest: /.test(line)) continue;
      if (/^\s*[✔✓√] /.test(line) || /^\s*PASS /.test(line)) {
        passed++;
        continue;
      }
      if (skipping) {
        if (/^\s*(---|\.\.\.|duration_ms:|type: )/.test(line)) continue;
        skipping = false;
      }
      if (/^\s*(---|\.\.\.|duration_ms:)/.test(line) || line.trim() === '') continue;
      out.push(indent > 0 ? line.replace(/^\s{4,}/, '  ') : line);
    }
    if (passed > 0) out.push(`[${passed} passing tests omitted]`);
    return out;
  },
};

/** npm/pnpm/yarn install: progress, funding and audit chatter go; warnings, errors and the summary stay. */
export const packageInstall: OutputRule = {
  name: 'package install',
  matches: (argv) =>
    PACKAGE_MANAGERS.includes(program(argv)) &&
    ['install', 'i', 'ci', 'add', 'update', 'up', 'remove', 'rm', 'uninstall'].includes(word(argv, 1)),
  apply(lines) {
    const kept = lines.map(lastFrame).filter((line) => {
      if (isKeyLine(line)) return true;
      return !(
        line.trim() === '' ||
        /packages? (is|are) looking for funding/.test(line) ||
        /^\s*run `(npm|yarn|pnpm) fund`/.test(line) ||
        /^\s*(To address|To fix|Run `npm audit|npm audit fix)/.test(line) ||
        /^(npm (notice|http|timing|sill|verb)|info |\[\d\/\d\] |yarn install v|Done in |Packages: \+|Progress: resolved|\++$)/.test(
          line.trim(),
        ) ||
        /^(Lockfile is up to date|Already up to date|Resolving:|Downloading |Fetching )/.test(line.trim())
      );
    });
    return foldRuns(
      kept,
      (l) => /^\s*[+-] \S+ \S+$/.test(l),
      (run) => run.map((l) => l.trim()).join(', '),
    );
  },
};

/** `npm run x`: the echoed `> pkg@1.0.0 x` and `> command` banner and blank lines go. */
export const scriptRun: OutputRule = {
  name: 'npm run',
  matches: (argv) =>
    PACKAGE_MANAGERS.includes(program(argv)) && ['run', 'run-script', 'exec'].includes(word(argv, 1)),
  apply: (lines) => lines.filter((line) => isKeyLine(line) || !(line.trim() === '' || /^> \S/.test(line))),
};

/**
 * Linters and type checkers (tsc, eslint, biome, ruff, mypy, pyright, clippy-style frames):
 * code frames, squiggles and blank lines go; every diagnostic line stays.
 */
export const lintOrTypecheck: OutputRule = {
  name: 'lint or typecheck',
  matches: (argv) =>
    [
      'tsc',
      'vue-tsc',
      'eslint',
      'biome',
      'oxlint',
      'ruff',
      'mypy',
      'pyright',
      'flake8',
      'pylint',
      'prettier',
    ].includes(toolOf(argv).tool),
  apply(lines) {
    const out: string[] = [];
    for (const line of lines) {
      if (isKeyLine(line)) {
        out.push(line);
        continue;
      }
      // tsc --pretty: a numbered source line followed by its squiggle
      if (/^\s*~+\s*$/.test(line)) {
        if (/^\d+ /.test(out.at(-1) ?? '') && !isKeyLine(out.at(-1) ?? '')) out.pop();
        continue;
      }
      if (line.trim() === '' || /^\s*(\d+\s*)?[│|]|^\s*[>^]\s|^\s*\^+\s*$|^\s*[┌└─]/.test(line)) continue;
      out.push(line);
    }
    return out;
  },
};

export const NODE_RULES: readonly OutputRule[] = [testRun, lintOrTypecheck, packageInstall, scriptRun];
