import type { Node } from 'web-tree-sitter';
import type { DefMatch, LanguageSpec } from '../types.ts';

function assignment(node: Node): DefMatch[] | undefined {
  const assign = node.namedChild(0);
  if (assign?.type !== 'assignment') return undefined;
  const left = assign.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  const right = assign.childForFieldName('right');
  return [{ name: left.text, kind: 'constant', node, body: right, inlineShortBody: true }];
}

function importNames(node: Node): string[] | undefined {
  if (node.type === 'import_from_statement') {
    const mod = node.childForFieldName('module_name');
    return mod ? [mod.text] : undefined;
  }
  if (node.type !== 'import_statement') return undefined;
  return node
    .childrenForFieldName('name')
    .map((n) => (n.type === 'aliased_import' ? (n.childForFieldName('name')?.text ?? '') : n.text));
}

/** Python: defs under `if`/`try` at module level count as top level (version switches, optional imports). */
export function createPythonSpec(): LanguageSpec {
  return {
    wrappers: new Set([
      'decorated_definition',
      'if_statement',
      'elif_clause',
      'else_clause',
      'try_statement',
      'except_clause',
      'finally_clause',
      'with_statement',
      'block',
    ]),
    attached: new Set(['decorated_definition']),
    defs(node) {
      switch (node.type) {
        case 'function_definition':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'function',
              node,
              body: node.childForFieldName('body'),
            },
          ];
        case 'class_definition': {
          const body = node.childForFieldName('body');
          return [
            { name: node.childForFieldName('name')?.text ?? '', kind: 'class', node, body, members: body },
          ];
        }
        case 'expression_statement':
          return assignment(node);
        default:
          return undefined;
      }
    },
    isExported: (m) => !m.name.startsWith('_'),
    imports: importNames,
  };
}
