import type { CodeSymbol } from '../languages/index.ts';

/** Shorter than this, a back-reference would not save anything worth its reading cost. */
const MIN_REPEATED_CHARS = 40;

/** `[start, end)` of the `<…>` right after `name` in `sig`, `=>` arrows not counted as closers. */
function typeParamSpan(sig: string, name: string): [number, number] | undefined {
  let at = sig.indexOf(`${name}<`);
  while (at > 0 && /[\w$]/.test(sig[at - 1] as string)) at = sig.indexOf(`${name}<`, at + 1);
  if (at < 0) return undefined;
  const start = at + name.length;
  let depth = 0;
  for (let i = start; i < sig.length; i++) {
    const ch = sig[i];
    if (ch === '<') depth++;
    else if (ch === '>' && sig[i - 1] !== '=') {
      depth--;
      if (depth === 0) return [start, i + 1];
    }
  }
  return undefined;
}

const qualified = (s: CodeSymbol) => (s.parent ? `${s.parent}.${s.name}` : s.name);

/**
 * Folds what a file's signature view repeats word for word: a long type parameter list shown
 * for an earlier definition becomes `<…as in Name>` (`<…as above>` for an overload), and a
 * long member signature already shown under another class becomes `name(…as in Class.name)`.
 */
export function createRepeatFolder(): (symbol: CodeSymbol) => string {
  const typeParams = new Map<string, CodeSymbol>();
  const whole = new Map<string, CodeSymbol>();
  return (symbol) => {
    let sig = symbol.signature;
    const first = whole.get(sig);
    const call = sig.indexOf(`${symbol.name}(`);
    if (
      first &&
      first.parent !== symbol.parent &&
      symbol.parent &&
      sig.length >= MIN_REPEATED_CHARS &&
      call >= 0
    ) {
      return `${sig.slice(0, call + symbol.name.length)}(…as in ${qualified(first)})`;
    }
    if (!first) whole.set(sig, symbol);
    const span = typeParamSpan(sig, symbol.name);
    if (span && span[1] - span[0] >= MIN_REPEATED_CHARS) {
      const params = sig.slice(span[0], span[1]);
      const owner = typeParams.get(params);
      if (!owner) typeParams.set(params, symbol);
      else {
        const ref = owner.name === symbol.name ? 'above' : `in ${qualified(owner)}`;
        sig = `${sig.slice(0, span[0])}<…as ${ref}>${sig.slice(span[1])}`;
      }
    }
    return sig;
  };
}
