import { createHash } from 'node:crypto';
import { type Language, type Node, Query } from 'web-tree-sitter';
import { createParser, type GrammarId } from '../languages/grammars.ts';
import { grammarOf, languageOf, refineLanguage } from '../languages/language-of.ts';
import { outlineFileHere } from '../languages/outline-file.ts';
import type { CodeSymbol, FileOutline } from '../languages/types.ts';

export interface CallSite {
  line: number;
  callee: string;
  /** `this` for this/self, `''` for a bare call, else the receiver's text (`api`, `a.b`). */
  receiver: string;
  /** The narrowest enclosing symbol's qualified name; null at module level. */
  caller: string | null;
}

/** What the graph learns from one file, computed on a worker thread. */
export interface ExtractedFile {
  hash: string;
  lines: number;
  outline: FileOutline;
  calls: CallSite[];
  /** Local names each import specifier binds. */
  bindings: Record<string, string[]>;
  /** Per specifier, local names that rename an imported one (local → imported). */
  aliases: Record<string, Record<string, string>>;
  /** Per specifier, names this file re-exports from it (exported → imported; `*` → `*` for `export *`). */
  reexports: Record<string, Record<string, string>>;
}

const CALL_NODES = new Set([
  'call_expression',
  'new_expression',
  'call',
  'method_invocation',
  'invocation_expression',
  'function_call_expression',
  'member_call_expression',
  'scoped_call_expression',
  'method_call_expression',
  'macro_invocation',
]);
const CALLEE_FIELDS = ['function', 'constructor', 'method', 'name', 'macro'] as const;
const MEMBER_FIELDS = ['property', 'attribute', 'field', 'name'] as const;
const OBJECT_FIELDS = ['object', 'operand', 'value', 'receiver', 'expression', 'scope'] as const;
const SELF = new Set(['this', 'self', '$this']);
const MAX_RECEIVER_CHARS = 80;
const unquote = (s: string) => s.replace(/^['"`]|['"`]$/g, '');

function field(node: Node, names: readonly string[]): Node | null {
  for (const n of names) {
    const c = node.childForFieldName(n);
    if (c) return c;
  }
  return null;
}

function callSite(node: Node): CallSite | undefined {
  // Java and PHP name the method on the call itself
  const own = node.type === 'method_invocation' || node.type === 'member_call_expression';
  const target = own ? node : field(node, CALLEE_FIELDS);
  if (!target) return undefined;
  const line = node.startPosition.row + 1;
  if (!own && /identifier$|^name$/.test(target.type))
    return { line, callee: target.text, receiver: '', caller: null };
  const member = own ? node.childForFieldName('name') : field(target, MEMBER_FIELDS);
  if (!member || !/identifier|name/.test(member.type)) return undefined;
  const object = field(target, OBJECT_FIELDS);
  const text = object?.text ?? '';
  const receiver = SELF.has(text) ? 'this' : text.length <= MAX_RECEIVER_CHARS ? text : '…';
  return { line, callee: member.text, receiver, caller: null };
}

interface Bindings {
  bindings: Record<string, string[]>;
  aliases: Record<string, Record<string, string>>;
  reexports: Record<string, Record<string, string>>;
}

/** Records that `specifier` binds `local`, renaming `imported` when they differ. */
function bind(b: Bindings, specifier: string, local: string | undefined, imported?: string) {
  b.bindings[specifier] ??= [];
  if (!local) return;
  const names = b.bindings[specifier];
  if (!names.includes(local)) names.push(local);
  if (imported && imported !== local) b.aliases[specifier] = { ...b.aliases[specifier], [local]: imported };
}

/** Local names of an ES import (`import a, { b as c } from`, `import * as ns from`). */
function esBindings(node: Node, b: Bindings) {
  const source = node.childForFieldName('source');
  if (!source) return;
  const spec = unquote(source.text);
  bind(b, spec, undefined);
  for (const clause of node.namedChildren) {
    if (clause?.type !== 'import_clause') continue;
    for (const part of clause.namedChildren) {
      if (part?.type === 'identifier') bind(b, spec, part.text);
      else if (part?.type === 'namespace_import') bind(b, spec, part.namedChild(0)?.text);
      else if (part?.type === 'named_imports') {
        for (const s of part.namedChildren) {
          if (s?.type !== 'import_specifier') continue;
          const name = s.childForFieldName('name')?.text;
          bind(b, spec, s.childForFieldName('alias')?.text ?? name, name);
        }
      }
    }
  }
}

/** `export * from`, `export * as ns from`, `export { a, b as c } from`: what passes through. */
function esReexports(node: Node, b: Bindings) {
  const source = node.childForFieldName('source');
  if (!source) return;
  const spec = unquote(source.text);
  bind(b, spec, undefined);
  const out: Record<string, string> = Object.create(null);
  let clause = false;
  for (const c of node.namedChildren) {
    if (c?.type === 'namespace_export') {
      clause = true;
      const ns = c.namedChild(0)?.text;
      if (ns) out[unquote(ns)] = '*';
    } else if (c?.type === 'export_clause') {
      clause = true;
      for (const s of c.namedChildren) {
        if (s?.type !== 'export_specifier') continue;
        const name = s.childForFieldName('name')?.text;
        if (name) out[unquote(s.childForFieldName('alias')?.text ?? name)] = unquote(name);
      }
    }
  }
  if (!clause) out['*'] = '*';
  b.reexports[spec] = { ...b.reexports[spec], ...out };
}

/** Local names of a Python import (`from .a import b as c`, `import a.b`). */
function pyBindings(node: Node, b: Bindings) {
  const local = (n: Node) =>
    n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text.split('.')[0];
  const imported = (n: Node) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text);
  if (node.type === 'import_from_statement') {
    const mod = node.childForFieldName('module_name')?.text;
    if (!mod) return;
    bind(b, mod, undefined);
    for (const n of node.childrenForFieldName('name')) bind(b, mod, local(n), imported(n));
    return;
  }
  for (const n of node.childrenForFieldName('name')) {
    const mod = imported(n);
    if (mod) bind(b, mod, local(n));
  }
}

/** What is read from a node of a type: a call site, or one of the import forms. */
const Role = { None: 0, Call: 1, EsImport: 2, EsExport: 3, PyImport: 4, RustMod: 5, GoImport: 6 } as const;
type Role = (typeof Role)[keyof typeof Role];

function roleOf(type: string, grammar: GrammarId): Role {
  if (CALL_NODES.has(type)) return Role.Call;
  if (grammar === 'python')
    return type === 'import_statement' || type === 'import_from_statement' ? Role.PyImport : Role.None;
  if (type === 'import_statement') return Role.EsImport;
  if (type === 'export_statement') return Role.EsExport;
  if (grammar === 'rust' && type === 'mod_item') return Role.RustMod;
  if (grammar === 'go' && type === 'import_spec') return Role.GoImport;
  return Role.None;
}

/**
 * Per grammar: one query capturing every node a role reads (none where the grammar has no such
 * node, as bash), and each node type id's role. Immutable, so made once per thread, like the
 * loaded grammars.
 */
interface CallQuery {
  query: Query | undefined;
  roles: Uint8Array;
}
const queries = new Map<GrammarId, CallQuery>();

function callQueryOf(language: Language, grammar: GrammarId): CallQuery {
  let q = queries.get(grammar);
  if (!q) {
    const roles = new Uint8Array(language.types.length);
    const types: string[] = [];
    for (let id = 0; id < roles.length; id++) {
      const type = language.types[id];
      if (!type || !language.nodeTypeIsNamed(id)) continue;
      roles[id] = roleOf(type, grammar);
      if (roles[id] !== Role.None) types.push(type);
    }
    // one pattern, so captures come in document order, an outer node before an inner one starting with it
    const query =
      types.length > 0 ? new Query(language, `[${types.map((t) => `(${t})`).join(' ')}] @n`) : undefined;
    q = { query, roles };
    queries.set(grammar, q);
  }
  return q;
}

function visitCallNode(node: Node, role: Role, calls: CallSite[], b: Bindings) {
  switch (role) {
    case Role.Call: {
      const site = callSite(node);
      if (site) calls.push(site);
      return;
    }
    case Role.EsImport:
      return esBindings(node, b);
    case Role.EsExport:
      return esReexports(node, b);
    case Role.PyImport:
      return pyBindings(node, b);
    case Role.RustMod: {
      // `mod parser;` loads parser.rs or parser/mod.rs beside this module
      if (node.childForFieldName('body')) return;
      const name = node.childForFieldName('name')?.text;
      if (name) bind(b, `mod::${name}`, undefined);
      return;
    }
    case Role.GoImport: {
      // a Go package is called through its last path segment unless the import names it
      const path = node.childForFieldName('path');
      if (path) {
        const spec = unquote(path.text);
        bind(b, spec, node.childForFieldName('name')?.text ?? spec.slice(spec.lastIndexOf('/') + 1));
      }
    }
  }
}

/**
 * Call sites and import bindings, in document order. A query finds the nodes inside the WASM
 * runtime; only those become Node objects, not every node of the tree.
 */
function walkCalls(root: Node, grammar: GrammarId, calls: CallSite[], b: Bindings) {
  const { query, roles } = callQueryOf(root.tree.language, grammar);
  if (!query) return;
  for (const { node } of query.captures(root)) {
    visitCallNode(node, (roles[node.typeId] ?? Role.None) as Role, calls, b);
  }
}

/**
 * Sets each call's caller to the narrowest symbol around it. Calls and symbols are both in
 * line order, so one pass with a stack of open symbols does it.
 */
function assignCallers(calls: CallSite[], symbols: readonly CodeSymbol[]) {
  const scopes = symbols
    .filter((s) => s.kind !== 'field' && s.kind !== 'type' && s.kind !== 'interface')
    .sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  const open: CodeSymbol[] = [];
  let next = 0;
  for (const call of calls) {
    while (next < scopes.length && scopes[next]!.startLine <= call.line) open.push(scopes[next++]!);
    while (open.length > 0 && open[open.length - 1]!.endLine < call.line) open.pop();
    // a symbol under the top may have closed while a longer one stays open: find the innermost still open
    let inner: CodeSymbol | undefined;
    for (let i = open.length - 1; i >= 0 && !inner; i--) if (open[i]!.endLine >= call.line) inner = open[i];
    call.caller = inner ? (inner.parent ? `${inner.parent}.${inner.name}` : inner.name) : null;
  }
}

/**
 * The outline, call sites and import bindings of one file in a single parse. When the
 * content hash equals `knownHash` only the hash comes back: the file was touched, not changed.
 */
export async function extractFileHere(input: {
  rel: string;
  text: string;
  knownHash?: string;
}): Promise<ExtractedFile | { hash: string; unchanged: true }> {
  const hash = createHash('sha256').update(input.text).digest('hex');
  if (hash === input.knownHash) return { hash, unchanged: true };
  const calls: CallSite[] = [];
  // keyed by specifiers and names from the source (`constructor`, `__proto__` …): no prototype
  const b: Bindings = {
    bindings: Object.create(null),
    aliases: Object.create(null),
    reexports: Object.create(null),
  };
  const outline = await outlineFileHere(input.rel, input.text, (root, grammar) =>
    walkCalls(root, grammar, calls, b),
  );
  calls.sort((a, b) => a.line - b.line);
  assignCallers(calls, outline.symbols);
  let lines = input.text.length === 0 ? 0 : 1;
  for (
    let i = input.text.indexOf('\n');
    i !== -1 && i < input.text.length - 1;
    i = input.text.indexOf('\n', i + 1)
  ) {
    lines++;
  }
  // no o200k count here: it cost about as much as the parse; the graph counts a file's tokens when a tool first needs them
  return { hash, lines, outline, calls, ...b };
}

/** Only the tree-sitter parse of one file, nothing read from the tree: the floor a graph build is measured against. */
export async function parseOnlyHere(input: { rel: string; text: string }): Promise<boolean> {
  const grammar = grammarOf(refineLanguage(languageOf(input.rel), input.rel, input.text));
  if (!grammar) return false;
  const parser = await createParser(grammar);
  try {
    const tree = parser.parse(input.text);
    tree?.delete();
    return tree !== null;
  } finally {
    parser.delete();
  }
}
