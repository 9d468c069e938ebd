import type { Chunk } from './chunk-file.ts';
import { termCounts, tokenize } from './tokenize.ts';

/** Heading and path terms count this many times over body terms. */
const TITLE_WEIGHT = 3;
/** A section longer than this is split into parts of this many lines. */
const MAX_SECTION_LINES = 80;
/** Characters of a section's text kept to show in a search hit. */
export const PREVIEW_CHARS = 200;

export interface DocumentChunks {
  chunks: Chunk[];
  /** One line of text per chunk, same order: what a search hit shows. */
  previews: string[];
}

/** Files chunked as prose by heading; everything else goes by fixed line windows. */
export const isMarkdownPath = (rel: string) => /\.(?:md|mdx|markdown|mdc)$/i.test(rel);

function previewOf(lines: readonly string[]): string {
  const text = lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^#{1,6}\s/.test(l) && !/^(?:```|~~~)/.test(l))
    .join(' ');
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/**
 * A document split for BM25: Markdown by heading (a section is titled by its heading
 * trail, "Setup > Docker"), other text in windows of lines; long sections in parts.
 * Headings inside code fences are not headings.
 */
export function chunkDocument(rel: string, text: string): DocumentChunks {
  const lines = text.split('\n');
  const pathTerms = tokenize(rel.replace(/\.[^./]+$/, ''));
  const sections: { title: string; start: number; end: number }[] = [];
  const trail: string[] = [];
  let current = { title: '(top)', start: 1, end: 0 };
  let fence: string | undefined;
  const markdown = isMarkdownPath(rel);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (open) fence = fence === undefined ? open[1] : line.trim().startsWith(fence) ? undefined : fence;
    const heading = markdown && fence === undefined && !open ? /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line) : null;
    if (heading) {
      if (current.end >= current.start) sections.push(current);
      trail.length = Math.min(trail.length, heading[1]!.length - 1);
      trail[heading[1]!.length - 1] = heading[2]!;
      current = { title: trail.filter(Boolean).join(' > '), start: i + 1, end: i + 1 };
      continue;
    }
    current.end = i + 1;
  }
  if (current.end >= current.start) sections.push(current);

  const chunks: Chunk[] = [];
  const previews: string[] = [];
  for (const s of sections) {
    for (let from = s.start; from <= s.end; from += MAX_SECTION_LINES) {
      const to = Math.min(s.end, from + MAX_SECTION_LINES - 1);
      const body = lines.slice(from - 1, to);
      if (body.every((l) => l.trim() === '')) continue;
      const terms = tokenize(body.join('\n'));
      const titleTerms = [...tokenize(s.title === '(top)' ? '' : s.title), ...pathTerms];
      for (let k = 0; k < TITLE_WEIGHT; k++) terms.push(...titleTerms);
      chunks.push({
        path: rel,
        symbol: s.title,
        kind: markdown ? 'section' : 'text',
        startLine: from,
        endLine: to,
        terms: termCounts(terms),
        length: terms.length,
      });
      previews.push(previewOf(body));
    }
  }
  return { chunks, previews };
}
