import type { CodeSymbol, FileOutline } from '../languages/index.ts';
import { termCounts, tokenize } from './tokenize.ts';

/** One symbol-sized piece of a file, as BM25 sees it. */
export interface Chunk {
  path: string;
  /** Symbol name, or "(module)" for top-level code outside any symbol. */
  symbol: string;
  kind: string;
  startLine: number;
  endLine: number;
  terms: Map<string, number>;
  length: number;
}

/** Name and path terms count this many times over body terms. */
const NAME_WEIGHT = 3;
const MAX_MODULE_LINES = 200;

/** Lines of `sym` not covered by its own members (a class without its methods' bodies). */
function ownLines(sym: CodeSymbol, members: CodeSymbol[], lines: string[]): string[] {
  const out: string[] = [];
  for (let n = sym.startLine; n <= sym.endLine; n++) {
    if (!members.some((m) => n >= m.startLine && n <= m.endLine)) out.push(lines[n - 1] ?? '');
  }
  return out;
}

function makeChunk(
  path: string,
  symbol: string,
  kind: string,
  range: [number, number],
  body: string[],
  nameTerms: string[],
): Chunk {
  const terms = tokenize(body.join('\n'));
  for (let i = 0; i < NAME_WEIGHT; i++) terms.push(...nameTerms);
  return {
    path,
    symbol,
    kind,
    startLine: range[0],
    endLine: range[1],
    terms: termCounts(terms),
    length: terms.length,
  };
}

/** Splits a file into one chunk per definition, plus one for the code between definitions. */
export function chunkFile(path: string, text: string, outline: FileOutline): Chunk[] {
  const lines = text.split('\n');
  const pathTerms = tokenize(path.replace(/\.[^./]+$/, ''));
  const chunks: Chunk[] = [];
  const covered = new Uint8Array(lines.length + 2);
  for (const sym of outline.symbols) {
    const members = outline.symbols.filter(
      (m) => m !== sym && m.parent === sym.name && m.startLine >= sym.startLine && m.endLine <= sym.endLine,
    );
    const body = ownLines(sym, members, lines);
    const label = sym.parent ? `${sym.parent}.${sym.name}` : sym.name;
    const nameTerms = [...tokenize(label), ...pathTerms];
    chunks.push(makeChunk(path, label, sym.kind, [sym.startLine, sym.endLine], body, nameTerms));
    for (let n = sym.startLine; n <= sym.endLine && n <= lines.length; n++) covered[n] = 1;
  }
  const rest: string[] = [];
  let first = 0;
  let last = 0;
  for (let n = 1; n <= lines.length && rest.length < MAX_MODULE_LINES; n++) {
    if (covered[n] || (lines[n - 1] ?? '').trim() === '') continue;
    rest.push(lines[n - 1]!);
    if (first === 0) first = n;
    last = n;
  }
  if (rest.length > 0) chunks.push(makeChunk(path, '(module)', 'module', [first, last], rest, pathTerms));
  return chunks;
}
