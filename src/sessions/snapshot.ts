import type { SessionEntry, SessionState } from '../store/sessions.ts';
import { SESSION_LIMITS } from './limits.ts';

export interface SnapshotInput {
  session: SessionState;
  /** Names of the agents on the channel now. */
  agents: readonly string[];
  workflow?: { name: string; state: string } | undefined;
  openTasks?: readonly { id: string; state: string; to: string | undefined; description: string }[];
}

/** Items each section starts with, before the byte budget takes more away. */
const START = { decisions: 6, findings: 6, progress: 4, tasks: 5 } as const;
const ITEM_CHARS = 180;
const AGENTS_SHOWN = 8;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`);
const item = (s: string) => escapeXml(clip(oneLine(s), ITEM_CHARS));

function entryLine(e: SessionEntry): string {
  const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ''} ` : '';
  return `- ${item(`${where}${e.text}`)} (${escapeXml(e.agent)}, r${e.revision})`;
}

const lastOf = (entries: readonly SessionEntry[], kind: SessionEntry['kind'], n: number) =>
  entries.filter((e) => e.kind === kind).slice(-n);

/**
 * The session in at most 2 KB, made to be re-injected after a client compacts its context:
 * the task, who is here, the workflow state, the latest decisions, findings and checkpoints
 * and open tasks. When it does not fit, the oldest items go first, then the task is cut.
 */
export function buildSnapshot(input: SnapshotInput, maxBytes: number = SESSION_LIMITS.snapshotBytes): string {
  const { session } = input;
  const sections: Record<keyof typeof START, string[]> = {
    decisions: lastOf(session.entries, 'decision', START.decisions).map(entryLine),
    findings: lastOf(session.entries, 'finding', START.findings).map(entryLine),
    progress: lastOf(session.entries, 'checkpoint', START.progress).map(entryLine),
    tasks: (input.openTasks ?? [])
      .slice(0, START.tasks)
      .map(
        (t) =>
          `- ${escapeXml(t.id)} ${t.state}${t.to ? ` → ${escapeXml(t.to)}` : ''}: ${item(t.description)}`,
      ),
  };
  let task = session.task ? oneLine(session.task.text) : '';
  const shown = input.agents.slice(0, AGENTS_SHOWN).map(escapeXml).join(', ');
  const more = input.agents.length > AGENTS_SHOWN ? ` +${input.agents.length - AGENTS_SHOWN} more` : '';

  const render = () => {
    const lines = [
      `<session workspace="${escapeXml(session.workspaceId)}" channel="${escapeXml(session.channelId)}" rev="${session.revision}">`,
      `<task>${task ? escapeXml(task) : '(none)'}</task>`,
      `<agents>${shown || '(none)'}${more}</agents>`,
    ];
    if (input.workflow) {
      lines.push(
        `<workflow>${escapeXml(input.workflow.name)}: ${escapeXml(input.workflow.state)}</workflow>`,
      );
    }
    for (const [name, items] of Object.entries(sections)) {
      if (items.length > 0) lines.push(`<${name}>`, ...items, `</${name}>`);
    }
    lines.push('</session>');
    return lines.join('\n');
  };

  let text = render();
  while (Buffer.byteLength(text) > maxBytes) {
    const longest = Object.values(sections).reduce((a, b) => (b.length > a.length ? b : a));
    if (longest.length > 0) longest.shift();
    else if (task.length > 16) task = clip(task, Math.floor(task.length / 2));
    else if (task.length > 0) task = '';
    else break;
    text = render();
  }
  return text;
}
