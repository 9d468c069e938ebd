import type { Node } from 'web-tree-sitter';
import { unquote } from '../node-text.ts';
import type { LanguageSpec } from '../types.ts';

const firstLine = (node: Node) => node.text.split('\n', 1)[0] ?? '';
const bodyOf = (node: Node) =>
  node.childForFieldName('body') ?? node.namedChildren.find((c) => c?.type === 'body_statement') ?? null;

const LOADERS = new Set(['require', 'require_relative', 'load', 'autoload']);

export function createRubySpec(): LanguageSpec {
  return {
    wrappers: new Set(['begin', 'body_statement']),
    defs(node) {
      switch (node.type) {
        case 'method':
        case 'singleton_method': {
          const name = node.childForFieldName('name')?.text ?? '';
          const full = node.type === 'singleton_method' ? `self.${name}` : name;
          return [
            {
              name,
              kind: 'function',
              node,
              signature: firstLine(node).replace(/\s*;.*$/, '') || `def ${full}`,
            },
          ];
        }
        case 'class':
        case 'module': {
          const nameNode = node.childForFieldName('name');
          const name = nameNode?.childForFieldName('name')?.text ?? nameNode?.text ?? '';
          const kind = node.type === 'class' ? 'class' : 'module';
          return [{ name, kind, node, members: bodyOf(node), signature: firstLine(node) }];
        }
        case 'singleton_class': {
          // `class << Foo` reopens Foo's singleton class: its methods are class methods of Foo
          // (`class << self` inside a class shows as a nested `self` block with its methods).
          const value = node.childForFieldName('value');
          const name = value?.childForFieldName('name')?.text ?? value?.text ?? '';
          if (!name) return undefined;
          return [{ name, kind: 'class', node, members: bodyOf(node), signature: firstLine(node) }];
        }
        case 'assignment': {
          const left = node.childForFieldName('left');
          if (left?.type !== 'constant') return undefined;
          return [
            {
              name: left.text,
              kind: 'constant',
              node,
              body: node.childForFieldName('right'),
              inlineShortBody: true,
            },
          ];
        }
        case 'alias': {
          const name = node.childForFieldName('name')?.text;
          return name ? [{ name, kind: 'function', node }] : undefined;
        }
        default:
          return undefined;
      }
    },
    isExported: () => true,
    imports(node) {
      if (node.type !== 'call') return undefined;
      const method = node.childForFieldName('method')?.text;
      if (!method || !LOADERS.has(method)) return undefined;
      const arg = node.childForFieldName('arguments')?.namedChildren.find((c) => c?.type === 'string');
      return arg ? [unquote(arg.text)] : undefined;
    },
  };
}
