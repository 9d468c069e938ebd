import { z } from 'zod';

/** Sizes ctx_knowledge accepts (README: Knowledge); longer input is refused naming the limit. */
export const KNOWLEDGE_LIMITS = {
  categoryChars: 64,
  keyChars: 256,
  valueChars: 4096,
  examples: 10,
  exampleChars: 1000,
  /** Results of recall, search and timeline. */
  results: 50,
  /** Fact versions (current, closed and removed) one workspace keeps. */
  factsPerWorkspace: 50_000,
  /** Fact versions in one export or import: one import's transaction holds the event loop well under 100 ms. */
  transferFacts: 1000,
  /** Characters of an import (the export's JSON text). */
  importChars: 8_000_000,
  /** Current facts consolidate and health look at, newest first. */
  scanFacts: 2000,
} as const;

const n = (v: number) => v.toLocaleString('en-US');

/** Letters, digits, spaces and `_ . : -`: no `/`, so `category/key` names a fact. */
export const categorySchema = z
  .string()
  .min(1)
  .max(KNOWLEDGE_LIMITS.categoryChars, `at most ${KNOWLEDGE_LIMITS.categoryChars} characters`)
  .refine((c) => /^[\p{L}\p{N} _.:-]+$/u.test(c), 'letters, digits, spaces and _ . : - only (no "/")');

export const keySchema = z
  .string()
  .min(1)
  .max(KNOWLEDGE_LIMITS.keyChars, `at most ${KNOWLEDGE_LIMITS.keyChars} characters`)
  .refine((k) => !/[\r\n]/.test(k), 'one line');

export const valueSchema = z
  .string()
  .max(KNOWLEDGE_LIMITS.valueChars, `at most ${n(KNOWLEDGE_LIMITS.valueChars)} characters`);

export const examplesSchema = z
  .array(
    z.string().max(KNOWLEDGE_LIMITS.exampleChars, `at most ${n(KNOWLEDGE_LIMITS.exampleChars)} characters`),
  )
  .max(KNOWLEDGE_LIMITS.examples, `at most ${KNOWLEDGE_LIMITS.examples} examples`);

/** An ISO 8601 time with a zone (`2026-12-03T10:00:00Z`), kept out of the JSON schema's size. */
export const isoTimeSchema = z
  .string()
  .refine(
    (t) =>
      /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(t) && !Number.isNaN(Date.parse(t)),
    'an ISO time with a zone, like 2026-12-03T10:00:00Z',
  );
