import { archiveOf } from '../archive.ts';
import { type MeasuredText, withSavingsFooter } from '../savings.ts';
import { countTokens } from '../tokens.ts';
import type { Workspace } from '../workspace.ts';
import type { SearchHit, SearchOutcome } from './types.ts';

const MAX_LINE_CHARS = 200;

const rawLine = (h: SearchHit) => `${h.path}:${h.line}:${h.text}`;

function shownLine(h: SearchHit): { line: string; cut: boolean } {
  const text = h.text.trim();
  if (text.length <= MAX_LINE_CHARS) return { line: `${h.path}:${h.line} ${text}`, cut: false };
  return {
    line: `${h.path}:${h.line} ${text.slice(0, MAX_LINE_CHARS)}…(+${text.length - MAX_LINE_CHARS} chars)`,
    cut: true,
  };
}

/**
 * The reply to a search: `path:line text` lines (indentation trimmed), a count line, and
 * when anything was left out (more hits, long lines) the archive id holding all of it.
 * Savings compare against ripgrep's plain output of the same shown hits only.
 */
export function formatHits(
  workspace: Workspace,
  outcome: SearchOutcome,
  opts: { pattern: string; maxResults: number; tool: string },
): MeasuredText | string {
  const { hits } = outcome;
  const files = new Set(hits.map((h) => h.path)).size;
  const secrets =
    outcome.secretsSkipped > 0 ? ` (${outcome.secretsSkipped} secret-looking files not searched)` : '';
  if (hits.length === 0) {
    return `0 matches for ${JSON.stringify(opts.pattern)} in ${outcome.filesSearched} files${secrets}`;
  }
  const shown = hits.slice(0, opts.maxResults);
  const lines = shown.map(shownLine);
  const anyCut = lines.some((l) => l.cut) || shown.length < hits.length || !outcome.complete;
  const total = outcome.complete ? `${hits.length}` : `at least ${hits.length}`;
  let summary =
    shown.length < hits.length
      ? `[${shown.length} of ${total} matches shown (${files} files)`
      : `[${total} matches in ${files} files`;
  if (anyCut) {
    const meta = archiveOf(workspace).put(hits.map(rawLine).join('\n'), opts.tool, opts.pattern, {
      countTokens: false,
    });
    summary += `; all ${hits.length}${lines.some((l) => l.cut) ? ', full lines' : ''}: ctx_expand id="${meta.id}"`;
  }
  if (!outcome.complete) summary += '; stopped counting, narrow the pattern or path';
  summary += `]${secrets}`;
  const body = `${lines.map((l) => l.line).join('\n')}\n${summary}`;
  const baseline = shown.map(rawLine).join('\n');
  return withSavingsFooter(body, countTokens(baseline));
}
