// ctx_shell output compression on real command outputs, against head -n 100 + tail -n 20.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchCorpus } from '../scripts/corpus.ts';
import { commandEnvironment } from '../src/config/command-env.ts';
import { compressOutput } from '../src/engine/shell/compress-output.ts';
import { countTokensAsync } from '../src/engine/tokens.ts';
import { lostFrom } from '../test/helpers/shell-oracle.ts';
import { createDirectTools } from '../test/helpers/tool-context.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { median } from './lib/stats.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: node --import tsx bench/shell.ts [--smoke]');
  process.exit(0);
}
const smoke = argv.includes('--smoke');
const corpus = fetchCorpus('small');
const REPO = resolve('.');
const TSC = join(REPO, 'node_modules/.bin/tsc');
const BIOME = join(REPO, 'node_modules/.bin/biome');
const RG = join(REPO, 'node_modules/@vscode/ripgrep-linux-x64/bin/rg');
const MAX_OUTPUT_BYTES = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'leanctx-bench-shell-'));
const env = commandEnvironment();
const has = (tool: string, ...args: string[]) => spawnSync(tool, args).status === 0;

/** Runs a command as ctx_shell would see it (stderr joined to stdout); async, as curl talks to this process. */
function sh(command: string, cwd: string): Promise<{ output: string; ms: number }> {
  const t = performance.now();
  const child = spawn('sh', ['-c', `{ ${command}\n} 2>&1`], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  let size = 0;
  child.stdout.on('data', (b: Buffer) => {
    if (size < MAX_OUTPUT_BYTES) chunks.push(b);
    size += b.length;
  });
  return new Promise((done) =>
    child.on('close', () =>
      done({
        output: Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString('utf8'),
        ms: performance.now() - t,
      }),
    ),
  );
}
const git = (cwd: string, ...args: string[]) =>
  spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd, env });

/** A git repo made from a corpus package: an initial commit, edits in a few more, some left uncommitted. */
function repoFrom(src: string, name: string): string {
  const dir = join(work, name);
  cpSync(src, dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', `import ${name}`);
  const files = listFiles(dir).filter((f) => /\.(ts|go|py)$/.test(f));
  for (let c = 1; c <= 4; c++) {
    for (const f of files.filter((_, i) => i % 17 === c)) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.splice(Math.floor(lines.length / 2), 3, `// bench edit ${c}: value ${c * 7}`, '');
      writeFileSync(f, lines.join('\n'));
    }
    git(
      dir,
      'commit',
      '-qam',
      c === 3 ? `fix: error in ${name} parsing (see issue ${c})` : `refactor ${name}: step ${c}`,
    );
  }
  for (const f of files.filter((_, i) => i % 23 === 5))
    writeFileSync(f, `${readFileSync(f, 'utf8')}\n// uncommitted\n`);
  writeFileSync(join(dir, 'NEW_NOTES.md'), 'notes\n');
  return dir;
}
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === '.git' ? [] : e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}
const dirsUnder = (root: string, depth: number): string[] =>
  depth === 0
    ? [root]
    : [
        root,
        ...readdirSync(root, { withFileTypes: true })
          .filter((e) => e.isDirectory() && e.name !== '.git')
          .flatMap((e) => dirsUnder(join(root, e.name), depth - 1)),
      ];

interface Case {
  family: string;
  command: string;
  cwd: string;
}
const cases: Case[] = [];
const add = (family: string, cwd: string, ...commands: string[]) => {
  for (const command of commands) cases.push({ family, command, cwd });
};

const zod = repoFrom(join(corpus, 'npm/zod'), 'zod');
const golang = repoFrom(join(corpus, 'deb/golang-github-prometheus-client-golang-dev'), 'prom');
const rich = repoFrom(join(corpus, 'deb/python3-rich'), 'rich');
const repos = smoke ? [zod] : [zod, golang, rich];
const MAIN = existsGit('/work/main') ? '/work/main' : REPO;
function existsGit(dir: string) {
  return spawnSync('git', ['-C', dir, 'rev-parse', '--git-dir']).status === 0;
}
const mainShas = git(MAIN, 'log', '--format=%h', '-n', smoke ? '3' : '25')
  .stdout.toString()
  .trim()
  .split('\n');
const mainFiles = git(MAIN, 'ls-files', 'src')
  .stdout.toString()
  .trim()
  .split('\n')
  .filter((f) => f.endsWith('.ts'));

