import type { Node } from 'web-tree-sitter';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const SIMPLE: Record<string, { kind: SymbolKind; body: string; members?: boolean; inline?: boolean }> = {
  function_item: { kind: 'function', body: 'body' },
  function_signature_item: { kind: 'function', body: 'body' },
  struct_item: { kind: 'struct', body: 'body', inline: true },
  union_item: { kind: 'struct', body: 'body', inline: true },
  enum_item: { kind: 'enum', body: 'body', inline: true },
  trait_item: { kind: 'trait', body: 'body', members: true },
  type_item: { kind: 'type', body: 'type', inline: true },
  associated_type: { kind: 'type', body: 'type' },
  const_item: { kind: 'constant', body: 'value', inline: true },
  static_item: { kind: 'constant', body: 'value', inline: true },
  mod_item: { kind: 'module', body: 'body', members: true },
  macro_definition: { kind: 'function', body: 'none' },
};

const isPub = (node: Node) => node.namedChildren.some((c) => c?.type === 'visibility_modifier');

function simple(node: Node): DefMatch | undefined {
  const rule = SIMPLE[node.type];
  if (!rule) return undefined;
  const body = node.childForFieldName(rule.body);
  const m: DefMatch = { name: node.childForFieldName('name')?.text ?? '', kind: rule.kind, node, body };
  if (rule.inline) m.inlineShortBody = true;
  if (rule.members) m.members = body;
  if (node.type === 'macro_definition') m.signature = `macro_rules! ${m.name}`;
  return m;
}

/** `impl [Trait for] Type { fn … }`: the functions become methods of Type. */
function implMethods(node: Node): DefMatch[] {
  const type = node.childForFieldName('type')?.text.replace(/<.*$/, '') ?? '';
  const out: DefMatch[] = [];
  for (const item of node.childForFieldName('body')?.namedChildren ?? []) {
    const m = item && simple(item);
    if (!m) continue;
    if (m.kind === 'function') m.kind = 'method';
    if (m.kind === 'constant') m.kind = 'field';
    m.parent = type;
    out.push(m);
  }
  return out;
}

export function createRustSpec(): LanguageSpec {
  return {
    wrappers: new Set(),
    defs(node) {
      if (node.type === 'impl_item') return implMethods(node);
      const m = simple(node);
      return m ? [m] : undefined;
    },
    isExported: (m, scope) => (scope.parent?.kind === 'trait' ? scope.parent.exported : isPub(m.node)),
    imports(node) {
      if (node.type === 'use_declaration') {
        const arg = node.childForFieldName('argument');
        return arg ? [arg.text.replace(/\s+/g, ' ')] : undefined;
      }
      if (node.type === 'extern_crate_declaration') {
        const name = node.childForFieldName('name');
        return name ? [name.text] : undefined;
      }
      return undefined;
    },
  };
}
