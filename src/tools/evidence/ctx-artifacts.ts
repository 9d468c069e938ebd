import { z } from 'zod';
import {
  type ArtifactHit,
  type ArtifactInfo,
  artifactsOf,
  type IndexReport,
} from '../../engine/artifacts/artifact-registry.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';

const READ_ACTIONS = new Set(['list', 'status', 'search']);

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ToolError(what);
  return value;
}

function formatList(items: ArtifactInfo[]): string {
  if (items.length === 0)
    return 'no artifacts registered; action=index path="docs" registers the documents under docs/';
  const lines = [`${items.length} artifacts:`];
  for (const a of items) {
    lines.push(
      `- ${a.path}${a.name !== a.path.split('/').pop() ? ` "${a.name}"` : ''}: ${a.bytes} B, ${a.chunks} chunks, ${a.state}`,
    );
  }
  return lines.join('\n');
}

function formatStatus(items: ArtifactInfo[]): Record<string, number> {
  return {
    artifacts: items.length,
    chunks: items.reduce((n, a) => n + a.chunks, 0),
    bytes: items.reduce((n, a) => n + a.bytes, 0),
    fresh: items.filter((a) => a.state === 'fresh').length,
    changed: items.filter((a) => a.state === 'changed').length,
    missing: items.filter((a) => a.state === 'missing').length,
  };
}

function formatReport(action: string, r: IndexReport): string {
  const parts = [
    `${action}: ${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.removed.length} removed (missing), ${r.skipped.length} skipped`,
  ];
  for (const p of r.added.slice(0, 50)) parts.push(`+ ${p}`);
  for (const p of r.updated.slice(0, 50)) parts.push(`~ ${p}`);
  for (const p of r.removed.slice(0, 50)) parts.push(`- ${p} (gone from disk)`);
  for (const s of r.skipped.slice(0, 50)) parts.push(`! ${s.path}: ${s.reason}`);
  return parts.join('\n');
}

function formatHits(query: string, hits: ArtifactHit[], stale: number): string {
  if (hits.length === 0) return `no registered document matches "${query}"`;
  const lines = [`${hits.length} sections for "${query}":`];
  for (const h of hits) {
    lines.push(`${h.path}:${h.startLine}-${h.endLine} [${h.section}] score ${h.score}`);
    if (h.preview) lines.push(`  ${h.preview}`);
  }
  if (stale > 0)
    lines.push(`(${stale} of these documents changed since indexed; action=reindex refreshes them)`);
  return lines.join('\n');
}

export const ctxArtifacts = defineTool({
  name: 'ctx_artifacts',
  description:
    'Register documents of the workspace (docs, ADRs, specs) and search them with BM25 by section. action: list|status|index|reindex|search|remove.',
  scope: 'artifacts',
  scopesFor: (args) => (READ_ACTIONS.has(args.action) ? ['artifacts'] : ['artifacts', 'index']),
  readOnly: (args) => READ_ACTIONS.has(args.action),
  input: z.object({
    action: z.enum(['list', 'status', 'index', 'reindex', 'search', 'remove']),
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(
        'index: a document or a directory of documents (default: the whole workspace); remove/reindex: which one',
      ),
    name: z
      .string()
      .min(1)
      .max(INPUT_LIMITS.nameChars)
      .optional()
      .describe('A label for one document (index), or which one (remove/reindex)'),
    query: z.string().min(1).max(INPUT_LIMITS.taskChars).optional(),
    top_k: z.number().int().min(1).max(50).default(10),
    format: z.enum(['markdown', 'json']).default('markdown'),
  }),
  async run(args, ctx) {
    const registry = artifactsOf(ctx.workspace);
    const json = args.format === 'json';
    const answer = (data: unknown, text: () => string) => (json ? JSON.stringify(data, null, 2) : text());
    switch (args.action) {
      case 'list': {
        const items = await registry.list();
        return answer({ artifacts: items }, () => formatList(items));
      }
      case 'status': {
        const status = formatStatus(await registry.list());
        return answer(
          status,
          () =>
            `${status.artifacts} artifacts, ${status.chunks} chunks, ${status.bytes} bytes; ${status.fresh} fresh, ${status.changed} changed, ${status.missing} missing`,
        );
      }
      case 'index': {
        const report = await registry.index(args.path ?? '', { name: args.name, signal: ctx.signal });
        if (report.added.length + report.updated.length > 0) {
          ctx.emit('artifact_stored', { added: report.added.length, updated: report.updated.length });
        }
        return answer(report, () => formatReport('index', report));
      }
      case 'reindex': {
        const report = await registry.reindex(args.path ?? args.name, ctx.signal);
        return answer(report, () => formatReport('reindex', report));
      }
      case 'search': {
        const query = need(
          args.query,
          'action=search needs query (words to look for in the registered documents)',
        );
        const { hits, stale } = await registry.search(query, args.top_k, ctx.signal);
        return answer({ query, hits, stale }, () => formatHits(query, hits, stale));
      }
      case 'remove': {
        const which = need(
          args.path ?? args.name,
          'action=remove needs path or name of a registered document',
        );
        const gone = await registry.remove(which);
        return answer({ removed: gone }, () => `removed ${gone.join(', ')}`);
      }
    }
  },
});
