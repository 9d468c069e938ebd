import { AppError, ToolError } from '../../errors.ts';
import type { FactRef } from '../../store/knowledge.ts';
import { refText, relationLine, relationsDiagram } from './format-facts.ts';
import { type Args, changed, type Handler, nowIso, refOf, refOrNone } from './knowledge-input.ts';
import { categorySchema, keySchema } from './knowledge-limits.ts';

/** What the relation actions read: the fact (category, key), the other end, the kind. */
export type RelationArgs = Pick<Args, 'category' | 'key' | 'to' | 'relation'>;

/** `category/key` of `to`, checked like the fact's own. */
function parseTo(to: string): FactRef {
  const at = to.indexOf('/');
  const ref = { category: to.slice(0, at), key: to.slice(at + 1) };
  const ok = at > 0 && categorySchema.safeParse(ref.category).success && keySchema.safeParse(ref.key).success;
  if (!ok) {
    throw new AppError('invalid_arguments', `to: "${to}" is not category/key (e.g. architecture/database)`, {
      issues: [{ path: 'to', message: 'give category/key' }],
    });
  }
  return ref;
}

/** Relations between keys: shared by ctx_knowledge and ctx_knowledge_relations. */
export const relationHandlers: Record<
  'relate' | 'unrelate' | 'relations' | 'relations_diagram',
  Handler<RelationArgs>
> = {
  async relate(a, ctx) {
    const from = refOf(a);
    const to = parseTo(a.to as string);
    for (const end of [from, to]) {
      if (!(await ctx.store.knowledge.current(ctx.workspace.id, end))) {
        throw new ToolError(`no current fact ${refText(end)}; remember it first`);
      }
    }
    const kind = a.relation ?? 'related_to';
    const r = await ctx.store.knowledge.relate(
      { workspaceId: ctx.workspace.id, from, to, kind, source: ctx.agentId },
      nowIso(),
    );
    changed(ctx, 'relate', { category: from.category, key: from.key, to: refText(to), relation: kind });
    return `related ${relationLine(r)}`;
  },

  async unrelate(a, ctx) {
    const from = refOf(a);
    const n = await ctx.store.knowledge.unrelate(
      ctx.workspace.id,
      from,
      a.to === undefined ? undefined : parseTo(a.to),
      a.relation,
    );
    if (n > 0) changed(ctx, 'unrelate', { category: from.category, key: from.key, count: n });
    return `removed ${n} relation${n === 1 ? '' : 's'} from ${refText(from)}`;
  },

  async relations(a, ctx) {
    const rels = await ctx.store.knowledge.relations(ctx.workspace.id, refOrNone(a));
    if (rels.length === 0) return `no relations${a.key ? ` of ${refText(refOf(a))}` : ''}`;
    return [`${rels.length} relations:`, ...rels.map(relationLine)].join('\n');
  },

  async relations_diagram(a, ctx) {
    const rels = await ctx.store.knowledge.relations(ctx.workspace.id, refOrNone(a));
    return rels.length === 0 ? 'no relations to draw' : relationsDiagram(rels);
  },
};
