import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { FACT_KINDS, type KnowledgeDump, RELATION_KINDS } from '../../store/knowledge.ts';
import {
  categorySchema,
  examplesSchema,
  KNOWLEDGE_LIMITS,
  keySchema,
  valueSchema,
} from './knowledge-limits.ts';

export const DUMP_FORMAT = 'leanctx.knowledge';

const time = z.iso.datetime();
const id = z.number().int().positive();
const count = z.number().int().min(0);

const factSchema = z.strictObject({
  id,
  kind: z.enum(FACT_KINDS),
  category: categorySchema,
  key: keySchema,
  value: valueSchema,
  examples: examplesSchema,
  confidence: z.number().min(0).max(1),
  validFrom: time,
  validUntil: time.nullable(),
  recordedAt: time,
  closedAt: time.nullable(),
  removedAt: time.nullable(),
  supersedes: id.nullable(),
  supersededBy: id.nullable(),
  source: z.string().min(1).max(128),
  confirmations: z.number().int().min(1),
  lastConfirmed: time,
  feedbackUp: count,
  feedbackDown: count,
  retrievals: count,
});

const refSchema = z.strictObject({ category: categorySchema, key: keySchema });

const relationSchema = z.strictObject({
  from: refSchema,
  to: refSchema,
  kind: z.enum(RELATION_KINDS),
  source: z.string().min(1).max(128),
  createdAt: time,
  lastSeen: time,
  count: z.number().int().min(1),
});

const dumpSchema = z
  .strictObject({
    format: z.literal(DUMP_FORMAT),
    version: z.literal(1),
    workspaceId: z.string(),
    exportedAt: time,
    facts: z.array(factSchema).max(KNOWLEDGE_LIMITS.transferFacts),
    relations: z.array(relationSchema).max(KNOWLEDGE_LIMITS.transferFacts),
  })
  .superRefine((dump, ctx) => {
    const byId = new Map(dump.facts.map((f) => [f.id, f]));
    const latest = new Set<string>();
    dump.facts.forEach((f, i) => {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['facts', i], message });
      if (byId.get(f.id) !== f) issue(`id ${f.id} appears twice`);
      const prev = f.supersedes === null ? undefined : byId.get(f.supersedes);
      if (f.supersedes !== null && (prev?.supersededBy !== f.id || prev.key !== f.key)) {
        issue(`supersedes #${f.supersedes}, which is not in the export as this key's previous version`);
      }
      const next = f.supersededBy === null ? undefined : byId.get(f.supersededBy);
      if (f.supersededBy !== null && next?.supersedes !== f.id) {
        issue(`superseded by #${f.supersededBy}, which is not in the export as this key's next version`);
      }
      if (f.supersededBy === null && f.removedAt === null) {
        const k = `${f.category}\u0000${f.key}`;
        if (latest.has(k)) issue(`a second current value for [${f.category}] ${f.key}`);
        latest.add(k);
      }
    });
  });

export interface DumpHeader {
  workspaceId: string;
  exportedAt: string;
}

/** The JSON text `export` answers and `import` takes. */
export function toDumpText(header: DumpHeader, dump: KnowledgeDump): string {
  const facts = dump.facts.map(({ workspaceId: _, ...f }) => f);
  const relations = dump.relations.map(({ workspaceId: _, ...r }) => r);
  return JSON.stringify({ format: DUMP_FORMAT, version: 1, ...header, facts, relations });
}

/**
 * Parses an export for `import`, strictly and whole: a malformed one is refused with every
 * problem's path, before anything is applied.
 */
export function parseDumpText(text: string): KnowledgeDump {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'invalid_arguments',
      `value: not JSON (${(err as Error).message}); give the text export answered`,
      {
        issues: [{ path: 'value', message: 'not JSON' }],
      },
    );
  }
  const parsed = dumpSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 20).map((issue) => ({
      path: ['value', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new AppError(
      'invalid_arguments',
      `value is not a ${DUMP_FORMAT} export; nothing was imported: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return {
    facts: parsed.data.facts.map((f) => ({ ...f, workspaceId: '' })),
    relations: parsed.data.relations.map((r) => ({ ...r, workspaceId: '' })),
  };
}
