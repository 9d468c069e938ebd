// TypeScript's own language service as the oracle for ctx_callers: for exported functions of
// real code, `findReferences` gives every reference the compiler can prove; the ones that are
// the callee of a call or `new` are the call sites the graph should report.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, relative } from 'node:path';
import type * as TS from 'typescript5';

// typescript 7 (the project's compiler) has no JS API; 5.x is installed beside it as `typescript5`
const ts = createRequire(import.meta.url)('typescript5') as typeof TS;

const ROOT = '/oracle';

export interface OracleFunction {
  /** Workspace-relative file of the definition. */
  file: string;
  name: string;
  line: number;
  /** `file:line` of every call site, sorted, one per line. */
  sites: string[];
}

/** Every `.ts`/`.tsx` (not `.d.ts`) file under `dir` of node_modules or elsewhere, as `prefix/rel` → text. */
export function readSources(dir: string, prefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
        files[posix.join(prefix, relative(dir, p).split('\\').join('/'))] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

const isExported = (node: TS.Node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Exported top-level functions (declarations with a body, and `const f = () =>` / `function`). */
function exportedFunctions(sf: TS.SourceFile): { name: string; node: TS.Identifier }[] {
  const out: { name: string; node: TS.Identifier }[] = [];
  const seen = new Set<string>();
  for (const st of sf.statements) {
    if (!isExported(st)) continue;
    if (ts.isFunctionDeclaration(st) && st.name && st.body) {
      if (!seen.has(st.name.text)) out.push({ name: st.name.text, node: st.name });
      seen.add(st.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          out.push({ name: d.name.text, node: d.name });
        }
      }
    }
  }
  return out;
}

/** The innermost node at `pos`. */
function nodeAt(sf: TS.SourceFile, pos: number): TS.Node {
  let node: TS.Node = sf;
  for (;;) {
    const next: TS.Node | undefined = node
      .getChildren(sf)
      .find((c) => c.getStart(sf) <= pos && pos < c.getEnd());
    if (!next) return node;
    node = next;
  }
}

/** The call or `new` whose callee is the identifier (bare or the property of a member access). */
function callOf(id: TS.Node): TS.Node | undefined {
  let callee: TS.Node = id;
  if (ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) callee = id.parent;
  while (ts.isParenthesizedExpression(callee.parent) || ts.isNonNullExpression(callee.parent))
    callee = callee.parent;
  const p = callee.parent;
  if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === callee) return p;
  return undefined;
}

/**
 * Call sites of exported functions across `files`, by the TypeScript language service. `pick`
 * chooses which functions (from all, in file and line order) to ask about.
 */