for (const r of repos) add('git status', r, 'git status');
for (const r of repos) add('git log', r, 'git log', 'git log -n 3');
add(
  'git log',
  MAIN,
  ...(smoke
    ? ['git log -n 30']
    : [
        'git log -n 20',
        'git log -n 50',
        'git log -n 100',
        'git log -n 40 -- src',
        'git log -n 40 -- test',
        'git log -n 30 -- README.md',
      ]),
);
for (const r of repos) add('git diff', r, 'git diff', 'git diff HEAD~2', 'git show HEAD~1');
add(
  'git diff',
  MAIN,
  ...mainShas
    .flatMap((s) =>
      smoke ? [`git show ${s}`] : [`git show ${s}`, `git diff ${s}~1 ${s} --stat`, `git diff ${s}~1 ${s}`],
    )
    .slice(0, smoke ? 3 : 45),
);
add(
  'git blame',
  MAIN,
  ...mainFiles
    .filter((_, i) => i % 7 === 0)
    .slice(0, smoke ? 3 : 40)
    .map((f) => `git blame ${f}`),
);
const corpusDirs = dirsUnder(corpus, 4).filter((d) => !d.slice(corpus.length).includes('/.'));
add(
  'ls',
  corpus,
  ...corpusDirs.slice(0, smoke ? 3 : 25).map((d) => `ls -la ${d}`),
  ...corpusDirs.slice(0, smoke ? 1 : 8).map((d) => `ls ${d}`),
);
add(
  'find',
  corpus,
  ...(smoke
    ? ['find npm -name "*.ts"']
    : [
        'find . -name "*.ts"',
        'find . -name "*.go"',
        'find . -name "*.py"',
        'find npm -type f',
        'find deb -type d',
        'find . -name "*test*"',
        'find . -type f -size +8k',
        'find deb/python3-rich -type f',
        'find . -name "*.md"',
        'find . -newer npm -type f',
      ]),
);
const patterns = smoke
  ? ['ZodError']
  : [
      'ZodError',
      'func New',
      'def __init__',
      'TODO',
      'import ',
      'return nil',
      'export const',
      'class \\w+Error',
      'self\\.console',
      'errors\\.New',
    ];
add(
  'grep',
  corpus,
  ...patterns.map((p) => `grep -rnE '${p}' .`),
  ...patterns.slice(0, smoke ? 1 : 6).map((p) => `${RG} -n '${p}'`),
);
add(
  'du',
  corpus,
  ...(smoke
    ? ['du -h .']
    : ['du -h .', 'du -ah npm', 'du -ah deb/python3-rich', 'du -h deb', 'du -sh *', 'du -ak .']),
);
add('df', corpus, 'df -h', ...(smoke ? [] : ['df', 'df -hT']));
add('ps', corpus, 'ps aux', ...(smoke ? [] : ['ps -ef', 'ps aux --sort=-rss']));

