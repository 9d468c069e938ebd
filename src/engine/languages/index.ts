export { GRAMMARS, type GrammarId, grammarFilePath, loadLanguage } from './grammars.ts';
export { grammarOf, languageOf } from './language-of.ts';
export { MAX_PARSE_CHARS, outlineFile } from './outline-file.ts';
export { regexOutline } from './regex-outline.ts';
export type { CodeSymbol, FileOutline, SymbolKind } from './types.ts';
export { SYMBOL_KINDS } from './types.ts';
