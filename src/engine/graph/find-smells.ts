import type { GraphStore, GraphSymbol } from '../../store/graph.ts';
import { GOD_FILE_LINKS, SMELL_RULES, type SmellFinding, type SmellRule } from './smell-rules.ts';
import { isTestPath } from './test-files.ts';

/** Files whose exports are used from outside the code graph: a runner, a framework or a package's users. */
const ENTRYPOINT =
  /(^|\/)(index|main|app|server|cli|__init__|__main__|mod|lib|manage|setup|conftest|route|page|layout|middleware)\.[^/]+$|\.config\.[^/]+$|\.d\.ts$|(^|\/)(bin|scripts|pages|migrations)\//;
const DEFINITION_KINDS = new Set(['function', 'class', 'interface', 'type', 'enum', 'struct', 'trait']);
/** Names a language or framework asks every module to define. */
const CONVENTIONAL_NAMES = new Set([
  'main',
  'init',
  'setup',
  'teardown',
  'default',
  'handler',
  'index',
  'run',
  'new',
]);
const ALL_LINES = 2 ** 31 - 1;
/** Work between two yields to the event loop. */
const SLICE_MS = 8;

export interface SmellQuery {
  /** Report on these files only; every file still counts as an importer, caller or test. */
  include(path: string): boolean;
  rule?: SmellRule;
  /** Cyclomatic complexity of line ranges, per file, when that rule runs. */
  complexity?(files: { path: string; ranges: [number, number][] }[]): Promise<number[][]>;
  signal?: AbortSignal;
}

const isTopLevel = (s: GraphSymbol) => s.qualified === s.name;
const isCallable = (s: GraphSymbol) => s.kind === 'function' || s.kind === 'method';

/**
 * The smells of the code graph; whole-graph facts are gathered in one pass that yields to the
 * event loop. untested_function stays silent in a workspace with no test file (`testFiles` 0).
 */
