import { z } from 'zod';
import { type FactRef, RELATION_KINDS } from '../../store/knowledge.ts';
import type { ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import {
  categorySchema,
  examplesSchema,
  isoTimeSchema,
  KNOWLEDGE_LIMITS,
  keySchema,
} from './knowledge-limits.ts';

export const KNOWLEDGE_ACTIONS = [
  'remember',
  'recall',
  'pattern',
  'feedback',
  'relate',
  'unrelate',
  'relations',
  'relations_diagram',
  'consolidate',
  'status',
  'health',
  'remove',
  'export',
  'import',
  'timeline',
  'search',
] as const;
export type Action = (typeof KNOWLEDGE_ACTIONS)[number];

/** Actions that change knowledge: they need the `knowledge` scope, the rest `search`. */
export const WRITES: ReadonlySet<Action> = new Set([
  'remember',
  'pattern',
  'feedback',
  'relate',
  'unrelate',
  'consolidate',
  'remove',
  'import',
]);

/** Arguments each action cannot do without. */
const NEEDS: Partial<Record<Action, readonly ('category' | 'key' | 'value' | 'query' | 'to')[]>> = {
  remember: ['category', 'key', 'value'],
  pattern: ['value'],
  feedback: ['category', 'key', 'value'],
  relate: ['category', 'key', 'to'],
  unrelate: ['category', 'key'],
  remove: ['category', 'key'],
  search: ['query'],
  import: ['value'],
};

export const knowledgeInput = z
  .object({
    action: z.enum(KNOWLEDGE_ACTIONS),
    category: categorySchema.optional(),
    key: keySchema.optional(),
    value: z
      .string()
      .max(KNOWLEDGE_LIMITS.importChars, `at most ${KNOWLEDGE_LIMITS.importChars} characters`)
      .optional()
      .describe('the fact; up|down for feedback; an export for import'),
    query: z.string().max(INPUT_LIMITS.taskChars, `at most ${INPUT_LIMITS.taskChars} characters`).optional(),
    to: z.string().optional().describe('relate target: category/key'),
    relation: z.enum(RELATION_KINDS).optional(),
    pattern_type: categorySchema.optional(),
    examples: examplesSchema.optional(),
    confidence: z.number().min(0).max(1).optional(),
    valid_from: isoTimeSchema.optional(),
    as_of: isoTimeSchema.optional(),
    limit: z.number().int().min(1).max(KNOWLEDGE_LIMITS.results).optional(),
    mode: z.enum(['auto', 'exact']).optional(),
    format: z.enum(['text', 'json']).optional(),
  })
  .superRefine((a, ctx) => {
    const need = (field: string, why = `required for action=${a.action}`) =>
      ctx.addIssue({ code: 'custom', path: [field], message: why });
    for (const field of NEEDS[a.action] ?? []) if (a[field] === undefined) need(field);
    if (a.action === 'pattern' && a.pattern_type === undefined && a.category === undefined)
      need('pattern_type');
    if (a.action === 'recall' && a.query === undefined && a.category === undefined) {
      need('query', 'recall needs a query (or a category to list)');
    }
    if (a.key !== undefined && a.category === undefined) need('category', 'a key is named with its category');
    const isFact = a.action === 'remember' || a.action === 'pattern';
    if (isFact && a.value !== undefined && a.value.length > KNOWLEDGE_LIMITS.valueChars) {
      need('value', `at most ${KNOWLEDGE_LIMITS.valueChars} characters for a fact`);
    }
    if (a.action === 'feedback' && a.value !== undefined && a.value !== 'up' && a.value !== 'down') {
      need('value', 'feedback is "up" or "down"');
    }
  });

export type Args = z.output<typeof knowledgeInput>;
export type Handler<A = Args> = (a: A, ctx: ToolContext) => Promise<string>;

export const nowIso = () => new Date().toISOString();
export const isoOf = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
export const refOf = (a: Pick<Args, 'category' | 'key'>): FactRef => ({
  category: a.category as string,
  key: a.key as string,
});
export const refOrNone = (a: Pick<Args, 'category' | 'key'>): FactRef | undefined =>
  a.key === undefined ? undefined : refOf(a);

export function changed(ctx: ToolContext, action: string, payload: Record<string, unknown>): void {
  ctx.emit('knowledge_changed', { action, ...payload });
}
