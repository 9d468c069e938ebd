import type { Node } from 'web-tree-sitter';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const TYPES: Record<string, SymbolKind> = {
  class_definition: 'class',
  object_definition: 'class',
  trait_definition: 'trait',
  enum_definition: 'enum',
};

const VALUES = new Set([
  'val_definition',
  'var_definition',
  'val_declaration',
  'var_declaration',
  'given_definition',
]);

export function createScalaSpec(): LanguageSpec {
  return {
    wrappers: new Set(['package_object']),
    defs(node) {
      const type = TYPES[node.type];
      if (type) {
        const body = node.childForFieldName('body');
        const m: DefMatch = { name: node.childForFieldName('name')?.text ?? '', kind: type, node, body };
        if (type === 'enum') m.inlineShortBody = true;
        else m.members = body;
        return [m];
      }
      if (node.type === 'function_definition' || node.type === 'function_declaration') {
        return [
          {
            name: node.childForFieldName('name')?.text ?? '',
            kind: 'function',
            node,
            body: node.childForFieldName('body'),
          },
        ];
      }
      if (node.type === 'type_definition') {
        return [
          {
            name: node.childForFieldName('name')?.text ?? '',
            kind: 'type',
            node,
            body: node.childForFieldName('type'),
            inlineShortBody: true,
          },
        ];
      }
      if (VALUES.has(node.type)) {
        const name = (node.childForFieldName('pattern') ?? node.childForFieldName('name'))?.text ?? '';
        return [
          { name, kind: 'constant', node, body: node.childForFieldName('value'), inlineShortBody: true },
        ];
      }
      return undefined;
    },
    isExported: (m: DefMatch) =>
      !m.node.namedChildren.some(
        (c: Node | null) => c?.type === 'modifiers' && /\b(private|protected)\b/.test(c.text),
      ),
    imports(node) {
      if (node.type !== 'import_declaration') return undefined;
      return [node.text.replace(/^import\s+/, '')];
    },
  };
}