export function oracleCallSites(
  files: Record<string, string>,
  pick: (all: { file: string; name: string }[]) => { file: string; name: string }[],
): OracleFunction[] {
  const names = Object.keys(files).map((f) => `${ROOT}/${f}`);
  const inMemory = (f: string) => (f.startsWith(`${ROOT}/`) ? files[f.slice(ROOT.length + 1)] : undefined);
  const versions = new Map<string, TS.IScriptSnapshot>();
  const host: TS.LanguageServiceHost = {
    getScriptFileNames: () => names,
    getScriptVersion: () => '1',
    getScriptSnapshot(f) {
      let snap = versions.get(f);
      if (!snap) {
        const text = inMemory(f) ?? (ts.sys.fileExists(f) ? ts.sys.readFile(f) : undefined);
        if (text === undefined) return undefined;
        snap = ts.ScriptSnapshot.fromString(text);
        versions.set(f, snap);
      }
      return snap;
    },
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => ({
      allowJs: true,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.Preserve,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    }),
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => inMemory(f) !== undefined || (!f.startsWith(`${ROOT}/`) && ts.sys.fileExists(f)),
    readFile: (f) => inMemory(f) ?? (f.startsWith(`${ROOT}/`) ? undefined : ts.sys.readFile(f)),
    directoryExists: (d) =>
      d.startsWith(ROOT) ? names.some((n) => n.startsWith(`${d}/`)) : (ts.sys.directoryExists?.(d) ?? false),
    getDirectories: (d) => (d.startsWith(ROOT) ? [] : (ts.sys.getDirectories?.(d) ?? [])),
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram()!;
  const all: { file: string; name: string; node: TS.Identifier; sf: TS.SourceFile }[] = [];
  for (const f of Object.keys(files).sort()) {
    const sf = program.getSourceFile(`${ROOT}/${f}`);
    if (sf) for (const fn of exportedFunctions(sf)) all.push({ file: f, ...fn, sf });
  }
  const chosen = new Set(
    pick(all.map(({ file, name }) => ({ file, name }))).map((c) => `${c.file}\0${c.name}`),
  );
  const out: OracleFunction[] = [];
  for (const fn of all) {
    if (!chosen.has(`${fn.file}\0${fn.name}`)) continue;
    const sites = new Set<string>();
    for (const group of service.findReferences(fn.sf.fileName, fn.node.getStart(fn.sf)) ?? []) {
      for (const ref of group.references) {
        if (ref.isDefinition) continue;
        const sf = program.getSourceFile(ref.fileName);
        if (!sf || !ref.fileName.startsWith(`${ROOT}/`)) continue;
        const call = callOf(nodeAt(sf, ref.textSpan.start));
        if (!call) continue;
        const line = sf.getLineAndCharacterOfPosition(call.getStart(sf)).line + 1;
        sites.add(`${ref.fileName.slice(ROOT.length + 1)}:${line}`);
      }
    }
    const line = fn.sf.getLineAndCharacterOfPosition(fn.node.getStart(fn.sf)).line + 1;
    out.push({ file: fn.file, name: fn.name, line, sites: [...sites].sort() });
  }
  return out;
}

/** `file:line` of the resolved (unmarked) and unresolved (`?`) edges of a ctx_callers answer. */
export function callerSites(text: string): { resolved: string[]; unresolved: string[] } {
  const resolved = [...text.matchAll(/^ {2}(\S+:\d+) → /gm)].map((m) => m[1]!);
  const unresolved = [...text.matchAll(/^\? (\S+:\d+) → /gm)].map((m) => m[1]!);
  return { resolved: [...new Set(resolved)].sort(), unresolved: [...new Set(unresolved)].sort() };
}

export interface Accuracy {
  functions: number;
  oracleSites: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** The same with the `?` bare-name matches counted as answers. */
  withUnresolved: { precision: number; recall: number };
  /** One line per wrong or missed site: `miss fn (file) site` / `extra fn (file) site`. */
  misses: string[];
  /**
   * Functions whose answer was cut at ctx_callers' 200 edges (`… N more`): their unlisted
   * sites are not counted as missed (the answer says there are more), the listed ones are judged.
   */
  truncated: number;
}

/**
 * Precision and recall of ctx_callers' answers (by `file:line`) against the oracle's sites.
 * Precision counts every listed site; recall leaves out functions whose answer was cut.
 */
export async function measureCallers(
  oracle: readonly OracleFunction[],
  callers: (fn: OracleFunction) => Promise<string>,
): Promise<Accuracy> {
  const c = { tp: 0, fp: 0, fn: 0, recalled: 0, sites: 0, tpAll: 0, fpAll: 0, recalledAll: 0, truncated: 0 };
  const misses: string[] = [];
  for (const f of oracle) {
    const text = await callers(f);
    const { resolved, unresolved } = callerSites(text);
    const cut = /^… \d+ more$/m.test(text);
    const truth = new Set(f.sites);
    const got = new Set(resolved);
    const gotAll = new Set([...resolved, ...unresolved]);
    for (const s of got) {
      if (truth.has(s)) c.tp++;
      else {
        c.fp++;
        misses.push(`extra ${f.name} (${f.file}:${f.line}) ${s}`);
      }
    }
    for (const s of gotAll) truth.has(s) ? c.tpAll++ : c.fpAll++;
    if (cut) {
      c.truncated++;
      continue;
    }
    c.sites += truth.size;
    for (const s of truth) {
      if (gotAll.has(s)) c.recalledAll++;
      if (got.has(s)) c.recalled++;
      else {
        c.fn++;
        misses.push(`miss ${f.name} (${f.file}:${f.line}) ${s}${gotAll.has(s) ? ' [as ?]' : ''}`);
      }
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    functions: oracle.length,
    oracleSites: c.sites,
    truePositives: c.tp,
    falsePositives: c.fp,
    falseNegatives: c.fn,
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.recalled, c.sites),
    withUnresolved: { precision: ratio(c.tpAll, c.tpAll + c.fpAll), recall: ratio(c.recalledAll, c.sites) },
    misses,
    truncated: c.truncated,
  };
}
