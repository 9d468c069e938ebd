import type { Node } from 'web-tree-sitter';
import { shortBody, unquote } from '../node-text.ts';
import type { DefMatch, LanguageSpec } from '../types.ts';

function receiverType(node: Node): string | undefined {
  const param = node
    .childForFieldName('receiver')
    ?.namedChildren.find((c) => c?.type === 'parameter_declaration');
  const type = param?.childForFieldName('type')?.text;
  return type?.replace(/^\*/, '').replace(/\[.*$/, '');
}

function typeSpecs(node: Node): DefMatch[] {
  const out: DefMatch[] = [];
  for (const spec of node.namedChildren) {
    if (spec?.type !== 'type_spec' && spec?.type !== 'type_alias') continue;
    const type = spec.childForFieldName('type');
    const kind =
      type?.type === 'struct_type' ? 'struct' : type?.type === 'interface_type' ? 'interface' : 'type';
    const name = spec.childForFieldName('name')?.text ?? '';
    const head = spec.text.slice(0, type ? type.startIndex - spec.startIndex : undefined);
    const body = type ? (shortBody(type) ?? `${type.text.split(/\s/)[0]} {…}`) : '';
    out.push({
      name,
      kind,
      node: node.namedChildCount === 1 ? node : spec,
      signature: `type ${head}${body}`,
    });
  }
  return out;
}

function valueSpecs(node: Node, keyword: string): DefMatch[] {
  const out: DefMatch[] = [];
  for (const spec of node.namedChildren) {
    if (spec?.type !== 'const_spec' && spec?.type !== 'var_spec') continue;
    const text = shortBody(spec) ?? `${spec.text.split('=')[0]?.trim()} = …`;
    for (const n of spec.childrenForFieldName('name')) {
      out.push({
        name: n.text,
        kind: 'constant',
        node: node.namedChildCount === 1 ? node : spec,
        signature: `${keyword} ${text}`,
      });
    }
  }
  return out;
}

export function createGoSpec(): LanguageSpec {
  return {
    wrappers: new Set(),
    defs(node) {
      switch (node.type) {
        case 'function_declaration':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'function',
              node,
              body: node.childForFieldName('body'),
            },
          ];
        case 'method_declaration': {
          const m: DefMatch = {
            name: node.childForFieldName('name')?.text ?? '',
            kind: 'method',
            node,
            body: node.childForFieldName('body'),
          };
          const recv = receiverType(node);
          if (recv) m.parent = recv;
          return [m];
        }
        case 'type_declaration':
          return typeSpecs(node);
        case 'const_declaration':
          return valueSpecs(node, 'const');
        case 'var_declaration':
          return valueSpecs(node, 'var');
        default:
          return undefined;
      }
    },
    isExported: (m) => /^[A-Z]/.test(m.name),
    imports(node) {
      if (node.type !== 'import_declaration') return undefined;
      const specs = node.descendantsOfType('import_spec');
      return specs.flatMap((s) => {
        const path = s?.childForFieldName('path');
        return path ? [unquote(path.text)] : [];
      });
    },
  };
}
