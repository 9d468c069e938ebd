/**
 * Spans of prose that filler stripping must keep byte for byte: inline code, URLs, paths,
 * numbers and identifiers. They are swapped for placeholders before any phrase is removed
 * and swapped back after, so no rule can touch them.
 */

const PLACEHOLDER = /\uE000(\d+)\uE001/g;

// One alternation: inline code, URLs, paths, file names, identifiers with case changes,
// underscores, digits or a call, numbers, flags. Every repeat is bounded, so a hostile
// line ("a-a-a-…", one 200 KB word) costs its length times a constant, not its square.
const SPAN = new RegExp(
  [
    '`[^`\\n]{0,2000}`',
    '\\b[a-zA-Z][a-zA-Z0-9+.-]{0,30}://[^\\s<>()"\'`]{1,2000}',
    '(?:~|\\.{1,2})?(?:/[\\w.@+-]{1,255}){1,64}/?',
    '\\b[\\w.@+-]{1,255}(?:/[\\w.@+-]{1,255}){1,64}/?',
    '\\b[\\w-]{1,255}\\.[A-Za-z]\\w{0,9}\\b',
    '[$]?\\b[A-Za-z_][\\w$]{0,255}(?:[A-Z_0-9][\\w$]{0,255}|\\(\\))',
    '[-+]?\\b\\d[\\d,._:]{0,64}(?:[a-zA-Z%]{1,4})?\\b',
    '--?[a-z][\\w-]{0,255}',
  ].join('|'),
  'g',
);

export interface MaskedText {
  text: string;
  spans: string[];
}

/** Prose with every protected span replaced by a placeholder. */
export function maskSpans(prose: string): MaskedText {
  const spans: string[] = [];
  const text = prose.replace(SPAN, (m) => {
    spans.push(m);
    return `\uE000${spans.length - 1}\uE001`;
  });
  return { text, spans };
}

/** The placeholders put back. */
export function unmaskSpans(text: string, spans: readonly string[]): string {
  return text.replace(PLACEHOLDER, (_, i: string) => spans[Number(i)] ?? '');
}

/** Whether a (masked) piece of prose holds a protected span. */
export const holdsSpan = (masked: string): boolean => masked.includes('\uE000');

/** Every protected span of a prose text, in order (tests use it to check none was lost). */
export function protectedSpansOf(prose: string): string[] {
  return maskSpans(prose).spans;
}
