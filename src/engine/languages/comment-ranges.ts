import type { Node } from 'web-tree-sitter';
import { createParser } from './grammars.ts';
import { grammarOf, languageOf, refineLanguage } from './language-of.ts';
import { MAX_PARSE_CHARS } from './outline-file.ts';

export type CharRange = readonly [start: number, end: number];

/** A statement that is only a string literal: a Python docstring. */
function isDocstring(node: Node): boolean {
  return (
    node.type === 'expression_statement' &&
    node.namedChildCount === 1 &&
    node.namedChild(0)?.type === 'string'
  );
}

/**
 * Character ranges of comments (and Python docstrings) in a file, from tree-sitter;
 * undefined when no grammar reads the file, so callers can fall back to line rules.
 */
export async function commentRanges(relPath: string, text: string): Promise<CharRange[] | undefined> {
  const language = refineLanguage(languageOf(relPath), relPath, text);
  const grammar = grammarOf(language);
  if (!grammar || text.length > MAX_PARSE_CHARS) return undefined;
  const parser = await createParser(grammar);
  const tree = parser.parse(text);
  parser.delete();
  if (!tree) return undefined;
  const ranges: CharRange[] = [];
  const cursor = tree.walk();
  try {
    let descend = true;
    for (;;) {
      const type = cursor.nodeType;
      if (descend && type.includes('comment')) {
        ranges.push([cursor.startIndex, cursor.endIndex]);
        descend = false;
      } else if (descend && grammar === 'python' && type === 'expression_statement') {
        const node = cursor.currentNode;
        if (isDocstring(node) && node.previousNamedSibling === null)
          ranges.push([node.startIndex, node.endIndex]);
        descend = false;
      }
      if (descend && cursor.gotoFirstChild()) continue;
      descend = true;
      if (cursor.gotoNextSibling()) continue;
      let up = false;
      while (cursor.gotoParent()) {
        if (cursor.gotoNextSibling()) {
          up = true;
          break;
        }
      }
      if (!up) break;
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
  return ranges;
}
