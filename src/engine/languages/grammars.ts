import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

/** Where each language's grammar lives: the npm package and the .wasm file inside it. */
export const GRAMMARS = {
  typescript: { pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-typescript.wasm' },
  tsx: { pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-tsx.wasm' },
  javascript: { pkg: 'tree-sitter-javascript', wasm: 'tree-sitter-javascript.wasm' },
  python: { pkg: 'tree-sitter-python', wasm: 'tree-sitter-python.wasm' },
  go: { pkg: 'tree-sitter-go', wasm: 'tree-sitter-go.wasm' },
  rust: { pkg: 'tree-sitter-rust', wasm: 'tree-sitter-rust.wasm' },
  java: { pkg: 'tree-sitter-java', wasm: 'tree-sitter-java.wasm' },
  c: { pkg: 'tree-sitter-c', wasm: 'tree-sitter-c.wasm' },
  cpp: { pkg: 'tree-sitter-cpp', wasm: 'tree-sitter-cpp.wasm' },
  csharp: { pkg: 'tree-sitter-c-sharp', wasm: 'tree-sitter-c_sharp.wasm' },
  ruby: { pkg: 'tree-sitter-ruby', wasm: 'tree-sitter-ruby.wasm' },
  php: { pkg: 'tree-sitter-php', wasm: 'tree-sitter-php.wasm' },
  bash: { pkg: 'tree-sitter-bash', wasm: 'tree-sitter-bash.wasm' },
  scala: { pkg: 'tree-sitter-scala', wasm: 'tree-sitter-scala.wasm' },
} as const;

export type GrammarId = keyof typeof GRAMMARS;

const require = createRequire(import.meta.url);

/** Absolute path of a grammar's .wasm, resolved through its package. */
export function grammarWasmPath(id: GrammarId): string {
  const g = GRAMMARS[id];
  return join(dirname(require.resolve(`${g.pkg}/package.json`)), g.wasm);
}

/** Absolute path of a file shipped in a grammar package (e.g. queries/tags.scm). */
export function grammarFilePath(id: GrammarId, rel: string): string {
  return join(dirname(require.resolve(`${GRAMMARS[id].pkg}/package.json`)), rel);
}

/**
 * Loaded languages are immutable and shared by the process: loading a grammar costs tens of
 * milliseconds, and nothing request-specific lives in them.
 */
const loaded = new Map<GrammarId, Promise<Language>>();
let runtime: Promise<void> | undefined;

export function loadLanguage(id: GrammarId): Promise<Language> {
  let lang = loaded.get(id);
  if (!lang) {
    runtime ??= Parser.init();
    lang = runtime.then(() => Language.load(grammarWasmPath(id)));
    // a failed load may be retried by a later call
    lang.catch(() => loaded.delete(id));
    loaded.set(id, lang);
  }
  return lang;
}

/** A parser for one language. Parsing is synchronous, so a caller owns it for one parse. */
export async function createParser(id: GrammarId): Promise<Parser> {
  const language = await loadLanguage(id);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
