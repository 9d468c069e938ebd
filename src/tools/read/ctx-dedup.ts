import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { languageOf } from '../../engine/languages/index.ts';
import { READ_LIMITS } from '../../engine/read/load-file.ts';
import { isSecretPath } from '../../engine/secrets.ts';
import { countTokens } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { defineTool } from '../define-tool.ts';

/** A duplicate block is at least this many consecutive non-blank lines. */
const WINDOW = 6;
const MAX_FILES = 5000;
const MAX_REPORTED = 30;

interface Place {
  rel: string;
  line: number;
}

export const ctxDedup = defineTool({
  name: 'ctx_dedup',
  description: `Find code blocks (${WINDOW}+ identical non-blank lines) repeated across files, and the most repeated imports.`,
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().default('.').describe('Directory to scan'),
    action: z.enum(['analyze']).default('analyze'),
  }),
  async run(args, ctx) {
    const { rel: start } = ctx.workspace.jail.resolve(args.path);
    const { files } = await walkFiles(ctx.workspace.root, start === '.' ? '' : start, { signal: ctx.signal });
    const windows = new Map<string, Place[]>();
    const imports = new Map<string, number>();
    let scanned = 0;
    for (const rel of files.slice(0, MAX_FILES)) {
      if (isSecretPath(rel) || languageOf(rel) === undefined) continue;
      const text = await readFile(join(ctx.workspace.root, rel), 'utf8').catch(() => '');
      if (text.length > READ_LIMITS.wholeBytes || text.includes('\0')) continue;
      scanned++;
      const lines = text
        .split('\n')
        .map((t, i) => ({ t: t.trim(), line: i + 1 }))
        .filter((l) => l.t !== '' && !/^[})\];,]*$/.test(l.t));
      for (const l of lines) {
        if (/^(import|from|use|using|#include|require)\b/.test(l.t))
          imports.set(l.t, (imports.get(l.t) ?? 0) + 1);
      }
      for (let i = 0; i + WINDOW <= lines.length; i++) {
        const key = lines
          .slice(i, i + WINDOW)
          .map((l) => l.t)
          .join('\n');
        const list = windows.get(key) ?? [];
        if (!list.some((p) => p.rel === rel)) list.push({ rel, line: lines[i]?.line ?? 0 });
        windows.set(key, list);
      }
    }
    // overlapping windows of one long copy collapse into one finding per file pair
    const pairs = new Map<string, { places: Place[]; blocks: number; tokens: number }>();
    for (const [key, places] of windows) {
      if (places.length < 2) continue;
      const id = places.map((p) => p.rel).join(' ↔ ');
      const found = pairs.get(id);
      if (found) found.blocks++;
      else pairs.set(id, { places, blocks: 1, tokens: countTokens(key) });
    }
    const findings = [...pairs.entries()].sort((a, b) => b[1].blocks - a[1].blocks);
    const out = [
      `${scanned} files scanned, ${findings.length} groups of files share blocks of ${WINDOW}+ lines`,
    ];
    for (const [, f] of findings.slice(0, MAX_REPORTED)) {
      out.push(
        `${f.places.map((p) => `${p.rel}:${p.line}`).join(' ↔ ')} (${f.blocks + WINDOW - 1}+ lines, ~${f.tokens * f.places.length} tok)`,
      );
    }
    if (findings.length > MAX_REPORTED)
      out.push(`… ${findings.length - MAX_REPORTED} more groups (narrow with path)`);
    const topImports = [...imports.entries()]
      .filter(([, n]) => n > 1)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    if (topImports.length > 0) {
      out.push('most repeated imports:');
      for (const [line, n] of topImports) out.push(`  ${n}× ${line}`);
    }
    return out.join('\n');
  },
});
