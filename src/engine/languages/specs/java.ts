import type { Node } from 'web-tree-sitter';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const TYPES: Record<string, SymbolKind> = {
  class_declaration: 'class',
  record_declaration: 'class',
  interface_declaration: 'interface',
  annotation_type_declaration: 'interface',
  enum_declaration: 'enum',
};

function modifiers(node: Node): string {
  return node.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? '';
}

function fields(node: Node): DefMatch[] {
  const out: DefMatch[] = [];
  const declarators = node.childrenForFieldName('declarator');
  const first = declarators[0];
  const prefix = first ? node.text.slice(0, first.startIndex - node.startIndex) : '';
  for (const d of declarators) {
    const name = d.childForFieldName('name')?.text;
    if (!name) continue;
    const value = d.childForFieldName('value');
    const head = value ? d.text.slice(0, value.startIndex - d.startIndex) : d.text;
    const short = value && value.text.length <= 60 ? value.text : value ? '…' : '';
    out.push({ name, kind: 'field', node, signature: `${prefix}${head}${short}` });
  }
  return out;
}

export function createJavaSpec(): LanguageSpec {
  return {
    wrappers: new Set(['enum_body_declarations']),
    defs(node) {
      const kind = TYPES[node.type];
      if (kind) {
        const body = node.childForFieldName('body');
        return [{ name: node.childForFieldName('name')?.text ?? '', kind, node, body, members: body }];
      }
      if (node.type === 'method_declaration' || node.type === 'constructor_declaration') {
        return [
          {
            name: node.childForFieldName('name')?.text ?? '',
            kind: 'method',
            node,
            body: node.childForFieldName('body'),
          },
        ];
      }
      if (node.type === 'field_declaration' || node.type === 'constant_declaration') return fields(node);
      return undefined;
    },
    isExported(m, scope) {
      const mods = modifiers(m.node);
      if (/\b(private|protected)\b/.test(mods)) return false;
      if (scope.parent?.kind === 'interface') return scope.parent.exported;
      return /\bpublic\b/.test(mods);
    },
    imports(node) {
      if (node.type !== 'import_declaration') return undefined;
      return [node.text.replace(/^import\s+(static\s+)?/, '').replace(/\s*;\s*$/, '')];
    },
  };
}
