import { archiveOf } from '../archive.ts';
import { defineWorkspaceService, type Workspace } from '../workspace.ts';
import { isSignificant } from './find-duplicates.ts';

export interface SharedBlock {
  /** `B1`, `B2` … in the context that registered it. */
  id: string;
  /** Trimmed significant lines. */
  lines: string[];
  /** Where `ctx_expand` finds the block's text. */
  archiveId: string;
}

/**
 * Blocks `ctx_dedup action=apply` registered for a context. A compressed read in that
 * context sends a block's text the first time and, once the context holds it, a one-line
 * reference instead; a context that never received a block always gets its text.
 */
export interface SharedBlocks {
  register(scope: string, blocks: readonly string[][]): SharedBlock[];
  /** `body` with every block this context already received replaced by a reference. */
  fold(scope: string, body: string): string;
  list(scope: string): SharedBlock[];
  /** Forgets what the context received (its cache was cleared): blocks are sent again. */
  forgetReceived(scope: string): void;
}

const MAX_CONTEXTS = 256;
const MAX_BLOCKS = 500;

interface ContextBlocks {
  blocks: SharedBlock[];
  /** First significant line → blocks starting with it. */
  byFirst: Map<string, SharedBlock[]>;
  received: Set<string>;
}

export function createSharedBlocks(workspace: Workspace): SharedBlocks {
  const contexts = new Map<string, ContextBlocks>();
  const contextOf = (scope: string): ContextBlocks => {
    let c = contexts.get(scope);
    if (c) {
      contexts.delete(scope);
    } else {
      c = { blocks: [], byFirst: new Map(), received: new Set() };
      if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
    }
    contexts.set(scope, c);
    return c;
  };

  return {
    register(scope, blocks) {
      const c = contextOf(scope);
      const out: SharedBlock[] = [];
      for (const lines of blocks) {
        const text = lines.join('\n');
        const known = c.blocks.find((b) => b.lines.join('\n') === text);
        if (known) {
          out.push(known);
          continue;
        }
        if (c.blocks.length >= MAX_BLOCKS) break;
        const meta = archiveOf(workspace).put(text, 'ctx_dedup', `shared block of ${lines.length} lines`);
        const block = { id: `B${c.blocks.length + 1}`, lines: [...lines], archiveId: meta.id };
        c.blocks.push(block);
        const first = c.byFirst.get(lines[0]!) ?? [];
        first.push(block);
        // longest first, so a long block wins over a shorter one that starts the same way
        first.sort((a, b) => b.lines.length - a.lines.length);
        c.byFirst.set(lines[0]!, first);
        out.push(block);
      }
      return out;
    },
    fold(scope, body) {
      const c = contexts.get(scope);
      if (!c || c.blocks.length === 0) return body;
      const lines = body.split('\n');
      const out: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const candidates = c.byFirst.get(line.trim());
        const match = candidates
          ?.map((b) => ({ b, end: matchEnd(lines, i, b.lines) }))
          .find((m) => m.end > 0);
        if (!match) {
          out.push(line);
          continue;
        }
        const { b, end } = match;
        if (!c.received.has(b.id)) {
          c.received.add(b.id);
          out.push(...lines.slice(i, end));
        } else {
          const indent = /^\s*/.exec(line)?.[0] ?? '';
          out.push(
            `${indent}[shared block ${b.id}: ${b.lines.length} lines, see ctx_expand id="${b.archiveId}"]`,
          );
        }
        i = end - 1;
      }
      return out.join('\n');
    },
    list: (scope) => contexts.get(scope)?.blocks ?? [],
    forgetReceived(scope) {
      contexts.get(scope)?.received.clear();
    },
  };
}

/** End (exclusive) of `block` matched at `lines[from]`, skipping insignificant lines; 0 if no match. */
function matchEnd(lines: readonly string[], from: number, block: readonly string[]): number {
  let i = from;
  for (const want of block) {
    while (i < lines.length && !isSignificant(lines[i]!.trim())) i++;
    if (i >= lines.length || lines[i]!.trim() !== want) return 0;
    i++;
  }
  return i;
}

export const sharedBlocksOf = defineWorkspaceService(
  'shared blocks',
  (workspace): SharedBlocks => createSharedBlocks(workspace),
);
