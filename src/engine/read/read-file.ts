import { cutWithHandle } from '../archive.ts';
import { sharedBlocksOf } from '../dedup/shared-blocks.ts';
import { type FileOutline, outlineFile } from '../languages/index.ts';
import { type Savings, savingsOf } from '../savings.ts';
import { countTokensAsync, savingsFooter } from '../tokens.ts';
import type { Workspace } from '../workspace.ts';
import { aggressiveText } from './aggressive.ts';
import { contextScope, type Delivery, readCacheOf } from './cache.ts';
import { chooseMode } from './choose-mode.ts';
import { entropyFilter } from './entropy.ts';
import { countChanges, diffLines, formatCompactDiff } from './line-diff.ts';
import { renderLineRanges, splitLines } from './line-ranges.ts';
import { type LoadedFile, type LoadLimit, loadFile, READ_LIMITS } from './load-file.ts';
import { modeName, parseReadMode, type ReadMode } from './read-mode.ts';
import { headerLinesFor, renderMap, renderSignatures } from './render-outline.ts';
import { taskFilter } from './task-filter.ts';

export interface ReadRequest {
  path: string;
  mode?: string | undefined;
  fresh?: boolean | undefined;
  startLine?: number | undefined;
  task?: string | undefined;
  /** The F-number to show when the caller has no context (a batch numbers its own files). */
  ref?: number | undefined;
}

/**
 * One read as sent. `tokensRaw` is the whole file, what a plain read would have cost;
 * `tokensSaved` is what the footer claims (0 for answers without one: full, reference).
 */
export interface ReadResult extends Savings {
  rel: string;
  /** The mode that produced the body (`auto` resolved). */
  mode: string;
  text: string;
  sentTokens: number;
  /** The answer was an "unchanged" stub or a diff against what the context holds. */
  cached: 'stub' | 'diff' | undefined;
}

/** Compressed views longer than this many lines are cut, the rest archived for ctx_expand. */
const MAX_VIEW_LINES = 1500;
/** A changed file is sent as a diff only when the diff is this much smaller than the file. */
const DIFF_RATIO = 0.6;

function limitFor(mode: ReadMode): LoadLimit {
  if (mode.kind === 'lines') return 'linesBytes';
  if (
    mode.kind === 'map' ||
    mode.kind === 'signatures' ||
    mode.kind === 'reference' ||
    mode.kind === 'auto'
  ) {
    return 'outlineBytes';
  }
  return 'wholeBytes';
}

const header = (ref: number, file: LoadedFile, note = '') => `F${ref}=${file.rel} ${file.lineCount}L${note}`;

/** Who is reading: the engine needs only these parts of a tool call's context. */
export interface ReadContext {
  workspace: Workspace;
  agentId: string;
  contextId: string | undefined;
  signal: AbortSignal;
  /** Keeps what a context was sent from (path and content hash) as its evidence. */
  noteRead?: ((read: FileEvidence) => void) | undefined;
}

/** The bytes an answer was made from. */
export interface FileEvidence {
  path: string;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
  bytes: number;
}

