import Database from 'better-sqlite3';
import type { SymbolKind } from '../../engine/languages/types.ts';
import type { GraphCall, GraphFile, GraphImport, GraphStore, GraphSymbol } from '../graph.ts';
import { openPrivateDatabase } from './open-database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, hash TEXT NOT NULL, language TEXT NOT NULL, lines INTEGER NOT NULL,
  tokens INTEGER, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, parser TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS symbols (
  path TEXT NOT NULL, name TEXT NOT NULL, qualified TEXT NOT NULL, kind TEXT NOT NULL,
  signature TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, exported INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name);
CREATE INDEX IF NOT EXISTS symbols_path ON symbols(path);
CREATE TABLE IF NOT EXISTS imports (
  source TEXT NOT NULL, specifier TEXT NOT NULL, names TEXT NOT NULL, aliases TEXT NOT NULL, target TEXT,
  reexports TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS imports_source ON imports(source);
CREATE INDEX IF NOT EXISTS imports_target ON imports(target);
CREATE TABLE IF NOT EXISTS calls (
  path TEXT NOT NULL, line INTEGER NOT NULL, caller TEXT, callee TEXT NOT NULL, receiver TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_path ON calls(path, line);
`;
/**
 * Call sites by callee, covering, in answer order: what ctx_callers reads. Keeping it current
 * costs a bulk load about half again its inserts, so a cold build loads the calls under a narrow
 * callee index (queries during the build stay indexed) and a worker builds this one afterwards.
 */
const CALLS_BY_CALLEE =
  'CREATE INDEX IF NOT EXISTS calls_by_callee ON calls(callee, path, line, caller, receiver);';
const CALLS_WHILE_LOADING = 'calls_callee_loading';

/**
 * Builds the covering callee index of a graph file that a cold build loaded without it, and drops
 * the narrow one used meanwhile. Runs on an engine worker with its own connection (WAL: the
 * server's connection keeps reading, with the narrow index, until this commits).
 */
export function finishGraphLoad(file: string): void {
  const db = new Database(file, { timeout: 60_000 });
  try {
    db.exec(`BEGIN IMMEDIATE; ${CALLS_BY_CALLEE} DROP INDEX IF EXISTS ${CALLS_WHILE_LOADING}; COMMIT;`);
  } finally {
    db.close();
  }
}

/**
 * Bumped when what the graph records changes: an older file is dropped and rebuilt from the
 * workspace (the graph is derived data). 2: imports carry re-exports. 3: tokens counted lazily (nullable).
 * 4: call sites by callee in a covering index, in answer order: a popular function's 2,000 sites
 * are read from a few adjacent index pages, not one table page each.
 */
const SCHEMA_VERSION = 4;
const TABLES = ['files', 'symbols', 'imports', 'calls'];

interface FileRow {
  path: string;
  hash: string;
  language: string;
  lines: number;
  tokens: number | null;
  size: number;
  mtime_ms: number;
  parser: GraphFile['parser'];
}
interface SymbolRow {
  path: string;
  name: string;
  qualified: string;
  kind: SymbolKind;
  signature: string;
  start_line: number;
  end_line: number;
  exported: number;
}
interface ImportRow {
  source: string;
  specifier: string;
  names: string;
  aliases: string;
  target: string | null;
  reexports: string;
}

/** A call site as `callsTo` reads it: its callee is the one asked for. */
type CallColumns = [path: string, line: number, caller: string | null, receiver: string];

const toSymbol = (r: SymbolRow): GraphSymbol => ({
  path: r.path,
  name: r.name,
  qualified: r.qualified,
  kind: r.kind,
  signature: r.signature,
  startLine: r.start_line,
  endLine: r.end_line,
  exported: r.exported === 1,
});
/** Most imports rename and re-export nothing: `[]` and `{}` are not worth a parse. */
const listOf = (json: string): string[] => (json === '[]' ? [] : (JSON.parse(json) as string[]));
/** Keys are names from source code (`constructor`, `toString` …): no prototype to find them on. */
const mapOf = (json: string): Record<string, string> =>
  Object.assign(Object.create(null) as Record<string, string>, json === '{}' ? undefined : JSON.parse(json));
const toImport = (r: ImportRow): GraphImport => ({
  from: r.source,
  specifier: r.specifier,
  names: listOf(r.names),
  aliases: mapOf(r.aliases),
  target: r.target,
  reexports: mapOf(r.reexports),
});
const toFile = (r: FileRow): GraphFile => ({
  path: r.path,
  hash: r.hash,
  language: r.language,
  lines: r.lines,
  tokens: r.tokens,
  size: r.size,
  mtimeMs: r.mtime_ms,
  parser: r.parser,
});

/** The graph in one SQLite file (or in memory for ':memory:'). */
export function createSqliteGraphStore(file: string): GraphStore {
  const db = openPrivateDatabase(file);
  if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) {
    db.exec(TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join(''));
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  db.exec(SCHEMA);
  // a load that did not finish (the process ended) leaves the narrow index: finish it here
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(CALLS_WHILE_LOADING)) {
    db.exec(`DROP INDEX ${CALLS_WHILE_LOADING};`);
  }
  db.exec(CALLS_BY_CALLEE);
  const q = {
    stats: db.prepare('SELECT path, size, mtime_ms, hash FROM files'),
    putFile: db.prepare(
      'INSERT OR REPLACE INTO files (path, hash, language, lines, tokens, size, mtime_ms, parser) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    putSymbol: db.prepare(
      'INSERT INTO symbols (path, name, qualified, kind, signature, start_line, end_line, exported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    putImport: db.prepare(
      'INSERT INTO imports (source, specifier, names, aliases, target, reexports) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    putCall: db.prepare('INSERT INTO calls (path, line, caller, callee, receiver) VALUES (?, ?, ?, ?, ?)'),
    touch: db.prepare('UPDATE files SET size = ?, mtime_ms = ? WHERE path = ?'),
    uncounted: db.prepare('SELECT path FROM files WHERE tokens IS NULL ORDER BY path'),
    setTokens: db.prepare('UPDATE files SET tokens = ? WHERE path = ? AND hash = ?'),
    delFile: db.prepare('DELETE FROM files WHERE path = ?'),
    delSymbols: db.prepare('DELETE FROM symbols WHERE path = ?'),
    delImports: db.prepare('DELETE FROM imports WHERE source = ?'),
    delCalls: db.prepare('DELETE FROM calls WHERE path = ?'),
    imports: db.prepare('SELECT * FROM imports'),
    setTarget: db.prepare('UPDATE imports SET target = ? WHERE source = ? AND specifier = ?'),
    importsOf: db.prepare('SELECT * FROM imports WHERE source = ?'),
    // `names` is a JSON array: one holding a name holds it quoted, a cheap test before any parse
    bindingsIn: db.prepare(
      `SELECT * FROM imports WHERE source IN (SELECT value FROM json_each(?)) AND names <> '[]'
       AND EXISTS (SELECT 1 FROM json_each(?) AS quoted WHERE instr(names, quoted.value) > 0)
       ORDER BY source, rowid`,
    ),
    fileCount: db.prepare('SELECT count(*) AS n FROM files'),
    importersOf: db.prepare('SELECT DISTINCT source FROM imports WHERE target = ? ORDER BY source'),
    renamingImportsTo: db.prepare(
      "SELECT * FROM imports WHERE target = ? AND (aliases <> '{}' OR reexports <> '{}') ORDER BY source, rowid",
    ),
    fileTokens: db
      .prepare('SELECT path, tokens FROM files WHERE path IN (SELECT value FROM json_each(?))')
      .raw(true),
    symbolsNamed: db.prepare('SELECT * FROM symbols WHERE name = ? ORDER BY path, start_line'),
    symbolsIn: db.prepare('SELECT * FROM symbols WHERE path = ? ORDER BY start_line'),
    symbolNames: db.prepare('SELECT DISTINCT name FROM symbols'),
    callsTo: db
      .prepare(
        'SELECT path, line, caller, receiver FROM calls WHERE callee = ? ORDER BY path, line, caller, receiver',
      )
      .raw(true),
    callsIn: db.prepare('SELECT * FROM calls WHERE path = ? AND line BETWEEN ? AND ? ORDER BY line'),
    file: db.prepare('SELECT * FROM files WHERE path = ?'),
    unresolved: db.prepare('SELECT * FROM imports WHERE target IS NULL ORDER BY source'),
    counts: db.prepare(`SELECT
      (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM symbols) AS symbols,
      (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM calls) AS calls,
      (SELECT count(*) FROM files WHERE parser = 'regex') AS regexFiles`),
  };
  /**
   * The counts, kept until this connection writes or another one commits (`data_version`
   * changes then): counting the call sites scans a million-row index, too slow for every answer.
   */
  let counted: { version: number; counts: ReturnType<GraphStore['counts']> } | undefined;
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  const written = () => {
    counted = undefined;
  };
  const forget = (path: string) => {
    q.delFile.run(path);
    q.delSymbols.run(path);
    q.delImports.run(path);
    q.delCalls.run(path);
  };
  const put = db.transaction((files: Parameters<GraphStore['put']>[0]) => {
    for (const { file: f, symbols, imports, calls } of files) {
      forget(f.path);
      q.putFile.run(f.path, f.hash, f.language, f.lines, f.tokens, f.size, f.mtimeMs, f.parser);
      for (const s of symbols) {
        q.putSymbol.run(
          s.path,
          s.name,
          s.qualified,
          s.kind,
          s.signature,
          s.startLine,
          s.endLine,
          s.exported ? 1 : 0,
        );
      }
      for (const i of imports)
        q.putImport.run(
          i.from,
          i.specifier,
          JSON.stringify(i.names),
          JSON.stringify(i.aliases),
          i.target,
          JSON.stringify(i.reexports ?? {}),
        );
      for (const c of calls) q.putCall.run(c.path, c.line, c.caller, c.callee, c.receiver);
    }
  });
  const del = db.transaction((paths: readonly string[]) => {
    for (const p of paths) forget(p);
  });
  const setTokens = db.transaction((rows: Parameters<GraphStore['setTokens']>[0]) => {
    for (const r of rows) q.setTokens.run(r.tokens, r.path, r.hash);
  });
  const setTargets = db.transaction((rows: Parameters<GraphStore['setImportTargets']>[0]) => {
    for (const r of rows) q.setTarget.run(r.target, r.from, r.specifier);
  });
  return {
    stats() {
      const rows = q.stats.all() as Pick<FileRow, 'path' | 'size' | 'mtime_ms' | 'hash'>[];
      return new Map(rows.map((r) => [r.path, { size: r.size, mtimeMs: r.mtime_ms, hash: r.hash }]));
    },
    put(files) {
      written();
      put(files);
    },
    uncounted: () => (q.uncounted.all() as { path: string }[]).map((r) => r.path),
    setTokens: (rows) => setTokens(rows),
    touch: (path, size, mtimeMs) => void q.touch.run(size, mtimeMs, path),
    delete(paths) {
      written();
      del(paths);
    },
    beginLoad() {
      // only an empty graph on disk: an in-memory one is small, and a worker cannot open it
      if (file === ':memory:' || (q.fileCount.get() as { n: number }).n > 0) return undefined;
      db.exec(
        `CREATE INDEX IF NOT EXISTS ${CALLS_WHILE_LOADING} ON calls(callee); DROP INDEX IF EXISTS calls_by_callee;`,
      );
      return file;
    },
    clear() {
      written();
      db.exec('DELETE FROM files; DELETE FROM symbols; DELETE FROM imports; DELETE FROM calls;');
    },
    imports: () => (q.imports.all() as ImportRow[]).map(toImport),
    setImportTargets: (rows) => setTargets(rows),
    importsOf: (path) => (q.importsOf.all(path) as ImportRow[]).map(toImport),
    bindingsIn: (paths, names) =>
      (
        q.bindingsIn.all(
          JSON.stringify(paths),
          JSON.stringify(names.map((n) => JSON.stringify(n))),
        ) as ImportRow[]
      )
        .map(toImport)
        .filter((i) => i.names.some((n) => names.includes(n))),
    importersOf: (path) => (q.importersOf.all(path) as { source: string }[]).map((r) => r.source),
    renamingImportsTo: (path) => (q.renamingImportsTo.all(path) as ImportRow[]).map(toImport),
    symbolsNamed: (name) => (q.symbolsNamed.all(name) as SymbolRow[]).map(toSymbol),
    symbolsIn: (path) => (q.symbolsIn.all(path) as SymbolRow[]).map(toSymbol),
    symbolNames: () => (q.symbolNames.all() as { name: string }[]).map((r) => r.name),
    callsTo: (callee) =>
      (q.callsTo.all(callee) as CallColumns[]).map(([path, line, caller, receiver]) => ({
        path,
        line,
        caller,
        callee,
        receiver,
      })),
    callsIn: (path, start, end) => q.callsIn.all(path, start, end) as GraphCall[],
    fileTokens(paths) {
      const rows = q.fileTokens.all(JSON.stringify(paths)) as [string, number | null][];
      return new Map(rows);
    },
    file(path) {
      const row = q.file.get(path) as FileRow | undefined;
      return row && toFile(row);
    },
    unresolvedImports: () => (q.unresolved.all() as ImportRow[]).map(toImport),
    fileCount: () => (q.fileCount.get() as { n: number }).n,
    counts() {
      const version = dataVersion();
      if (counted?.version !== version)
        counted = { version, counts: q.counts.get() as ReturnType<GraphStore['counts']> };
      return { ...counted.counts };
    },
    close: () => db.close(),
  };
}
