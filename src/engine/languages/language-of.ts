import type { GrammarId } from './grammars.ts';

/** File extension → language id. Ids with a grammar get tree-sitter; the rest the regex outline. */
export const EXTENSIONS = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  rake: 'ruby',
  php: 'php',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  scala: 'scala',
  sc: 'scala',
  kt: 'kotlin',
  kts: 'kotlin',
  swift: 'swift',
  dart: 'dart',
  lua: 'lua',
  pl: 'perl',
  pm: 'perl',
  r: 'r',
  ex: 'elixir',
  exs: 'elixir',
  zig: 'zig',
  md: 'markdown',
  mdx: 'markdown',
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  sql: 'sql',
  css: 'css',
  scss: 'css',
  html: 'html',
  vue: 'vue',
  svelte: 'svelte',
} as const;

const FILE_NAMES: Record<string, string> = {
  Makefile: 'make',
  Dockerfile: 'dockerfile',
  Rakefile: 'ruby',
  Gemfile: 'ruby',
  '.bashrc': 'bash',
  '.zshrc': 'bash',
};

const TREE_SITTER: ReadonlySet<string> = new Set<GrammarId>([
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'rust',
  'java',
  'c',
  'cpp',
  'csharp',
  'ruby',
  'php',
  'bash',
  'scala',
]);

/** The language of a file by its name, or undefined for plain text and unknown kinds. */
export function languageOf(relPath: string): string | undefined {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const byName = FILE_NAMES[base];
  if (byName) return byName;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = base.slice(dot + 1).toLowerCase();
  return (EXTENSIONS as Record<string, string>)[ext];
}

/** The grammar for a language id, if tree-sitter reads it. */
export function grammarOf(language: string | undefined): GrammarId | undefined {
  return language !== undefined && TREE_SITTER.has(language) ? (language as GrammarId) : undefined;
}

/** C headers that are really C++ (classes, namespaces, templates) parse with the C++ grammar. */
export function refineLanguage(
  language: string | undefined,
  relPath: string,
  text: string,
): string | undefined {
  if (language === 'c' && relPath.endsWith('.h') && /^\s*(class|namespace|template\s*<)\b/m.test(text))
    return 'cpp';
  return language;
}
