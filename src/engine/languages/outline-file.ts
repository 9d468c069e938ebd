import type { Node } from 'web-tree-sitter';
import { runEngineTask } from '../workers/engine-pool.ts';
import { createParser, type GrammarId } from './grammars.ts';
import { grammarOf, languageOf, refineLanguage } from './language-of.ts';
import { regexOutline } from './regex-outline.ts';
import { createBashSpec } from './specs/bash.ts';
import { createCFamilySpec } from './specs/c-family.ts';
import { createCSharpSpec } from './specs/csharp.ts';
import { createGoSpec } from './specs/go.ts';
import { createJavaSpec } from './specs/java.ts';
import { createPhpSpec } from './specs/php.ts';
import { createPythonSpec } from './specs/python.ts';
import { createRubySpec } from './specs/ruby.ts';
import { createRustSpec } from './specs/rust.ts';
import { createScalaSpec } from './specs/scala.ts';
import { createTypeScriptSpec } from './specs/typescript.ts';
import type { FileOutline, LanguageSpec } from './types.ts';
import { walkTree } from './walk-tree.ts';

/** Past this, parsing costs more than the outline is worth; the regex outline answers. */
export const MAX_PARSE_CHARS = 2 * 1024 * 1024;

const SPECS: Record<GrammarId, (source: string) => LanguageSpec> = {
  typescript: createTypeScriptSpec,
  tsx: createTypeScriptSpec,
  javascript: createTypeScriptSpec,
  python: createPythonSpec,
  go: createGoSpec,
  rust: createRustSpec,
  java: createJavaSpec,
  c: () => createCFamilySpec(false),
  cpp: () => createCFamilySpec(true),
  csharp: createCSharpSpec,
  ruby: createRubySpec,
  php: createPhpSpec,
  bash: createBashSpec,
  scala: createScalaSpec,
};

/** Texts up to this size are parsed on the calling thread (a few ms); larger ones on a worker. */
export const OUTLINE_INLINE_MAX_CHARS = 16 * 1024;

/**
 * Definitions, signatures, imports and exports of one file: tree-sitter when a grammar fits,
 * else regex. Past OUTLINE_INLINE_MAX_CHARS the parse runs on a worker thread (about 250 ms
 * per MB), stopped with the call's signal.
 */
export function outlineFile(relPath: string, text: string, signal?: AbortSignal): Promise<FileOutline> {
  if (text.length <= OUTLINE_INLINE_MAX_CHARS) return outlineFileHere(relPath, text);
  return runEngineTask('outline', { rel: relPath, text }, { signal });
}

/**
 * `outlineFile` on this thread, whatever the size: for small texts and for the workers.
 * `visit` sees the same tree (the code graph reads call sites from it) before it is freed.
 */
export async function outlineFileHere(
  relPath: string,
  text: string,
  visit?: (root: Node, grammar: GrammarId) => void,
): Promise<FileOutline> {
  const language = refineLanguage(languageOf(relPath), relPath, text);
  const grammar = grammarOf(language);
  if (!grammar || text.length > MAX_PARSE_CHARS) return regexOutline(text, language);
  const parser = await createParser(grammar);
  try {
    const tree = parser.parse(text);
    if (!tree) return regexOutline(text, language);
    try {
      const outline = walkTree(tree.rootNode, text, SPECS[grammar](text));
      visit?.(tree.rootNode, grammar);
      return { language, ...outline, parser: 'tree-sitter' };
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}