export async function findSmells(
  store: GraphStore,
  q: SmellQuery,
): Promise<{ findings: SmellFinding[]; testFiles: number }> {
  const wants = (r: SmellRule) => q.rule === undefined || q.rule === r;
  const used = new Set<string>();
  const testUsed = new Set<string>();
  const definedIn = new Map<string, Set<string>>();
  /** Files some file loads without naming what it takes: `export … from`, `import './x'`. */
  const wholesale = new Set<string>();
  let testFiles = 0;
  const selected: {
    path: string;
    lines: number;
    symbols: GraphSymbol[];
    callees: Map<string, Set<string>>;
  }[] = [];
  let sliceStart = performance.now();
  const pause = async () => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await new Promise((done) => setImmediate(done));
    q.signal?.throwIfAborted();
    sliceStart = performance.now();
  };
  const paths = [...store.stats().keys()].sort();
  for (const path of paths) {
    await pause();
    const test = isTestPath(path);
    if (test) testFiles++;
    const calls = store.callsIn(path, 0, ALL_LINES);
    const symbols = store.symbolsIn(path);
    for (const c of calls) (test ? testUsed : used).add(c.callee);
    for (const imp of store.importsOf(path)) {
      if (imp.names.length === 0 && imp.target) wholesale.add(imp.target);
      for (const local of imp.names) (test ? testUsed : used).add(imp.aliases[local] ?? local);
    }
    if (!test) {
      for (const s of symbols) {
        if (!isTopLevel(s) || !DEFINITION_KINDS.has(s.kind) || CONVENTIONAL_NAMES.has(s.name)) continue;
        if (s.name.startsWith('_')) continue;
        const files = definedIn.get(s.name) ?? new Set<string>();
        files.add(path);
        definedIn.set(s.name, files);
      }
    }
    if (!q.include(path)) continue;
    const callees = new Map<string, Set<string>>();
    for (const c of calls) {
      if (c.caller === null) continue;
      const set = callees.get(c.caller) ?? new Set<string>();
      set.add(c.callee);
      callees.set(c.caller, set);
    }
    selected.push({ path, lines: store.file(path)?.lines ?? 0, symbols, callees });
  }

  const findings: SmellFinding[] = [];
  const seen = new Set<string>();
  // an overloaded function is one finding, at its first signature
  const add = (f: SmellFinding) => {
    const key = `${f.rule}\0${f.file}\0${f.symbol ?? f.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };
  for (const { path, lines, symbols, callees } of selected) {
    await pause();
    const test = isTestPath(path);
    if (wants('long_file') && lines > SMELL_RULES.long_file.threshold)
      add({ rule: 'long_file', file: path, line: 1, metric: lines, message: `${lines} lines` });
    if (wants('god_file') && symbols.length >= SMELL_RULES.god_file.threshold) {
      const fanIn = store.importersOf(path).length;
      const fanOut = new Set(store.importsOf(path).flatMap((i) => (i.target ? [i.target] : []))).size;
      if (fanIn + fanOut >= GOD_FILE_LINKS)
        add({
          rule: 'god_file',
          file: path,
          line: 1,
          metric: symbols.length,
          message: `${symbols.length} symbols, imported by ${fanIn} file(s), imports ${fanOut}`,
        });
    }
    for (const s of symbols) {
      const where = { file: path, line: s.startLine, symbol: s.qualified };
      const length = s.endLine - s.startLine + 1;
      if (wants('long_function') && isCallable(s) && length > SMELL_RULES.long_function.threshold)
        add({
          rule: 'long_function',
          ...where,
          metric: length,
          message: `${s.kind} ${s.qualified}: ${length} lines`,
        });
      const fanOut = callees.get(s.qualified)?.size ?? 0;
      if (wants('fan_out_skew') && isCallable(s) && fanOut >= SMELL_RULES.fan_out_skew.threshold)
        add({
          rule: 'fan_out_skew',
          ...where,
          metric: fanOut,
          message: `${s.qualified} calls ${fanOut} distinct names`,
        });
      const dupes = isTopLevel(s) && DEFINITION_KINDS.has(s.kind) ? definedIn.get(s.name) : undefined;
      if (
        wants('duplicate_definitions') &&
        !test &&
        dupes &&
        dupes.size >= SMELL_RULES.duplicate_definitions.threshold
      ) {
        const others = [...dupes].filter((f) => f !== path);
        const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` +${others.length - 3}` : '');
        add({
          rule: 'duplicate_definitions',
          ...where,
          metric: dupes.size,
          message: `${s.name} is also defined in ${shown}`,
        });
      }
      if (test || !s.exported || !isTopLevel(s)) continue;
      const entry = ENTRYPOINT.test(path) || CONVENTIONAL_NAMES.has(s.name) || wholesale.has(path);
      if (wants('dead_code') && !entry && !used.has(s.name) && !testUsed.has(s.name))
        add({
          rule: 'dead_code',
          ...where,
          message: `${s.kind} ${s.name} is exported, never imported or called`,
        });
      if (wants('untested_function') && testFiles > 0 && s.kind === 'function' && !testUsed.has(s.name))
        add({ rule: 'untested_function', ...where, message: `${s.name}: no test file calls or imports it` });
    }
  }
  if (wants('cyclomatic_complexity') && q.complexity) {
    const work = selected
      .map(({ path, symbols }) => ({ path, fns: symbols.filter(isCallable) }))
      .filter((w) => w.fns.length > 0);
    const values = await q.complexity(
      work.map((w) => ({
        path: w.path,
        ranges: w.fns.map((s): [number, number] => [s.startLine, s.endLine]),
      })),
    );
    work.forEach((w, i) => {
      w.fns.forEach((s, j) => {
        const c = values[i]?.[j] ?? 0;
        if (c > SMELL_RULES.cyclomatic_complexity.threshold)
          add({
            rule: 'cyclomatic_complexity',
            file: w.path,
            line: s.startLine,
            symbol: s.qualified,
            metric: c,
            message: `${s.qualified}: complexity ${c}`,
          });
      });
    });
  }
  return { findings, testFiles };
}
