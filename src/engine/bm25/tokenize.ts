// Words too common in code and prose to tell chunks apart.
const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'and',
  'or',
  'of',
  'to',
  'in',
  'is',
  'it',
  'for',
  'on',
  'with',
  'as',
  'be',
  'this',
  'that',
  'by',
  'at',
  'from',
  'if',
  'else',
  'return',
  'const',
  'let',
  'var',
  'new',
  'self',
  'def',
  'fn',
  'func',
  'function',
  'public',
  'private',
  'static',
  'void',
  'int',
  'true',
  'false',
  'null',
  'none',
]);

/** Longer identifiers (base64, hashes, minified runs) are not search terms. */
const MAX_WORD_CHARS = 64;

/**
 * Search terms of code or a query: identifiers split at camelCase, snake_case and digits,
 * lower-cased, plus the whole identifier when it had parts ("parseUrl" → parseurl, parse, url).
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+/g)) {
    const word = m[0];
    // a blob, not a name; splitting it at case changes would also cost its length squared
    if (word.length > MAX_WORD_CHARS) continue;
    const parts = word
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[\s_$]+/)
      .filter((p) => p.length > 1)
      .map((p) => p.toLowerCase());
    const whole = word.toLowerCase().replace(/^[_$]+|[_$]+$/g, '');
    if (parts.length > 1 && whole.length > 1 && !STOP_WORDS.has(whole)) out.push(whole);
    for (const p of parts) if (!STOP_WORDS.has(p)) out.push(p);
  }
  return out;
}

export function termCounts(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
