import type { Node } from 'web-tree-sitter';
import { shortBody, toSignature } from './node-text.ts';
import type { CodeSymbol, DefMatch, LanguageSpec, SymbolKind, WalkScope } from './types.ts';

const CLASS_LIKE = new Set<SymbolKind>(['class', 'interface', 'struct', 'trait', 'enum']);

/** A node that swallows its trailing newline (`#define`) ends on the line before. */
function endLineOf(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row : end.row + 1;
}

interface Outline {
  symbols: CodeSymbol[];
  imports: string[];
  exports: string[];
}

function memberKind(kind: SymbolKind, parent: CodeSymbol | undefined): SymbolKind {
  if (!parent || !CLASS_LIKE.has(parent.kind)) return kind;
  if (kind === 'function') return 'method';
  if (kind === 'constant') return 'field';
  return kind;
}

function signatureOf(m: DefMatch, source: string, start: number): string {
  if (m.signature !== undefined) return toSignature(m.signature);
  const body = m.body;
  const end = body && body.startIndex >= start ? body.startIndex : m.node.endIndex;
  const sig = source.slice(start, end);
  if (!body || !m.inlineShortBody) return toSignature(sig);
  const head = toSignature(sig);
  const joiner = /=\s*$/.test(sig) ? ' = ' : ' ';
  return toSignature(`${head}${joiner}${shortBody(body) ?? '…'}`);
}

/** Walks a syntax tree with a language spec: definitions (nested in classes), imports, exports. */
export function walkTree(root: Node, source: string, spec: LanguageSpec): Outline {
  const out: Outline = { symbols: [], imports: [], exports: [] };
  const seenImports = new Set<string>();
  const seenExports = new Set<string>();
  const addExport = (name: string) => {
    if (!seenExports.has(name)) {
      seenExports.add(name);
      out.exports.push(name);
    }
  };

  const visit = (nodes: readonly (Node | null)[], scope: WalkScope, wrapper?: Node): void => {
    for (const node of nodes) {
      if (!node || node.isError) {
        // an ERROR node may still hold whole definitions: read through it
        if (node) visit(node.namedChildren, scope);
        continue;
      }
      const imported = spec.imports?.(node);
      if (imported) {
        for (const i of imported) {
          if (i && !seenImports.has(i)) {
            seenImports.add(i);
            out.imports.push(i);
          }
        }
      }
      if (!scope.parent) for (const name of spec.reexports?.(node) ?? []) addExport(name);
      if (spec.wrappers.has(node.type)) {
        const inExport = scope.inExport || node.type === 'export_statement';
        visit(node.namedChildren, { ...scope, inExport }, spec.attached?.has(node.type) ? node : wrapper);
        continue;
      }
      const matches = spec.defs(node, scope);
      if (!matches) continue;
      for (const m of matches) {
        const sigFrom =
          wrapper && spec.signatureWrappers?.has(wrapper.type) ? wrapper.startIndex : m.node.startIndex;
        const exported = m.exported ?? spec.isExported(m, scope);
        const symbol: CodeSymbol = {
          name: m.name,
          kind: memberKind(m.kind, scope.parent),
          signature: signatureOf(m, source, sigFrom),
          startLine: (wrapper ?? m.node).startPosition.row + 1,
          endLine: endLineOf(m.node),
          exported,
        };
        const parent = m.parent ?? scope.parent?.name;
        if (parent !== undefined) symbol.parent = parent;
        out.symbols.push(symbol);
        if (!scope.parent && exported && m.parent === undefined) addExport(m.name);
        if (m.members) visit(m.members.namedChildren, { inExport: false, parent: symbol });
      }
    }
  };

  visit(root.namedChildren, { inExport: false, parent: undefined });
  return out;
}
