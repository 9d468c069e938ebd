import type { LanguageSpec } from '../types.ts';

export function createBashSpec(): LanguageSpec {
  return {
    wrappers: new Set(['declaration_command']),
    defs(node) {
      if (node.type === 'function_definition') {
        const name = node.childForFieldName('name')?.text ?? '';
        return [
          { name, kind: 'function', node, body: node.childForFieldName('body'), signature: `${name}()` },
        ];
      }
      if (node.type === 'variable_assignment') {
        const name = node.childForFieldName('name')?.text ?? '';
        return [
          { name, kind: 'constant', node, body: node.childForFieldName('value'), inlineShortBody: true },
        ];
      }
      return undefined;
    },
    isExported: () => true,
    imports(node) {
      if (node.type !== 'command') return undefined;
      const cmd = node.childForFieldName('name')?.text;
      if (cmd !== 'source' && cmd !== '.') return undefined;
      const arg = node.childForFieldName('argument');
      return arg ? [arg.text.replace(/^["']|["']$/g, '')] : undefined;
    },
  };
}
