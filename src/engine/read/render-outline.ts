import type { CodeSymbol, FileOutline } from '../languages/index.ts';

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

/** Every definition's signature, nested by indentation. */
export function renderSignatures(outline: FileOutline): string {
  return flatten(placeSymbols(outline.symbols))
    .map((p) => `${'  '.repeat(p.depth)}${p.symbol.signature}`)
    .join('\n');
}

/** Top-level signatures; members of classes and the like only by name, one line each. */
export function renderMap(outline: FileOutline): string {
  const out: string[] = [];
  for (const p of flatten(placeSymbols(outline.symbols))) {
    if (!p.topLevel) continue;
    out.push(`${'  '.repeat(p.depth)}${p.symbol.signature}`);
    const members = p.children.filter((c) => c.symbol.kind !== 'module').map((c) => c.symbol.name);
    if (p.symbol.kind !== 'module' && members.length > 0) {
      out.push(`${'  '.repeat(p.depth + 1)}{${[...new Set(members)].join(', ')}}`);
    }
  }
  return out.join('\n');
}

const MAX_LISTED = 12;

/** `deps: a, b` and `exports: x, y` lines for a header (at most `maxListed` names each, then `+N`). */
export function depsAndExports(outline: FileOutline, maxListed = MAX_LISTED): string[] {
  const list = (label: string, items: readonly string[]) => {
    if (items.length === 0) return [];
    const shown = items.slice(0, maxListed).join(', ');
    const more = items.length > maxListed ? ` +${items.length - maxListed}` : '';
    return [`${label}: ${shown}${more}`];
  };
  return [...list('deps', outline.imports), ...list('exports', outline.exports)];
}