/** One read, as this context should receive it: honest about what the context already holds. */
export async function readForContext(ctx: ReadContext, req: ReadRequest): Promise<ReadResult> {
  const requested = parseReadMode(req.startLine ? `lines:${req.startLine}-` : (req.mode ?? 'auto'));
  const fresh = req.fresh === true || req.startLine !== undefined;
  const file = await loadFile(ctx.workspace, req.path, limitFor(requested), ctx.signal);
  const cache = readCacheOf(ctx.workspace);
  const scope = contextScope(ctx.agentId, ctx.contextId);
  const seen = scope === undefined ? undefined : cache.get(scope, file.rel);
  const record = scope === undefined ? undefined : cache.touch(scope, file.rel);
  const ref = record?.ref ?? req.ref ?? 1;
  const fileTokens = await countTokensAsync(file.text, ctx.signal);
  if (record) {
    record.reads++;
    record.tokens = fileTokens;
    record.lines = file.lineCount;
  }
  // answers without a footer (full content, a reference line) claim no savings
  const noClaim: Savings = { tokensRaw: fileTokens, tokensSaved: 0 };
  const done = async (
    mode: string,
    text: string,
    cached?: 'stub' | 'diff',
    saved = noClaim,
  ): Promise<ReadResult> => {
    const sentTokens = await countTokensAsync(text, ctx.signal);
    // a context-less read (ctx_fill's pricing) sends nothing to keep evidence of
    if (ctx.contextId !== undefined) ctx.noteRead?.({ path: file.rel, sha256: file.hash, bytes: file.bytes });
    if (record) {
      record.lastMode = mode;
      record.sentTokens += sentTokens;
    }
    return { rel: file.rel, mode, text, sentTokens, cached, ...saved };
  };
  const withFooter = async (mode: string, body: string, cached?: 'stub' | 'diff', after = '') => {
    const sent = await countTokensAsync(body, ctx.signal);
    const text = `${body}\n${savingsFooter(fileTokens, sent)}`;
    return done(mode, text + after, cached, savingsOf(fileTokens, sent));
  };

  if (requested.kind === 'lines') {
    const body = renderLineRanges(splitLines(file.text), requested.ranges);
    return withFooter(modeName(requested), `${header(ref, file)}\n${body}`);
  }
  if (requested.kind === 'reference') {
    const ext = file.rel.includes('.') ? file.rel.slice(file.rel.lastIndexOf('.') + 1) : 'text';
    return done('reference', `F${ref}=${file.rel}: ${file.lineCount} lines, ${fileTokens} tok (${ext})`);
  }

  // full and diff send the bytes: only auto (to choose) and the views need the parse
  let outline: FileOutline | undefined;
  let kind = requested.kind;
  let note = '';
  if (kind === 'auto') {
    outline = await outlineFile(file.rel, file.text, ctx.signal);
    kind = chooseMode(file.rel, fileTokens, outline, file.bytes <= READ_LIMITS.wholeBytes);
    note = ` [auto:${kind}]`;
  }

  if (kind === 'full' || kind === 'diff') {
    const mode = kind;
    const full = () => {
      if (scope !== undefined) cache.setFull(scope, file.rel, file.hash, file.text);
      const first = mode === 'diff' ? ' [first read: full content]' : '';
      return done(mode, `${header(ref, file, note + first)}\n${file.text}`);
    };
    if (fresh || !seen?.fullHash) return full();
    if (seen.fullHash === file.hash) return withFooter(mode, unchangedStub(ref, file, seen, note), 'stub');
    if (seen.fullText === undefined) return full();
    const ops = diffLines(splitLines(seen.fullText), splitLines(file.text));
    const { added, removed } = countChanges(ops);
    const body = `${header(ref, file, `${note} [changed since read #${seen.fullAt}: +${added} -${removed}; diff below]`)}\n${formatCompactDiff(ops)}`;
    if (mode === 'full' && (await countTokensAsync(body, ctx.signal)) >= fileTokens * DIFF_RATIO)
      return full();
    if (scope !== undefined) cache.setFull(scope, file.rel, file.hash, file.text);
    return withFooter(mode, body, 'diff');
  }

  const view = `${kind}@${file.hash}`;
  if (!fresh && seen?.views.has(view)) {
    return withFooter(kind, unchangedStub(ref, file, seen, note, kind), 'stub');
  }
  outline ??= await outlineFile(file.rel, file.text, ctx.signal);
  let body = await renderView(kind, file, outline, req.task);
  // code views hold blocks other files share; this context gets each once, then a reference
  if (scope !== undefined && (kind === 'aggressive' || kind === 'entropy'))
    body = sharedBlocksOf(ctx.workspace).fold(scope, body);
  const head = [header(ref, file, note), ...headerLinesFor(kind, outline)].join('\n');
  let text = `${head}\n${body}`;
  text = cutWithHandle(ctx.workspace, text, {
    maxLines: MAX_VIEW_LINES,
    tool: 'ctx_read',
    label: `${file.rel} ${kind}`,
  });
  record?.views.set(view, record.reads);
  return withFooter(kind, text, undefined, note ? ' whole file: mode=full or lines:N-M' : '');
}

function unchangedStub(ref: number, file: LoadedFile, seen: Delivery, note: string, view?: string): string {
  const what = view ? `${view} view` : 'content';
  const at = view ? (seen.views.get(`${view}@${file.hash}`) ?? 0) : seen.fullAt;
  return `${header(ref, file, note)} unchanged: this context received this exact ${what} at read #${at}; fresh=true re-sends it`;
}

async function renderView(
  kind: string,
  file: LoadedFile,
  outline: FileOutline,
  task: string | undefined,
): Promise<string> {
  switch (kind) {
    case 'map':
      return renderMap(outline) || '(no definitions found)';
    case 'signatures':
      return renderSignatures(outline) || '(no definitions found)';
    case 'aggressive':
      return aggressiveText(file.rel, file.text);
    case 'entropy': {
      const r = entropyFilter(file.text);
      return `[entropy: H̄=${r.meanEntropy.toFixed(2)} bits, ${r.dropped} low-information lines left out]\n${r.text}`;
    }
    case 'task': {
      if (!task?.trim())
        return `[task: no task given; pass task="…" to keep only the lines about it]\n${renderSignatures(outline)}`;
      const r = taskFilter(file.text, task, outline.symbols);
      if (r.hits === 0)
        return `[task: no line mentions "${task}"; signatures instead]\n${renderSignatures(outline)}`;
      return `[task: ${r.hits} matching lines]\n${r.text}`;
    }
    default:
      throw new Error(`unhandled read mode ${kind}`);
  }
}
