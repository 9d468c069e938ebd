import { fiveGramKey, foldUnit, trigramKey } from './trigram-bloom.ts';

/** What a file must contain for a regex to possibly match a line of it. */
export type TrigramQuery =
  | { op: 'all' }
  | { op: 'tri'; key: number }
  | { op: 'and'; parts: TrigramQuery[] }
  | { op: 'or'; parts: TrigramQuery[] };

const ALL: TrigramQuery = { op: 'all' };

function and(parts: TrigramQuery[]): TrigramQuery {
  const kept = parts.filter((p) => p.op !== 'all');
  if (kept.length === 0) return ALL;
  return kept.length === 1 ? kept[0]! : { op: 'and', parts: kept };
}

function or(parts: TrigramQuery[]): TrigramQuery {
  if (parts.some((p) => p.op === 'all')) return ALL;
  return parts.length === 1 ? parts[0]! : { op: 'or', parts };
}

/** A literal run as n-gram keys: 5-grams when long enough (sharper), else trigrams. */
function gramsOf(run: string): TrigramQuery {
  const f = (k: number) => foldUnit(run.charCodeAt(k));
  const parts: TrigramQuery[] = [];
  if (run.length >= 5) {
    for (let i = 0; i + 4 < run.length; i++) {
      parts.push({ op: 'tri', key: fiveGramKey(f(i), f(i + 1), f(i + 2), f(i + 3), f(i + 4)) });
    }
  } else {
    for (let i = 0; i + 2 < run.length; i++)
      parts.push({ op: 'tri', key: trigramKey(f(i), f(i + 1), f(i + 2)) });
  }
  return and(parts);
}

// Escapes that stand for one literal character.
const LITERAL_ESCAPES: Record<string, string> = { t: '\t', r: '\r', f: '\f', v: '\v' };

class Unsupported extends Error {}

/**
 * Parses the JS regex subset agents write and keeps only what is certain: runs of literal
 * characters that every match must contain. Anything unclear (classes, escapes, optional
 * parts, lookaround) contributes nothing, so the query never rules out a file that matches.
 */
export function requiredTrigrams(source: string, caseInsensitive: boolean): TrigramQuery {
  let pos = 0;
  const peek = () => source[pos];

  function quantifier(): { min: number } | undefined {
    const c = peek();
    let min: number;
    if (c === '*' || c === '?') {
      min = 0;
      pos++;
    } else if (c === '+') {
      min = 1;
      pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(pos));
      if (!m) return undefined;
      min = Number(m[1]);
      pos += m[0].length;
    } else {
      return undefined;
    }
    if (peek() === '?') pos++;
    return { min };
  }

  function skipClass(): void {
    pos++; // [
    if (peek() === '^') pos++;
    if (peek() === ']') pos++;
    while (pos < source.length && peek() !== ']') pos += peek() === '\\' ? 2 : 1;
    if (pos >= source.length) throw new Unsupported();
    pos++;
  }

  function alternation(): TrigramQuery {
    const branches = [concatenation()];
    while (peek() === '|') {
      pos++;
      branches.push(concatenation());
    }
    return or(branches);
  }

  function concatenation(): TrigramQuery {
    const ands: TrigramQuery[] = [];
    let run = '';
    const flush = () => {
      if (run.length >= 3) ands.push(gramsOf(run));
      run = '';
    };
    while (pos < source.length && peek() !== '|' && peek() !== ')') {
      const c = source[pos]!;
      let literal: string | undefined;
      let group: TrigramQuery | undefined;
      if (c === '(') {
        pos++;
        let lookaround = false;
        if (source.startsWith('?:', pos)) pos += 2;
        else if (/^\?<?[=!]/.test(source.slice(pos))) {
          lookaround = true;
          pos += source[pos + 1] === '<' ? 3 : 2;
        } else if (source.startsWith('?<', pos)) {
          const close = source.indexOf('>', pos);
          if (close === -1) throw new Unsupported();
          pos = close + 1;
        } else if (peek() === '?') throw new Unsupported();
        const inner = alternation();
        if (peek() !== ')') throw new Unsupported();
        pos++;
        group = lookaround ? ALL : inner;
      } else if (c === '[') {
        skipClass();
      } else if (c === '\\') {
        const e = source[pos + 1];
        if (e === undefined) throw new Unsupported();
        pos += 2;
        if (LITERAL_ESCAPES[e]) literal = LITERAL_ESCAPES[e];
        else if (/[^A-Za-z0-9]/.test(e)) literal = e;
        else if (e === 'p' || e === 'P' || e === 'u' || e === 'x' || e === 'k' || e === 'c') {
          // \p{..}, \u{..}, \k<..>: skip the braces so they are not read as literals
          if (peek() === '{' || peek() === '<') {
            const close = source.indexOf(peek() === '{' ? '}' : '>', pos);
            pos = close === -1 ? source.length : close + 1;
          }
        }
      } else if (c === '.' || c === '^' || c === '$') {
        pos++;
      } else if (c === '*' || c === '+' || c === '?') {
        throw new Unsupported();
      } else {
        pos++;
        literal = c;
      }
      const code = literal?.charCodeAt(0) ?? 0;
      // Surrogate halves can be quantified as one code point; non-ASCII folds differently under /i.
      if ((code >= 0xd800 && code <= 0xdfff) || (caseInsensitive && code >= 128)) literal = undefined;
      const q = quantifier();
      if (literal !== undefined) {
        if (!q) {
          run += literal;
          continue;
        }
        if (q.min >= 1) run += literal;
        flush();
      } else {
        flush();
        if (group && (!q || q.min >= 1)) ands.push(group);
      }
    }
    flush();
    return and(ands);
  }

  try {
    const q = alternation();
    return pos === source.length ? q : ALL;
  } catch (err) {
    if (err instanceof Unsupported) return ALL;
    throw err;
  }
}