// TypeScript, node --test, npm run, make, cargo, pip, pytest, curl on projects made here
const tsProj = join(work, 'tsproj');
mkdirSync(join(tsProj, 'src'), { recursive: true });
cpSync(join(corpus, 'npm/zod/src'), join(tsProj, 'src/zod'), { recursive: true });
writeFileSync(
  join(tsProj, 'src/bad.ts'),
  Array.from({ length: 12 }, (_, i) => `export const v${i}: number = "s${i}";`).join('\n'),
);
writeFileSync(
  join(tsProj, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'nodenext' },
    include: ['src/bad.ts'],
  }),
);
add(
  'tsc',
  tsProj,
  `${TSC} -p .`,
  ...(smoke ? [] : [`${TSC} -p . --pretty`, `${TSC} --noEmit --strict --pretty src/bad.ts`]),
);
add(
  'biome',
  tsProj,
  `${BIOME} lint src/bad.ts`,
  ...(smoke ? [] : [`${BIOME} lint src/zod`, `${BIOME} format src/bad.ts`]),
);
const testProj = join(work, 'nodetest');
mkdirSync(join(testProj, 'test'), { recursive: true });
writeFileSync(
  join(testProj, 'package.json'),
  JSON.stringify({
    name: 'nt',
    version: '1.0.0',
    type: 'module',
    scripts: { test: 'node --test', build: 'echo building && ls test' },
  }),
);
for (let f = 0; f < 4; f++) {
  const body = Array.from(
    { length: 25 },
    (_, i) => `test('suite ${f} case ${i}', () => assert.equal(${i}, ${f === 2 && i === 7 ? i + 1 : i}));`,
  ).join('\n');
  writeFileSync(
    join(testProj, `test/t${f}.test.js`),
    `import assert from 'node:assert';\nimport { test } from 'node:test';\n${body}\n`,
  );
}
add(
  'node --test',
  testProj,
  'node --test',
  ...(smoke ? [] : ['npm test', 'node --test --test-reporter=spec', 'node --test test/t2.test.js']),
);
add('npm run', testProj, 'npm run build');
if (!smoke && has('make', '--version') && has('cc', '--version')) {
  const mk = join(work, 'mk');
  mkdirSync(join(mk, 'lib'), { recursive: true });
  const units = Array.from({ length: 16 }, (_, i) => `u${i}`);
  for (const u of units)
    writeFileSync(
      join(mk, `lib/${u}.c`),
      `int ${u}(int x) { int spare${u === 'u3' ? ' = x' : ''}; return x + 1; }\n`,
    );
  writeFileSync(
    join(mk, 'lib/Makefile'),
    `all: ${units.map((u) => `${u}.o`).join(' ')}\n%.o: %.c\n\tcc -Wall -O0 -c $< -o $@\n`,
  );
  writeFileSync(join(mk, 'Makefile'), 'all:\n\t$(MAKE) -B -C lib\n\t$(MAKE) -C lib\n');
  add('make', mk, 'make -B', 'make -B -C lib');
}
if (!smoke && has('cargo', '--version')) {
  const rs = join(work, 'rs');
  mkdirSync(join(rs, 'src'), { recursive: true });
  writeFileSync(join(rs, 'Cargo.toml'), '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n');
  const tests = Array.from(
    { length: 30 },
    (_, i) => `    #[test] fn ok_${i}() { assert_eq!(add(${i}, 1), ${i + 1}); }`,
  ).join('\n');
  writeFileSync(
    join(rs, 'src/lib.rs'),
    `pub fn add(a: i32, b: i32) -> i32 {\n    let unused = 1;\n    a + b\n}\n#[cfg(test)]\nmod tests {\n    use super::*;\n${tests}\n    #[test] fn bad() { assert_eq!(add(1, 1), 3); }\n}\n`,
  );
  add('cargo', rs, 'cargo build --offline', 'cargo test --offline');
}
if (has('python3', '-m', 'pip', '--version')) {
  add(
    'pip',
    work,
    'python3 -m pip list --disable-pip-version-check',
    ...(smoke
      ? []
      : [
          'python3 -m pip install --disable-pip-version-check pytest',
          'python3 -m pip install --disable-pip-version-check rich pytest packaging',
          'python3 -m pip list -v --disable-pip-version-check',
        ]),
  );
}
if (!smoke && has('python3', '-m', 'pytest', '--version')) {
  const py = join(work, 'py');
  mkdirSync(py, { recursive: true });
  writeFileSync(
    join(py, 'test_a.py'),
    `${Array.from({ length: 40 }, (_, i) => `def test_ok_${i}():\n    assert ${i} == ${i}\n`).join('\n')}\ndef test_bad():\n    assert 1 + 1 == 3\n`,
  );
  add('pytest', py, 'python3 -m pytest -v -p no:cacheprovider', 'python3 -m pytest -p no:cacheprovider');
}
// a local JSON API for curl
const apiServer = await import('node:http').then(({ createServer }) => {
  const server = createServer((req, res) => {
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '10');
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        {
          items: Array.from({ length: n }, (_, i) => ({
            id: i,
            name: `item ${i}`,
            price: i * 1.25,
            tags: ['a', 'b'],
          })),
          total: n,
        },
        null,
        n % 2 ? 2 : 0,
      ),
    );
  });
  return new Promise<import('node:http').Server>((r) => server.listen(0, '127.0.0.1', () => r(server)));
});
const port = (apiServer.address() as import('node:net').AddressInfo).port;
add(
  'curl',
  work,
  ...(smoke ? [30] : [10, 51, 200, 501, 1000]).flatMap((n) => [
    `curl http://127.0.0.1:${port}/items?n=${n}`,
    `curl -v http://127.0.0.1:${port}/items?n=${n}`,
  ]),
);

interface Row {
  family: string;
  command: string;
  lines: number;
  raw: number;
  ours: number;
  baseline: number;
  oursLost: number;
  baselineLost: number;
  rules: string[];
}
const rows: Row[] = [];
for (const c of cases) {
  const run = await sh(c.command, c.cwd);
  const raw = run.output;
  if (raw.trim() === '') continue;
  const out = await compressOutput(c.command, raw);
  const lines = raw.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const baselineText = lines.length > 120 ? [...lines.slice(0, 100), ...lines.slice(-20)].join('\n') : raw;
  rows.push({
    family: c.family,
    command: c.command,
    lines: lines.length,
    raw: await countTokensAsync(raw),
    ours: await countTokensAsync(out.text),
    baseline: await countTokensAsync(baselineText),
    oursLost: lostFrom(raw, out.text).length,
    baselineLost: lostFrom(raw, baselineText).length,
    rules: out.rules,
  });
}

