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

const COMMENT_TYPES = ['comment', 'line_comment', 'block_comment'];
const COMMENT_MARK = /\/\/|\/\*|#|--/;
/** Parameters with a default value, per grammar, and the field that holds the value. */
const DEFAULTED: Record<string, string> = {
  default_parameter: 'value',
  typed_default_parameter: 'value',
  required_parameter: 'value',
  optional_parameter: 'value',
  optional_parameter_declaration: 'default_value',
  simple_parameter: 'default_value',
};
const DEFAULTED_TYPES = Object.keys(DEFAULTED);
/** A default longer than this is an implementation detail: the parameter's name and type stay. */
const MAX_DEFAULT_CHARS = 16;

/** What to leave out of a declaration's text: comments, long default values. */
function elisions(node: Node, raw: string, end: Node | null | undefined): [Node, string][] {
  const to = end?.startPosition ?? node.endPosition;
  const out: [Node, string][] = [];
  if (COMMENT_MARK.test(raw)) {
    for (const c of node.descendantsOfType(COMMENT_TYPES, node.startPosition, to)) out.push([c, ' ']);
  }
  if (raw.includes('=')) {
    for (const p of node.descendantsOfType(DEFAULTED_TYPES, node.startPosition, to)) {
      const value = p.childForFieldName(DEFAULTED[p.type] as string);
      if (value && value.endIndex - value.startIndex > MAX_DEFAULT_CHARS) out.push([value, '…']);
    }
  }
  return out.sort((a, b) => a[0].startIndex - b[0].startIndex);
}

/** The declaration's text from `start` to `end` without what `elisions` leaves out. */
function sliceElided(source: string, start: number, end: number, node: Node, body: Node | null): string {
  const raw = source.slice(start, end);
  let out = '';
  let at = start;
  for (const [cut, replacement] of elisions(node, raw, body)) {
    if (cut.startIndex < at || cut.endIndex > end) continue;
    out += source.slice(at, cut.startIndex) + replacement;
    at = cut.endIndex;
  }
  return at === start ? raw : out + source.slice(at, end);
}

function signatureOf(m: DefMatch, source: string, start: number): string {
  if (m.signature !== undefined) {
    let sig = m.signature;
    for (const [cut, replacement] of elisions(m.node, sig, m.body)) sig = sig.replace(cut.text, replacement);
    return toSignature(sig);
  }
  const body = m.body && m.body.startIndex >= start ? m.body : null;
  const sig = sliceElided(source, start, body ? body.startIndex : m.node.endIndex, m.node, body);
  if (!body || !m.inlineShortBody) return toSignature(sig);
  const head = toSignature(sig);
  const joiner = /=\s*$/.test(sig) ? ' = ' : ' ';
  // What follows an inline body names the definition in C (`typedef struct {…} NameRec;`).
  const tail = source.slice(body.endIndex, m.node.endIndex).replace(/;\s*$/, '').trim();
  const after = tail && tail.length <= 120 && !tail.includes('\n') ? ` ${tail}` : '';
  const inline = shortBody(body);
  const full = inline === undefined || inline === null ? undefined : `${head}${joiner}${inline}${after}`;
  // A long inline body would push the trailing name past the signature's length cap.
  return toSignature(
    full !== undefined && (!after || full.length <= 160) ? full : `${head}${joiner}…${after}`,
  );
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
