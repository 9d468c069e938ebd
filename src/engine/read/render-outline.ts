import type { CodeSymbol, FileOutline } from '../languages/index.ts';
import { createRepeatFolder } from './repeated-signatures.ts';

const CLASS_LIKE = new Set(['class', 'interface', 'struct', 'trait', 'enum', 'module']);

interface Placed {
  symbol: CodeSymbol;
  depth: number;
  /** Enclosing symbols are all namespaces/modules (or there are none). */
  topLevel: boolean;
  children: Placed[];
}

/** Nests symbols by line containment and parent name (Go methods stay at the top). */
export function placeSymbols(symbols: readonly CodeSymbol[]): Placed[] {
  const roots: Placed[] = [];
  const stack: Placed[] = [];
  for (const symbol of symbols) {
    while (stack.length > 0) {
      const top = stack.at(-1) as Placed;
      const inside =
        symbol.parent === top.symbol.name &&
        symbol.startLine >= top.symbol.startLine &&
        symbol.endLine <= top.symbol.endLine;
      if (inside) break;
      stack.pop();
    }
    const parent = stack.at(-1);
    const placed: Placed = {
      symbol,
      depth: parent ? parent.depth + 1 : 0,
      topLevel: !parent || (parent.topLevel && parent.symbol.kind === 'module'),
      children: [],
    };
    if (parent) parent.children.push(placed);
    else roots.push(placed);
    if (CLASS_LIKE.has(symbol.kind)) stack.push(placed);
  }
  return roots;
}

function flatten(placed: readonly Placed[], out: Placed[] = []): Placed[] {
  for (const p of placed) {
    out.push(p);
    flatten(p.children, out);
  }
  return out;
}

/** One space per level: o200k reads ` name` as one token, so deeper indents cost a token per line. */
const indent = (depth: number) => ' '.repeat(depth);

/** Every definition's signature, nested by indentation. */
export function renderSignatures(outline: FileOutline): string {
  const out: string[] = [];
  const shown = new Set<string>();
  const fold = createRepeatFolder();
  for (const p of flatten(placeSymbols(outline.symbols))) {
    // an overloaded function's implementation repeats its first overload word for word
    const key = `${p.symbol.parent ?? ''}\0${p.symbol.signature}`;
    if (shown.has(key)) continue;
    shown.add(key);
    out.push(`${indent(p.depth)}${fold(p.symbol)}`);
  }
  return out.join('\n');
}

/** Top-level signatures; members of classes and the like only by name, one line each. */
export function renderMap(outline: FileOutline): string {
  const out: string[] = [];
  for (const p of flatten(placeSymbols(outline.symbols))) {
    if (!p.topLevel) continue;
    out.push(`${indent(p.depth)}${p.symbol.signature}`);
    const members = p.children.filter((c) => c.symbol.kind !== 'module').map((c) => c.symbol.name);
    if (p.symbol.kind !== 'module' && members.length > 0) {
      out.push(`${indent(p.depth + 1)}{${[...new Set(members)].join(', ')}}`);
    }
  }
  return out.join('\n');
}

const MAX_LISTED = 12;

export interface HeaderOptions {
  /** At most this many names per line, then `+N`. */
  maxListed?: number;
  /**
   * The body shows every top-level definition with its language's export marker (`export`,
   * `pub`, a capital letter): list only the exports it does not show (re-exports, `export { a }`).
   */
  bodyShowsExports?: boolean;
}

/** `deps: a, b` and `exports: x, y` lines for a header. */
export function depsAndExports(outline: FileOutline, options: HeaderOptions = {}): string[] {
  const maxListed = options.maxListed ?? MAX_LISTED;
  const list = (label: string, items: readonly string[]) => {
    if (items.length === 0) return [];
    const shown = items.slice(0, maxListed).join(', ');
    const more = items.length > maxListed ? ` +${items.length - maxListed}` : '';
    return [`${label}: ${shown}${more}`];
  };
  let exports = outline.exports;
  if (options.bodyShowsExports) {
    const declared = new Set(
      outline.symbols.filter((s) => s.parent === undefined && s.exported).map((s) => s.name),
    );
    exports = exports.filter((name) => !declared.has(name));
  }
  return [...list('deps', outline.imports), ...list('exports', exports)];
}

/** The deps/exports lines a compressed read of `mode` carries. */
export function headerLinesFor(mode: string, outline: FileOutline): string[] {
  const showsDefinitions = mode === 'map' || mode === 'signatures';
  return depsAndExports(outline, { maxListed: mode === 'map' ? 40 : 12, bodyShowsExports: showsDefinitions });
}
