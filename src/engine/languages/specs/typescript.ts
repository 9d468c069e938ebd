import type { Node } from 'web-tree-sitter';
import { unquote } from '../node-text.ts';
import type { DefMatch, LanguageSpec, SymbolKind, WalkScope } from '../types.ts';

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

const LITERALS = new Set([
  'number',
  'string',
  'true',
  'false',
  'null',
  'undefined',
  'regex',
  'template_string',
]);

const SIMPLE: Record<string, { kind: SymbolKind; members?: boolean; inline?: boolean }> = {
  function_declaration: { kind: 'function' },
  generator_function_declaration: { kind: 'function' },
  function_signature: { kind: 'function' },
  function_expression: { kind: 'function' },
  class_declaration: { kind: 'class', members: true },
  abstract_class_declaration: { kind: 'class', members: true },
  class: { kind: 'class', members: true },
  interface_declaration: { kind: 'interface', members: true },
  type_alias_declaration: { kind: 'type', inline: true },
  enum_declaration: { kind: 'enum', inline: true },
  internal_module: { kind: 'module', members: true },
  module: { kind: 'module', members: true },
  method_definition: { kind: 'method' },
  method_signature: { kind: 'method' },
  abstract_method_signature: { kind: 'method' },
  public_field_definition: { kind: 'field', inline: true },
  field_definition: { kind: 'field', inline: true },
  property_signature: { kind: 'field' },
};

function declarators(node: Node, scope: WalkScope, source: string): DefMatch[] {
  const keyword = node.child(0)?.text ?? 'const';
  const prefix = scope.inExport ? `export ${keyword}` : keyword;
  const out: DefMatch[] = [];
  for (const d of node.namedChildren) {
    if (d?.type !== 'variable_declarator') continue;
    const name = d.childForFieldName('name');
    if (name?.type !== 'identifier') continue;
    const value = d.childForFieldName('value');
    const isFn = value !== null && FUNCTION_VALUES.has(value.type);
    const body = isFn ? value.childForFieldName('body') : value;
    // a typed constant says what it is; its initializer only matters when it is a literal
    const typed = !isFn && d.childForFieldName('type') !== null && !LITERALS.has(body?.type ?? '');
    const head = source.slice(
      d.startIndex,
      body && !typed ? body.startIndex : (value?.startIndex ?? d.endIndex),
    );
    const short = !isFn && !typed && body ? body.text.replace(/\s+/g, ' ') : '';
    const tail = isFn || typed || !body ? '' : short.length <= 80 ? short : '…';
    out.push({
      name: name.text,
      kind: isFn ? 'function' : 'constant',
      node: out.length === 0 ? node : d,
      body,
      signature: `${prefix} ${head}${tail}`,
    });
  }
  return out;
}

/** `exports.f = function` and `Foo.prototype.g = () =>` at the top level. */
function assignedFunction(assign: Node): DefMatch[] | undefined {
  const right = assign.childForFieldName('right');
  const left = assign.childForFieldName('left');
  if (!right || !left || !FUNCTION_VALUES.has(right.type)) return undefined;
  const name = left.type === 'member_expression' ? left.childForFieldName('property') : left;
  if (!name || (name.type !== 'identifier' && name.type !== 'property_identifier')) return undefined;
  const exported = /^(module\.)?exports\./.test(left.text);
  return [
    { name: name.text, kind: 'function', node: assign, body: right.childForFieldName('body'), exported },
  ];
}

function isPrivate(node: Node): boolean {
  const name = node.childForFieldName('name');
  if (name?.type === 'private_property_identifier') return true;
  return node.namedChildren.some((c) => c?.type === 'accessibility_modifier' && c.text !== 'public');
}

const REQUIRE = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

export function createTypeScriptSpec(source: string): LanguageSpec {
  return {
    wrappers: new Set(['export_statement', 'ambient_declaration', 'expression_statement']),
    attached: new Set(['export_statement', 'ambient_declaration']),
    signatureWrappers: new Set(['export_statement', 'ambient_declaration']),
    defs(node, scope) {
      if (node.type === 'lexical_declaration' || node.type === 'variable_declaration') {
        return declarators(node, scope, source);
      }
      if (node.type === 'assignment_expression') return scope.parent ? undefined : assignedFunction(node);
      const rule = SIMPLE[node.type];
      if (!rule) return undefined;
      const nameNode = node.childForFieldName('name') ?? node.childForFieldName('property');
      const name = nameNode ? unquote(nameNode.text) : 'default';
      const body = node.childForFieldName(rule.inline && rule.kind !== 'enum' ? 'value' : 'body');
      const m: DefMatch = { name, kind: rule.kind, node, body };
      if (rule.inline) m.inlineShortBody = true;
      if (rule.members) m.members = body;
      if (scope.parent && isPrivate(node)) m.exported = false;
      return [m];
    },
    isExported: (_m, scope) => scope.inExport || (scope.parent?.exported ?? false),
    imports(node) {
      if (node.type === 'import_statement' || node.type === 'export_statement') {
        const src = node.childForFieldName('source');
        return src ? [unquote(src.text)] : undefined;
      }
      if (
        (node.type === 'lexical_declaration' || node.type === 'variable_declaration') &&
        node.text.length < 2000
      ) {
        return [...node.text.matchAll(REQUIRE)].map((m) => m[1] ?? '');
      }
      return undefined;
    },
    reexports(node) {
      if (node.type !== 'export_statement') return undefined;
      const names: string[] = [];
      for (const c of node.namedChildren) {
        if (c?.type === 'export_clause') {
          for (const s of c.namedChildren) {
            const n = s?.childForFieldName('alias') ?? s?.childForFieldName('name');
            if (n) names.push(n.text);
          }
        }
      }
      const src = node.childForFieldName('source');
      if (src && names.length === 0 && !node.childForFieldName('declaration')) {
        names.push(`* from ${unquote(src.text)}`);
      }
      if (node.children.some((c) => c?.type === 'default') && !node.childForFieldName('declaration')) {
        names.push('default');
      }
      return names;
    },
  };
}
