import type { Node } from 'web-tree-sitter';

/** The text of a named field, if the node has it. */
export function fieldText(node: Node, field: string): string | undefined {
  return node.childForFieldName(field)?.text;
}

export function hasChild(node: Node, type: string): boolean {
  return node.children.some((c) => c?.type === type);
}

/** A child of one of these types, first in source order. */
export function childOfType(node: Node, ...types: string[]): Node | undefined {
  return node.namedChildren.find((c) => c !== null && types.includes(c.type)) ?? undefined;
}

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
