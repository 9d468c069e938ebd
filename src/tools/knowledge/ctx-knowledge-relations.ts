import { z } from 'zod';
import { RELATION_KINDS } from '../../store/knowledge.ts';
import { defineTool } from '../define-tool.ts';
import { categorySchema, keySchema } from './knowledge-limits.ts';
import { relationHandlers } from './relation-actions.ts';

const ACTIONS = {
  relate: relationHandlers.relate,
  unrelate: relationHandlers.unrelate,
  list: relationHandlers.relations,
  diagram: relationHandlers.relations_diagram,
} as const;

const WRITES = new Set(['relate', 'unrelate']);

/** The seeds' scope table names this tool: relation edges between knowledge facts, by key. */
export const ctxKnowledgeRelations = defineTool({
  name: 'ctx_knowledge_relations',
  description:
    'Relations between knowledge facts: relate category+key to another (to=category/key, relation), unrelate, list, or a Mermaid diagram.',
  scope: 'search',
  scopesFor: (args) => [WRITES.has(args.action) ? 'knowledge' : 'search'],
  readOnly: (args) => !WRITES.has(args.action),
  input: z
    .object({
      action: z.enum(['relate', 'unrelate', 'list', 'diagram']),
      category: categorySchema.optional(),
      key: keySchema.optional(),
      to: z.string().optional().describe('category/key'),
      relation: z.enum(RELATION_KINDS).optional(),
    })
    .superRefine((a, ctx) => {
      const need = (field: string, why: string) =>
        ctx.addIssue({ code: 'custom', path: [field], message: why });
      if (WRITES.has(a.action) && a.key === undefined) need('key', `required for action=${a.action}`);
      if (a.key !== undefined && a.category === undefined)
        need('category', 'a key is named with its category');
      if (a.action === 'relate' && a.to === undefined) need('to', 'required for action=relate');
    }),
  run: (args, ctx) => ACTIONS[args.action](args, ctx),
});
