import type { Node } from 'web-tree-sitter';
import { unquote } from '../node-text.ts';
import type { DefMatch, LanguageSpec, SymbolKind } from '../types.ts';

const NAME_TYPES = new Set([
  'identifier',
  'field_identifier',
  'type_identifier',
  'destructor_name',
  'operator_name',
  'primitive_type',
]);

/** Follows a C declarator (pointers, references, functions) down to its name and `A::` scope. */
function declaratorName(
  start: Node | null,
): { name: string; scope?: string; isFunction: boolean } | undefined {
  let node = start;
  let isFunction = false;
  while (node) {
    if (node.type === 'function_declarator') isFunction = true;
    if (NAME_TYPES.has(node.type)) return { name: node.text, isFunction };
    if (node.type === 'qualified_identifier') {
      const inner = declaratorName(node.childForFieldName('name'));
      const scope = node.childForFieldName('scope')?.text;
      return inner ? { ...inner, isFunction, ...(scope ? { scope } : {}) } : undefined;
    }
    if (node.type === 'template_function') return declaratorName(node.childForFieldName('name'));
    node =
      node.childForFieldName('declarator') ??
      node.namedChildren.find((c) => c?.type.endsWith('declarator')) ??
      null;
  }
  return undefined;
}

const TAGS: Record<string, SymbolKind> = {
  struct_specifier: 'struct',
  union_specifier: 'struct',
  class_specifier: 'class',
  enum_specifier: 'enum',
};

function tagged(node: Node, cpp: boolean): DefMatch | undefined {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  const kind = TAGS[node.type];
  if (!name || !body || !kind) return undefined;
  const m: DefMatch = { name, kind, node, body };
  if (cpp && kind !== 'enum') m.members = body;
  else m.inlineShortBody = true;
  return m;
}

function functionLike(node: Node, kind: SymbolKind): DefMatch | undefined {
  const decl = declaratorName(node.childForFieldName('declarator'));
  if (!decl) return undefined;
  if (kind !== 'function' || decl.isFunction) {
    const m: DefMatch = {
      name: decl.name,
      kind: decl.isFunction ? kind : 'constant',
      node,
      body: node.childForFieldName('body'),
    };
    if (decl.scope) {
      m.parent = decl.scope;
      m.kind = 'method';
    }
    return m;
  }
  return undefined;
}

function declaration(node: Node, cpp: boolean): DefMatch[] {
  const out: DefMatch[] = [];
  const type = node.childForFieldName('type');
  const tag = type && tagged(type, cpp);
  if (tag) out.push({ ...tag, node });
  for (const d of node.childrenForFieldName('declarator')) {
    const decl = declaratorName(d);
    if (!decl) continue;
    const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
    const kind: SymbolKind = decl.isFunction
      ? 'function'
      : node.type === 'field_declaration'
        ? 'field'
        : 'constant';
    const m: DefMatch = { name: decl.name, kind, node, body: value, inlineShortBody: value !== null };
    if (decl.scope) m.parent = decl.scope;
    out.push(m);
  }
  return out;
}

/** C and C++ (`cpp` adds classes with members, namespaces, templates, `A::f` methods). */
export function createCFamilySpec(cpp: boolean): LanguageSpec {
  return {
    wrappers: new Set([
      'preproc_ifdef',
      'preproc_if',
      'preproc_else',
      'preproc_elif',
      'preproc_elifdef',
      'linkage_specification',
      'declaration_list',
      'template_declaration',
      'access_specifier',
    ]),
    attached: new Set(['template_declaration']),
    signatureWrappers: new Set(['template_declaration']),
    defs(node) {
      switch (node.type) {
        case 'function_definition': {
          const m = functionLike(node, 'function');
          return m ? [m] : undefined;
        }
        case 'declaration':
        case 'field_declaration':
          return declaration(node, cpp);
        case 'type_definition': {
          const out: DefMatch[] = [];
          const type = node.childForFieldName('type');
          const tag = type && tagged(type, cpp);
          if (tag) out.push(tag);
          for (const d of node.childrenForFieldName('declarator')) {
            const decl = declaratorName(d);
            if (decl)
              out.push({
                name: decl.name,
                kind: 'type',
                node,
                // An anonymous struct/enum's fields are its body too: `typedef struct {…} Name`.
                body: tag ? type : (type?.childForFieldName('body') ?? null),
                inlineShortBody: true,
              });
          }
          return out;
        }
        case 'alias_declaration':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'type',
              node,
              body: node.childForFieldName('type'),
              inlineShortBody: true,
            },
          ];
        case 'namespace_definition': {
          const body = node.childForFieldName('body');
          return [
            {
              name: node.childForFieldName('name')?.text ?? '(anonymous)',
              kind: 'module',
              node,
              body,
              members: body,
            },
          ];
        }
        case 'preproc_def':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'constant',
              node,
              body: node.childForFieldName('value'),
              inlineShortBody: true,
            },
          ];
        case 'preproc_function_def':
          return [
            {
              name: node.childForFieldName('name')?.text ?? '',
              kind: 'function',
              node,
              body: node.childForFieldName('value'),
            },
          ];
        default: {
          const m = TAGS[node.type] ? tagged(node, cpp) : undefined;
          return m ? [m] : undefined;
        }
      }
    },
    isExported(m, scope) {
      if (scope.parent) return scope.parent.exported;
      return !m.node.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
    },
    imports(node) {
      if (node.type !== 'preproc_include') return undefined;
      const path = node.childForFieldName('path');
      return path ? [unquote(path.text)] : undefined;
    },
  };
}
