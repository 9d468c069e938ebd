import type { Node } from 'web-tree-sitter';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const TYPES: Record<string, SymbolKind> = {
  class_declaration: 'class',
  record_declaration: 'class',
  struct_declaration: 'struct',
  interface_declaration: 'interface',
  enum_declaration: 'enum',
  namespace_declaration: 'module',
};

const MEMBERS: Record<string, SymbolKind> = {
  method_declaration: 'method',
  constructor_declaration: 'method',
  destructor_declaration: 'method',
  operator_declaration: 'method',
  delegate_declaration: 'type',
  property_declaration: 'field',
  event_declaration: 'field',
};

const hasModifier = (node: Node, word: string) =>
  node.namedChildren.some((c) => c?.type === 'modifier' && c.text === word);

function fields(node: Node): DefMatch[] {
  const decl = node.namedChildren.find((c) => c?.type === 'variable_declaration');
  const out: DefMatch[] = [];
  for (const d of decl?.namedChildren ?? []) {
    if (d?.type !== 'variable_declarator') continue;
    const name = d.childForFieldName('name') ?? d.namedChild(0);
    if (name)
      out.push({ name: name.text, kind: 'field', node, signature: node.text.replace(/\s*=[\s\S]*$|;$/, '') });
  }
  return out;
}

export function createCSharpSpec(): LanguageSpec {
  return {
    wrappers: new Set(['file_scoped_namespace_declaration', 'declaration_list']),
    defs(node) {
      const type = TYPES[node.type];
      if (type) {
        const body = node.childForFieldName('body');
        const m: DefMatch = { name: node.childForFieldName('name')?.text ?? '', kind: type, node, body };
        if (type === 'enum') m.inlineShortBody = true;
        else m.members = body;
        return [m];
      }
      const member = MEMBERS[node.type];
      if (member) {
        const body = node.childForFieldName('body') ?? node.childForFieldName('accessors');
        const name = node.childForFieldName('name')?.text ?? node.childForFieldName('operator')?.text ?? '';
        return [{ name, kind: member, node, body }];
      }
      if (node.type === 'field_declaration') return fields(node);
      return undefined;
    },
    isExported(m, scope) {
      if (hasModifier(m.node, 'private') || hasModifier(m.node, 'protected')) return false;
      if (m.kind === 'module') return true;
      if (scope.parent?.kind === 'interface') return scope.parent.exported;
      return hasModifier(m.node, 'public') || hasModifier(m.node, 'internal');
    },
    imports(node) {
      if (node.type !== 'using_directive') return undefined;
      return [node.text.replace(/^(global\s+)?using\s+(static\s+)?/, '').replace(/\s*;\s*$/, '')];
    },
  };
}
