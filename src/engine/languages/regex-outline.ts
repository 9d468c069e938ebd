import { toSignature } from './node-text.ts';
import type { CodeSymbol, FileOutline, SymbolKind } from './types.ts';

const MODIFIERS = String.raw`(?:(?:export|default|pub(?:\([^)]*\))?|public|private|protected|internal|open|final|abstract|static|async|override|sealed|data|inline|suspend|local|extern|unsafe)\s+)*`;

const RULES: { re: RegExp; kind: SymbolKind }[] = [
  {
    re: new RegExp(
      String.raw`^\s*${MODIFIERS}(?:function|fn|def|func|fun|sub|proc|defp?|defmacro)\s+([\w$.!?]+)`,
    ),
    kind: 'function',
  },
  {
    re: new RegExp(String.raw`^\s*${MODIFIERS}(?:class|object|record|actor|extension)\s+([\w$]+)`),
    kind: 'class',
  },
  { re: new RegExp(String.raw`^\s*${MODIFIERS}(?:struct|union)\s+([\w$]+)`), kind: 'struct' },
  { re: new RegExp(String.raw`^\s*${MODIFIERS}(?:interface|protocol)\s+([\w$]+)`), kind: 'interface' },
  { re: new RegExp(String.raw`^\s*${MODIFIERS}(?:trait|mixin)\s+([\w$]+)`), kind: 'trait' },
  { re: new RegExp(String.raw`^\s*${MODIFIERS}enum\s+(?:class\s+)?([\w$]+)`), kind: 'enum' },
  { re: new RegExp(String.raw`^\s*${MODIFIERS}(?:type|typealias)\s+([\w$]+)`), kind: 'type' },
  {
    re: new RegExp(String.raw`^\s*${MODIFIERS}(?:module|namespace|package|defmodule)\s+([\w$.:]+)`),
    kind: 'module',
  },
  { re: new RegExp(String.raw`^${MODIFIERS}(?:const|let|val|var)\s+([\w$]+)`), kind: 'constant' },
];

const MARKDOWN_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const CONFIG_KEY = /^([A-Za-z_][\w.-]*)\s*[:=]/;
const CONFIG_SECTION = /^\[\[?([^\]]+)\]\]?\s*$/;
const IMPORT = /^\s*(?:import|from|use|using|require|include|#include|@import)\b\s*(.+?);?\s*$/;

function matchLine(
  line: string,
  language: string | undefined,
): { name: string; kind: SymbolKind } | undefined {
  if (language === 'markdown') {
    const m = MARKDOWN_HEADING.exec(line);
    return m?.[2] ? { name: m[2], kind: 'module' } : undefined;
  }
  if (language === 'yaml' || language === 'toml') {
    const section = CONFIG_SECTION.exec(line);
    if (section?.[1]) return { name: section[1], kind: 'module' };
    const key = CONFIG_KEY.exec(line);
    return key?.[1] ? { name: key[1], kind: 'field' } : undefined;
  }
  for (const rule of RULES) {
    const m = rule.re.exec(line);
    if (m?.[1]) return { name: m[1], kind: rule.kind };
  }
  return undefined;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

const CLOSER = /^\s*([}\])]|end\b)/;

/** A block runs until the code dedents; a closing `}`/`end` at the opener's indent is its last line. */
function blockEnd(lines: readonly string[], startLine: number): number {
  const indent = indentOf(lines[startLine - 1] ?? '');
  let end = startLine;
  for (let t = startLine; t < lines.length; t++) {
    const line = lines[t] ?? '';
    if (line.trim() === '') continue;
    const ind = indentOf(line);
    if (ind < indent) break;
    if (ind === indent) {
      if (CLOSER.test(line)) end = t + 1;
      break;
    }
    end = t + 1;
  }
  return end;
}

/** A markdown section runs until the next heading. */
function sectionEnd(symbols: readonly CodeSymbol[], index: number, lineCount: number): number {
  const next = symbols[index + 1];
  return next ? next.startLine - 1 : lineCount;
}

/** Signatures for any text file by line patterns: what is left when no grammar applies. */
export function regexOutline(text: string, language: string | undefined): FileOutline {
  const lines = text.split('\n');
  const symbols: CodeSymbol[] = [];
  const imports: string[] = [];
  const open: { symbol: CodeSymbol; indent: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const indent = indentOf(line);
    while (open.length > 0 && indent <= (open.at(-1)?.indent ?? 0) && !/^\s*[}\])]/.test(line)) {
      open.pop();
    }
    const imp = language !== 'markdown' && indent === 0 ? IMPORT.exec(line) : null;
    if (imp?.[1] && !imports.includes(imp[1])) imports.push(imp[1]);
    const hit = matchLine(line, language);
    if (!hit) continue;
    const parent = open.at(-1)?.symbol;
    const symbol: CodeSymbol = {
      name: hit.name,
      kind: parent && hit.kind === 'function' ? 'method' : hit.kind,
      signature: toSignature(line),
      startLine: i + 1,
      endLine: i + 1,
      exported: !/^\s*(private|local)\b/.test(line) && !hit.name.startsWith('_'),
    };
    if (parent && language !== 'markdown') symbol.parent = parent.name;
    symbols.push(symbol);
    if (language !== 'markdown') open.push({ symbol, indent });
  }
  for (const [s, cur] of symbols.entries())
    cur.endLine =
      language === 'markdown' ? sectionEnd(symbols, s, lines.length) : blockEnd(lines, cur.startLine);
  const exports = symbols.filter((s) => s.parent === undefined && s.exported).map((s) => s.name);
  return { language, symbols, imports, exports, parser: 'regex' };
}
