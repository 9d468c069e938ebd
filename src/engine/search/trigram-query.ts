import { exactFiveGramKey, exactUnit, fiveGramKey, foldUnit, trigramKey } from './trigram-bloom.ts';

/** What a file must contain for a regex to possibly match a line of it. */
export type TrigramQuery =
  | { op: 'all' }
  | { op: 'tri'; key: number }
  | { op: 'and'; parts: TrigramQuery[] }
  | { op: 'or'; parts: TrigramQuery[] };

const ALL = { op: 'all' } as const;

/** The parse before runs become n-grams: a `lit` is a run of characters every match contains. */
type RequiredParts =
  | { op: 'all' }
  | { op: 'lit'; run: string }
  | { op: 'and'; parts: RequiredParts[] }
  | { op: 'or'; parts: RequiredParts[] };

function and(parts: RequiredParts[]): RequiredParts {
  const kept = parts.filter((p) => p.op !== 'all');
  if (kept.length === 0) return ALL;
  return kept.length === 1 ? kept[0]! : { op: 'and', parts: kept };
}

function or(parts: RequiredParts[]): RequiredParts {
  if (parts.some((p) => p.op === 'all')) return ALL;
  return parts.length === 1 ? parts[0]! : { op: 'or', parts };
}

/**
 * A literal run as n-gram keys: 5-grams when long enough (sharper), else trigrams. A
 * case-sensitive 5-gram with an upper-case letter uses the exact key, which rarer text holds.
 */
function gramsOf(run: string, caseInsensitive: boolean): TrigramQuery {
  const f = (k: number) => foldUnit(run.charCodeAt(k));
  const x = (k: number) => exactUnit(run.charCodeAt(k));
  const parts: TrigramQuery[] = [];
  if (run.length >= 5) {
    for (let i = 0; i + 4 < run.length; i++) {
      let exact = false;
      for (let k = i; k < i + 5; k++) if (f(k) !== x(k)) exact = !caseInsensitive;
      const key = exact
        ? exactFiveGramKey(x(i), x(i + 1), x(i + 2), x(i + 3), x(i + 4))
        : fiveGramKey(f(i), f(i + 1), f(i + 2), f(i + 3), f(i + 4));
      parts.push({ op: 'tri', key });
    }
  } else {
    for (let i = 0; i + 2 < run.length; i++)
      parts.push({ op: 'tri', key: trigramKey(f(i), f(i + 1), f(i + 2)) });
  }
  return parts.length === 1 ? parts[0]! : { op: 'and', parts };
}

/** `and`/`or` of the parse never hold `all`, so their n-gram forms need no simplifying. */
function toGrams(q: RequiredParts, caseInsensitive: boolean): TrigramQuery {
  switch (q.op) {
    case 'all':
      return ALL;
    case 'lit':
      return gramsOf(q.run, caseInsensitive);
    case 'and':
    case 'or':
      return { op: q.op, parts: q.parts.map((p) => toGrams(p, caseInsensitive)) };
  }
}

function runsOf(q: RequiredParts): string[] {
  if (q.op === 'lit') return [q.run];
  return q.op === 'and' ? q.parts.flatMap(runsOf) : [];
}

// Escapes that stand for one literal character.
const LITERAL_ESCAPES: Record<string, string> = { t: '\t', r: '\r', f: '\f', v: '\v' };

class Unsupported extends Error {}

/**
 * Parses the regex subset agents write (RE2 syntax) and keeps only what is certain: runs of literal
 * characters that every match must contain. Anything unclear (classes, escapes, optional
 * parts, lookaround) contributes nothing, so the query never rules out a file that matches.
 */
export function requiredTrigrams(source: string, caseInsensitive: boolean): TrigramQuery {
  return toGrams(requiredParts(source, caseInsensitive), caseInsensitive);
}

/**
 * Literal runs (three characters or more) that every match contains exactly, longest first:
 * a line without them cannot match. Empty for case-insensitive patterns.
 */
export function requiredLiterals(source: string, caseInsensitive: boolean): string[] {
  if (caseInsensitive) return [];
  return [...new Set(runsOf(requiredParts(source, false)))].sort((a, b) => b.length - a.length);
}

function requiredParts(source: string, caseInsensitive: boolean): RequiredParts {
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
    while (pos < source.length && peek() !== ']') {
      if (source.startsWith('[:', pos)) {
        // a POSIX class inside the class: [[:alpha:]_]
        const close = source.indexOf(':]', pos + 2);
        if (close === -1) throw new Unsupported();
        pos = close + 2;
      } else pos += peek() === '\\' ? 2 : 1;
    }
    if (pos >= source.length) throw new Unsupported();
    pos++;
  }

  function alternation(): RequiredParts {
    const branches = [concatenation()];
    while (peek() === '|') {
      pos++;
      branches.push(concatenation());
    }
    return or(branches);
  }

  function concatenation(): RequiredParts {
    const ands: RequiredParts[] = [];
    let run = '';
    const flush = () => {
      if (run.length >= 3) ands.push({ op: 'lit', run });
      run = '';
    };
    while (pos < source.length && peek() !== '|' && peek() !== ')') {
      const c = source[pos]!;
      let literal: string | undefined;
      let group: RequiredParts | undefined;
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
        else if (e === 'Q') throw new Unsupported();
        else if (e === 'p' || e === 'P' || e === 'u' || e === 'x' || e === 'k' || e === 'c') {
          // \p{..}, \x{..}, \k<..>: skip the braces so they are not read as literals
          if (peek() === '{' || peek() === '<') {
            const close = source.indexOf(peek() === '{' ? '}' : '>', pos);
            pos = close === -1 ? source.length : close + 1;
          } else {
            // \pL, \x41, \u0041, \cA: a fixed number of characters that are not literals
            pos += e === 'x' ? 2 : e === 'u' ? 4 : 1;
          }
        } else if (e >= '0' && e <= '7') {
          while ((peek() ?? '') >= '0' && (peek() ?? '') <= '7') pos++;
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
