import type { Node } from 'web-tree-sitter';

/** A string literal's content without quotes. */
export function unquote(text: string): string {
  return text.replace(/^[rbuf]*(['"`]{1,3})([\s\S]*)\1$/i, '$2').replace(/^<(.*)>$/, '$1');
}

const MAX_SIGNATURE_CHARS = 240;
const MAX_INLINE_BODY_CHARS = 80;

/** One line, single spaces, no trailing `{` or `:`; long ones end in `…`. */
export function toSignature(raw: string): string {
  let sig = raw
    .replace(/\s+/g, ' ')
    .replace(/([([{<]) /g, '$1')
    .replace(/[,;]? ([)\]>}])/g, '$1')
    .replace(/ ,/g, ',')
    .replace(/([(<]) \| /g, '$1')
    .replace(/([:=,]) \| /g, '$1 ')
    .trim();
  sig = sig.replace(/\s*[{:=;]\s*$/, '');
  if (sig.length > MAX_SIGNATURE_CHARS) sig = `${sig.slice(0, MAX_SIGNATURE_CHARS - 1).trimEnd()}…`;
  return sig;
}

/** A body short enough to show in a signature, on one line, or undefined. */
export function shortBody(body: Node): string | undefined {
  const text = body.text.replace(/\s+/g, ' ').trim();
  return text.length <= MAX_INLINE_BODY_CHARS ? text : undefined;
}
