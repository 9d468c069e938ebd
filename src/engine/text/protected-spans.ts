/**
 * Spans of prose that filler stripping must keep byte for byte: inline code, URLs, paths,
 * numbers and identifiers. They are swapped for placeholders before any phrase is removed
 * and swapped back after, so no rule can touch them.
 */

const PLACEHOLDER = /\uE000(\d+)\uE001/g;

// One alternation, each branch linear: inline code, URLs, e-mail-like handles, paths,
// identifiers with case changes, underscores, digits or dots, plain numbers.
const SPAN = new RegExp(
  [
    '`[^`\\n]*`',
    '\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s<>()"\'`]+',
    '(?:~|\\.{1,2})?(?:/[\\w.@+-]+)+/?',
    '\\b[\\w.@+-]+(?:/[\\w.@+-]+)+/?',
    '\\b[\\w-]+\\.[A-Za-z][\\w]{0,9}\\b',
    '[$]?\\b[A-Za-z_][\\w$]*(?:[A-Z_0-9][\\w$]*|\\(\\))',
    '[-+]?\\b\\d[\\d,._:]*(?:[a-zA-Z%]{1,4})?\\b',
    '--?[a-z][\\w-]*',
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