// ctx_shell's own cost: the same command run directly and through the tool, alternating
const tools = createDirectTools(zod);
const overheadCommands = ['git status', 'ls -la src', 'git log -n 20'];
const direct: number[] = [];
const viaTool: number[] = [];
for (let round = 0; round < (smoke ? 3 : 15); round++) {
  for (const command of overheadCommands) {
    direct.push((await sh(command, zod)).ms);
    const t = performance.now();
    await tools.call('ctx_shell', { command }, { contextId: 'bench' });
    viaTool.push(performance.now() - t);
  }
}
await tools.close();
apiServer.close();

const families = [...new Set(rows.map((r) => r.family))];
const sum = (rs: Row[], k: 'raw' | 'ours' | 'baseline' | 'oursLost' | 'baselineLost') =>
  rs.reduce((a, r) => a + r[k], 0);
const pct = (part: number, whole: number) => `${whole === 0 ? 0 : Math.round((1 - part / whole) * 100)}%`;
console.log(`\nshell bench — ${rows.length} real command outputs${smoke ? ' (smoke)' : ''}, tokens o200k\n`);
console.log(
  '| family | outputs | raw tokens | ctx_shell tokens | saved | head 100 + tail 20 tokens | baseline saved | beats baseline | oracle losses ours / baseline |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---|---|');
const summary = families.map((family) => {
  const rs = rows.filter((r) => r.family === family);
  const s = {
    family,
    n: rs.length,
    raw: sum(rs, 'raw'),
    ours: sum(rs, 'ours'),
    baseline: sum(rs, 'baseline'),
    oursLost: sum(rs, 'oursLost'),
    baselineLost: rs.filter((r) => r.baselineLost > 0).length,
  };
  console.log(
    `| ${family} | ${s.n} | ${s.raw} | ${s.ours} | ${pct(s.ours, s.raw)} | ${s.baseline} | ${pct(s.baseline, s.raw)} | ${s.ours < s.baseline ? 'yes' : 'NO'} | ${s.oursLost} / ${s.baselineLost} |`,
  );
  return s;
});
const total = { raw: sum(rows, 'raw'), ours: sum(rows, 'ours'), baseline: sum(rows, 'baseline') };
const oursLost = sum(rows, 'oursLost');
const baselineLostOutputs = rows.filter((r) => r.baselineLost > 0).length;
console.log(
  `| **all** | ${rows.length} | ${total.raw} | ${total.ours} | ${pct(total.ours, total.raw)} | ${total.baseline} | ${pct(total.baseline, total.raw)} | ${summary.every((s) => s.ours < s.baseline) ? 'every family' : `${summary.filter((s) => s.ours >= s.baseline).length} families NOT`} | ${oursLost} / ${baselineLostOutputs} |`,
);
const overheadP50 = median(viaTool) - median(direct);
console.log(
  `\n(oracle losses: ours = lost items; baseline = outputs where head+tail lost an error line or file:line)`,
);
console.log(
  `ctx_shell overhead: direct p50 ${median(direct).toFixed(1)} ms, through ctx_shell p50 ${median(viaTool).toFixed(1)} ms, overhead p50 ${overheadP50.toFixed(1)} ms (goal ≤ 30)`,
);
const saved = 1 - total.ours / total.raw;
console.log(
  `goals: saved ${(saved * 100).toFixed(1)}% (≥ 60%: ${saved >= 0.6 ? 'met' : 'MISSED'}); beats the baseline in every family: ${summary.every((s) => s.ours < s.baseline) ? 'met' : 'MISSED'}; oracle losses ${oursLost} (0: ${oursLost === 0 ? 'met' : 'MISSED'}); overhead ${overheadP50 <= 30 ? 'met' : 'MISSED'}`,
);
const path = writeResults(smoke ? 'shell-smoke' : 'shell', {
  machine: machineInfo(),
  summary,
  total,
  overheadP50,
  directP50: median(direct),
  viaToolP50: median(viaTool),
  rows,
});
console.log(`results: ${path}`);
rmSync(work, { recursive: true, force: true });
process.exit(oursLost > 0 ? 1 : 0);
