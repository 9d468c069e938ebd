import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { familyOf, readTail, type ShellLogEntry, shellLogOf } from '../../engine/shell/shell-log.ts';
import { defineTool } from '../define-tool.ts';

const HISTORY_BYTES = 2 * 1024 * 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The history files of the server's user that exist: $HISTFILE, bash, zsh, fish. */
function historyFiles(): string[] {
  const home = homedir();
  const candidates = [
    process.env.HISTFILE,
    join(home, '.bash_history'),
    join(home, '.zsh_history'),
    join(home, '.local/share/fish/fish_history'),
  ].filter((p): p is string => Boolean(p));
  return [...new Set(candidates)];
}

/** Commands of a history file in its own format (zsh's `: time:0;cmd`, fish's `- cmd: `, bash's lines). */
export function parseHistory(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('- cmd: ')) out.push(line.slice(7));
    else if (/^: \d+:\d+;/.test(line)) out.push(line.slice(line.indexOf(';') + 1));
    else if (line.startsWith('  when: ') || line.startsWith('#') || line.trim() === '') continue;
    else out.push(line);
  }
  return out;
}

interface Measured {
  runs: number;
  raw: number;
  sent: number;
}

function measuredByFamily(entries: readonly ShellLogEntry[]): Map<string, Measured> {
  const by = new Map<string, Measured>();
  for (const e of entries) {
    if (e.raw) continue;
    const m = by.get(e.family) ?? { runs: 0, raw: 0, sent: 0 };
    m.runs++;
    m.raw += e.tokensRaw;
    m.sent += e.tokensSent;
    by.set(e.family, m);
  }
  return by;
}

interface Finding {
  save: number;
  line: string;
}

export const ctxDiscover = defineTool({
  name: 'ctx_discover',
  description:
    'Missed compression: raw ctx_shell runs and shell-history commands that the output rules would have shrunk, with tokens to save.',
  scope: 'search',
  readOnly: true,
  input: z.object({ limit: z.number().int().min(1).max(100).default(15) }),
  async run(args, ctx) {
    const ws = ctx.workspace;
    const entries = shellLogOf(ws).entries();
    const measured = measuredByFamily(entries);
    const findings: Finding[] = [];

    const rawRuns = new Map<string, { runs: number; sent: number; compressed: number }>();
    for (const e of entries) {
      if (!e.raw || e.tokensCompressed === undefined || e.tokensCompressed >= e.tokensSent) continue;
      const r = rawRuns.get(e.head) ?? { runs: 0, sent: 0, compressed: 0 };
      r.runs++;
      r.sent += e.tokensSent;
      r.compressed += e.tokensCompressed;
      rawRuns.set(e.head, r);
    }
    for (const [head, r] of rawRuns) {
      const save = r.sent - r.compressed;
      findings.push({
        save,
        line: `  ${head.padEnd(22)} ×${r.runs} with raw: true · ${fmt(r.sent)} tok sent, ${fmt(r.compressed)} with the rules · ${fmt(save)} tok (${Math.round((save / r.sent) * 100)}%) to save`,
      });
    }

    const sources: string[] = [];
    if (ws.shellHistory) {
      const counts = new Map<string, { n: number; head: string }>();
      let commands = 0;
      for (const file of historyFiles()) {
        const lines = parseHistory(readTail(file, HISTORY_BYTES));
        if (lines.length === 0) continue;
        sources.push(`${fmt(lines.length)} commands from ${file.replace(homedir(), '~')}`);
        commands += lines.length;
        for (const cmd of lines) {
          const f = familyOf(cmd);
          if (!f.hasRule) continue;
          const c = counts.get(f.family) ?? { n: 0, head: f.head };
          c.n++;
          counts.set(f.family, c);
        }
      }
      if (commands === 0)
        sources.push('no shell history found ($HISTFILE, ~/.bash_history, ~/.zsh_history, fish)');
      for (const [family, c] of counts) {
        const m = measured.get(family);
        if (m && m.runs > 0 && m.raw > m.sent) {
          const perRun = (m.raw - m.sent) / m.runs;
          findings.push({
            save: perRun * c.n,
            line: `  ${family.padEnd(22)} ×${c.n} in shell history · measured here: ${fmt(m.raw / m.runs)} → ${fmt(m.sent / m.runs)} tok a run (${Math.round(((m.raw - m.sent) / m.raw) * 100)}%, ${m.runs} runs) · ~${fmt(perRun * c.n)} tok to save`,
          });
        } else {
          findings.push({
            save: 0,
            line: `  ${family.padEnd(22)} ×${c.n} in shell history · a rule exists (${family}); not measured here yet — run it through ctx_shell`,
          });
        }
      }
    } else {
      sources.push(
        'shell history not read: on a team server it is the server user’s, not yours (local mode reads it)',
      );
    }

    findings.sort((a, b) => b.save - a.save);
    const shown = findings.slice(0, args.limit);
    const compressed = [...measured.values()].reduce(
      (a, m) => ({ raw: a.raw + m.raw, sent: a.sent + m.sent, runs: a.runs + m.runs }),
      {
        raw: 0,
        sent: 0,
        runs: 0,
      },
    );
    const lines = [
      `Missed compression (ctx_shell log: ${fmt(entries.length)} runs; ${sources.join('; ')}):`,
      ...(shown.length > 0 ? shown.map((f) => f.line) : ['  none found']),
      ...(findings.length > shown.length ? [`  … ${findings.length - shown.length} more (raise limit)`] : []),
    ];
    if (compressed.runs > 0) {
      lines.push(
        `Already compressed by ctx_shell: ${fmt(compressed.runs)} runs, ${fmt(compressed.raw)} → ${fmt(compressed.sent)} tok (${Math.round(((compressed.raw - compressed.sent) / Math.max(1, compressed.raw)) * 100)}% saved).`,
      );
    }
    return lines.join('\n');
  },
});
