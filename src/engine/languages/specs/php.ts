import type { Node } from 'web-tree-sitter';
import { unquote } from '../node-text.ts';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const TYPES: Record<string, SymbolKind> = {
  class_declaration: 'class',
  interface_declaration: 'interface',
  trait_declaration: 'trait',
  enum_declaration: 'enum',
};

const INCLUDES = new Set([
  'require_expression',
  'require_once_expression',
  'include_expression',
  'include_once_expression',
]);

function elements(node: Node, elementType: string): DefMatch[] {
  const kind: SymbolKind = node.type === 'const_declaration' ? 'constant' : 'field';
  return node.namedChildren
    .filter((c): c is Node => c?.type === elementType)
    .map((el) => {
      const nameNode = el.childForFieldName('name') ?? el.namedChild(0);
      return {
        name: (nameNode?.text ?? '').replace(/^\$/, ''),
        kind,
        node,
        signature: node.text.replace(/\s*=[\s\S]*$|;$/, ''),
      };
    });
}

export function createPhpSpec(): LanguageSpec {
  return {
    wrappers: new Set(['compound_statement']),
    defs(node) {
      const type = TYPES[node.type];
      if (type) {
        const body = node.childForFieldName('body');
        return [{ name: node.childForFieldName('name')?.text ?? '', kind: type, node, body, members: body }];
      }
      switch (node.type) {
        case 'function_definition':
        case 'method_declaration':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'function',
              node,
              body: node.childForFieldName('body'),
            },
          ];
        case 'namespace_definition': {
          const body = node.childForFieldName('body');
          return [
            { name: node.childForFieldName('name')?.text ?? '', kind: 'module', node, body, members: body },
          ];
        }
        case 'const_declaration':
          return elements(node, 'const_element');
        case 'property_declaration':
          return elements(node, 'property_element');
        default:
          return undefined;
      }
    },
    isExported: (m) =>
      !m.node.namedChildren.some((c) => c?.type === 'visibility_modifier' && c.text !== 'public'),
    imports(node) {
      if (node.type === 'namespace_use_declaration') {
        return node.namedChildren.filter((c) => c?.type === 'namespace_use_clause').map((c) => c?.text ?? '');
      }
      if (node.type === 'expression_statement') {
        const inc = node.namedChild(0);
        if (inc && INCLUDES.has(inc.type)) {
          const str = inc.namedChild(0);
          return str ? [unquote(str.text)] : undefined;
        }
      }
      return undefined;
    },
  };
}
