import { z } from 'zod';
import { canonicalJson } from '../audit/canonical-json.ts';
import { contentHash } from './export-format.ts';
import { SESSION_LIMITS } from './limits.ts';

const text = z.string().max(SESSION_LIMITS.valueChars);
const noted = z.strictObject({ text, agent: z.string().max(64) });

/** What one agent leaves for the next: the task, decisions, findings, workflow and files by hash. */
export const handoffLedgerSchema = z.strictObject({
  format: z.literal('leanctx.handoff/1'),
  createdAt: z.iso.datetime(),
  workspaceId: z.string().max(64),
  channelId: z.string().max(128),
  from: z.string().max(64),
  to: z.string().max(64).nullable(),
  note: text.nullable(),
  task: text.nullable(),
  decisions: z.array(noted).max(20),
  findings: z.array(noted.extend({ file: z.string().max(1024).nullable() })).max(20),
  workflow: z
    .strictObject({
      spec: z.record(z.string(), z.unknown()),
      state: z.string().max(64),
      evidence: z.record(z.string().max(SESSION_LIMITS.idChars), text),
    })
    .nullable(),
  files: z
    .array(
      z.strictObject({
        path: z.string().max(1024),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        lines: z.number(),
      }),
    )
    .max(SESSION_LIMITS.paths),
});

export type HandoffLedger = z.output<typeof handoffLedgerSchema>;

export const handoffExportSchema = z.strictObject({
  format: z.literal('leanctx.handoff-export/1'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content: handoffLedgerSchema,
});

/** Decisions and findings a ledger carries: the latest of each. */
export const LEDGER_NOTES = 10;

/** A ledger's id is the start of its content hash: the same ledger, the same id. */
export function ledgerId(ledger: HandoffLedger): string {
  return contentHash(ledger).slice(0, 16);
}

export function ledgerJson(ledger: HandoffLedger): string {
  return canonicalJson(ledger);
}

export function toHandoffExport(ledger: HandoffLedger): z.output<typeof handoffExportSchema> {
  return { format: 'leanctx.handoff-export/1', sha256: contentHash(ledger), content: ledger };
}
